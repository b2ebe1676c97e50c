"""The messenger on the company's website: `static/messenger/embed.js` adds a launcher to the website's pages, which
opens the customer pages (inbox.messenger) in a frame by POSTing the page's identity to `open_messenger`.

- A verified user (inbox.identity) becomes the contact whose external_id is their id, made at their first visit; the
  frame's session is the same contact session as a messenger link's (messenger.SESSION_KEY and SESSION_VERSION_KEY),
  so "Sign out everywhere" ends it too. It is never merged with a lead.
- An anonymous visitor has no contact until they write (`start`): then a lead (Contact.is_lead), remembered by a
  signed cookie (LEAD_COOKIE) that brings the same lead back next time. A lead may leave an email address, which
  is only shown to the team.
- Refused identities answer a 4xx page in the frame, counted like refused links (messenger.count_refusal).
- Framing (`MessengerFramingMiddleware`): the embed pages, and the messenger pages of a session opened here, may be
  framed by the installation's allowed origins; every other page keeps `frame-ancestors 'none'` and X-Frame-Options.
"""

import time
from collections.abc import Callable
from functools import wraps
from http.cookies import Morsel
from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.csp import CSP, build_policy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from helpdesk.errors import DomainError
from helpdesk.http import HtmxRequest, add_domain_error, domain_errors
from inbox import embed_actions
from inbox.identity import IdentityRefused, read_identity
from inbox.messenger import (
    SESSION_KEY,
    SESSION_VERSION_KEY,
    NewConversationForm,
    contact_required,
    count_refusal,
    home_context,
    refused_too_often,
)
from inbox.selectors import get_lead_session_version, get_messenger_installation

EMBEDDED_KEY = "messenger_embedded"  # the session was opened by the website's launcher: its pages may be framed
VISITOR_KEY = "messenger_visitor"  # an anonymous visitor who has not written yet, so has no contact
LEAD_COOKIE = "helpdesk_messenger_lead"
LEAD_SALT = "helpdesk.messenger.lead"
REFUSED = "messenger/embed_refused.html"
WELCOME = "messenger/embed_welcome.html"


class LeadStartForm(NewConversationForm):
    email = forms.EmailField(required=False, label="Your email address (optional)", help_text="So that we can answer.")


class LeadEmailForm(forms.Form):
    email = forms.EmailField(label="Your email address")


def refuse(request: HtmxRequest, reason: str, *, status: int = 403) -> HttpResponse:
    return render(request, REFUSED, {"reason": reason}, status=status)


@csrf_exempt  # a POST from the website's page; what it proves is its hash (and its Origin), not a CSRF token
@require_POST
def open_messenger(request: HtmxRequest) -> HttpResponse:
    """Open the messenger in the website's frame, as the verified user the page names, as the lead of the visitor's
    cookie, or as a new visitor. Refused: a page of another origin than the allowed ones (403, not counted), and an
    identity inbox.identity refuses (4xx, counted: an address refused too often gets a 429 for a while)."""
    if refused_too_often(request):
        return refuse(request, "too_many", status=429)
    installation = get_messenger_installation()
    if request.headers.get("Origin", "").lower() not in installation.origins:
        return refuse(request, "origin")
    try:
        identity = read_identity(installation=installation, data=request.POST, now=time.time())
    except IdentityRefused as refused:
        count_refusal(request)
        # Whoever the frame showed before (another user of this browser) is not shown to this page either.
        forget_contact(request)
        return refuse(request, refused.refusal.value, status=refused.status)
    if identity.user_id is not None:
        contact = embed_actions.identify_contact(external_id=identity.user_id, name=identity.name, email=identity.email)
        sign_in(request, contact.pk, contact.session_version)
    elif lead := lead_of_cookie(request):
        sign_in(request, *lead)
    else:
        sign_in(request, None, None)
        return redirect("messenger-embed:welcome")
    return redirect("messenger:home")


def sign_in(request: HttpRequest, contact_id: int | None, version: int | None) -> None:
    """The frame's session, for the contact (None: a visitor who has not written yet), and nobody else: whoever the
    session held before (another user of the same browser) is gone."""
    request.session.cycle_key()
    forget_contact(request)
    if contact_id is None:
        request.session[VISITOR_KEY] = True
    else:
        request.session[SESSION_KEY], request.session[SESSION_VERSION_KEY] = contact_id, version
    request.session[EMBEDDED_KEY] = True
    request.session.set_expiry(settings.MESSENGER_LINK_MAX_AGE)


def forget_contact(request: HttpRequest) -> None:
    for key in (SESSION_KEY, SESSION_VERSION_KEY, VISITOR_KEY):
        request.session.pop(key, None)


def lead_of_cookie(request: HttpRequest) -> tuple[int, int] | None:
    """The lead (id, session version) the visitor's cookie names, while that lead is not signed out everywhere."""
    value = request.get_signed_cookie(
        LEAD_COOKIE, default=None, salt=LEAD_SALT, max_age=settings.MESSENGER_LEAD_COOKIE_MAX_AGE
    )
    try:
        contact_id, version = (int(part) for part in (value or "").split(":"))
    except ValueError:
        return None
    if get_lead_session_version(contact_id=contact_id) != version:
        return None
    return contact_id, version


def remember_lead(response: HttpResponse, contact_id: int, version: int) -> None:
    response.set_signed_cookie(
        LEAD_COOKIE,
        f"{contact_id}:{version}",
        salt=LEAD_SALT,
        max_age=int(settings.MESSENGER_LEAD_COOKIE_MAX_AGE.total_seconds()),
        path=reverse("messenger:home"),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def visitor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Only a visitor the launcher let in who has not written yet; once a contact, their messenger."""

    @wraps(view)
    def wrapper(request: HtmxRequest) -> HttpResponse:
        if request.session.get(SESSION_KEY) is not None:
            return redirect("messenger:home")
        if not request.session.get(VISITOR_KEY):
            return render(request, "messenger/signed_out.html", status=403)
        return view(request)

    return wrapper


@require_safe
@visitor_required
def welcome(request: HtmxRequest) -> HttpResponse:
    """The messenger of a visitor who has not written yet: nothing of theirs exists, so only the form to write."""
    return render(request, WELCOME, {"form": LeadStartForm()})


@require_POST
@visitor_required
def start(request: HtmxRequest) -> HttpResponse:
    """The visitor's first message: the lead is made now, and the visitor's cookie remembers it."""
    form = LeadStartForm(request.POST)
    if form.is_valid():
        try:
            conversation = embed_actions.start_lead_conversation(**form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            lead = conversation.contact
            sign_in(request, lead.pk, lead.session_version)
            response = redirect("messenger:conversation", conversation.pk)
            remember_lead(response, lead.pk, lead.session_version)
            return response
    return render(request, WELCOME, {"form": form}, status=422)


@require_POST
@contact_required
@domain_errors
def leave_email(request: HtmxRequest, contact_id: int) -> HttpResponse:
    """A lead leaves their email address (422 when it is not one; a website user's comes from the website)."""
    form = LeadEmailForm(request.POST)
    if form.is_valid():
        try:
            embed_actions.set_lead_email(contact_id=contact_id, email=form.cleaned_data["email"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("messenger:home")
    return render(request, "messenger/home.html", home_context(contact_id) | {"email_form": form}, status=422)


# --- Framing ---


class PartitionedMorsel(Morsel):
    """A cookie with the `Partitioned` attribute (CHIPS), which Python's cookies learn only in 3.14."""

    def OutputString(self, attrs=None):  # noqa: N802  (http.cookies' name)
        return super().OutputString(attrs) + "; Partitioned"


class MessengerFramingMiddleware:
    """Let the allowed origins frame the embed pages and the messenger pages of a session the launcher opened.

    Sits before SessionMiddleware in MIDDLEWARE, so that it sees the response with every header and cookie set: it
    replaces the CSP's `frame-ancestors 'none'` by the allowed origins and drops X-Frame-Options (which cannot name
    an origin). With MESSENGER_EMBED_CROSS_SITE_COOKIES (HTTPS deployments), it also makes the session, CSRF and lead
    cookies it sets `SameSite=None; Secure; Partitioned`: a frame on another site gets no other kind, and each
    website's frame keeps its own jar (CHIPS), apart from the help desk's own tabs.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(reverse("messenger:home")) and embedded(request):
            if origins := get_messenger_installation().origins:
                config: dict[str, Any] = {**settings.SECURE_CSP, "frame-ancestors": origins}
                response.headers[CSP.HEADER_ENFORCE] = build_policy(config, get_nonce(request))
                response.headers.pop("X-Frame-Options", None)
            if settings.MESSENGER_EMBED_CROSS_SITE_COOKIES:
                partition_cookies(response)
        return response


def embedded(request: HttpRequest) -> bool:
    return request.path.startswith(reverse("messenger-embed:open")) or bool(
        getattr(request, "session", {}).get(EMBEDDED_KEY)
    )


def partition_cookies(response: HttpResponse) -> None:
    for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, LEAD_COOKIE):
        if (cookie := response.cookies.get(name)) is not None:
            partitioned: Morsel = PartitionedMorsel()
            partitioned.set(cookie.key, cookie.value, cookie.coded_value)
            partitioned.update(cookie)
            partitioned["samesite"], partitioned["secure"] = "None", True
            response.cookies[name] = partitioned
