"""The customer side ("messenger"): a contact's own conversations, separate from the teammates' inbox.

A contact is identified by a signed, expiring link (`messenger_link`), never by a guessable id; opening
it puts the contact's id in the session under its own key, so a teammate's sign-in is never involved.
The session ends when the link would have expired, and both carry the contact's session version: "Sign out
everywhere" (`inbox.actions.sign_out_contact_everywhere`) moves it on, which ends every earlier link and session.
"""

import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import HttpResponseClientRefresh

from helpdesk.errors import DomainError
from helpdesk.forms import AttachmentsField
from helpdesk.http import (
    HtmxRequest,
    add_domain_error,
    attachment_response,
    bad_query,
    client_address,
    domain_errors,
)
from helpdesk.regions import render_region
from inbox import actions
from inbox.actions import MAX_BODY_LENGTH
from inbox.forms import LiveVersionForm
from inbox.models import Contact
from inbox.selectors import (
    get_contact,
    get_contact_conversation,
    get_contact_conversations_version,
    get_contact_session_version,
    get_customer_attachment,
    get_customer_thread_version,
    list_contact_conversations,
    list_customer_visible_parts,
)

CONVERSATION = "messenger/conversation.html"
SESSION_KEY = "messenger_contact_id"
SESSION_VERSION_KEY = "messenger_session_version"
SEEN_KEY = "messenger_seen_at"  # when this session last wrote its contact's last_seen_at (a Unix time)
SALT = "helpdesk.messenger.contact"


def messenger_link(contact: Contact, *, to: str = "") -> str:
    """The path that signs this contact in to the messenger; it expires after MESSENGER_LINK_MAX_AGE, and when the
    contact is signed out everywhere. With `to` (a messenger path, e.g. a ticket form's), it opens that page, not
    the conversations: the path is signed into the link, so nobody can make it lead anywhere else."""
    payload: dict[str, object] = {"contact": contact.pk, "v": contact.session_version}
    if to:
        payload["to"] = to
    token = signing.dumps(payload, salt=SALT, compress=True)
    return reverse("messenger:enter", args=[token])


def read_link(token: str) -> tuple[dict, datetime]:
    """The link's payload and the moment it expires. Raises SignatureExpired or BadSignature."""
    signer = signing.TimestampSigner(salt=SALT)
    data = signer.unsign_object(token, max_age=settings.MESSENGER_LINK_MAX_AGE)
    # The signing time is the token's second-last part (`signing.dumps`), genuine once the signature checked out.
    signed_at = datetime.fromtimestamp(signing.b62_decode(token.rsplit(signer.sep, 2)[-2]), tz=UTC)
    if not isinstance(data, dict):
        raise signing.BadSignature("Not a messenger link.")
    return data, signed_at + settings.MESSENGER_LINK_MAX_AGE


def messenger_url(contact: Contact, *, to: str = "") -> str:
    """`messenger_link` as an absolute link on the site's public address (SITE_URL), to send the contact or
    print: made outside any request, so it cannot take the host from one."""
    return settings.SITE_URL + messenger_link(contact, to=to)


def link_destination(data: dict) -> str:
    """Where a link opens: its signed `to` when that is a path of the messenger, else the conversations."""
    to = data.get("to")
    messenger = reverse("messenger:home")
    if isinstance(to, str) and to.startswith(messenger) and url_has_allowed_host_and_scheme(to, allowed_hosts=None):
        return to
    return messenger


def contact_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Pass the signed-in contact's id to the view; without one, a 403 that says how to get in. A session of an
    earlier session version (the contact was signed out everywhere) is ended here, at its next request: a live
    region's poll reloads its page, which then shows the signed-out page. Every request of a signed-in contact,
    polls included, says the contact is here (`mark_seen`)."""

    @wraps(view)
    def wrapper(request: HtmxRequest, *args, **kwargs) -> HttpResponse:
        contact_id = request.session.get(SESSION_KEY)
        if contact_id is None:
            return render(request, "messenger/signed_out.html", status=403)
        if request.session.get(SESSION_VERSION_KEY) != get_contact_session_version(contact_id=contact_id):
            for key in (SESSION_KEY, SESSION_VERSION_KEY):
                request.session.pop(key, None)
            if request.htmx:
                return HttpResponseClientRefresh()
            return render(request, "messenger/signed_out.html", {"reason": "revoked"}, status=403)
        mark_seen(request, contact_id)
        return view(request, contact_id, *args, **kwargs)

    return wrapper


def mark_seen(request: HtmxRequest, contact_id: int) -> None:
    """Write the contact's last_seen_at, at most once every SEEN_WRITE_EVERY per session: the session remembers when
    it last did, so a poll answered 204 in between costs no query more (tests/inbox/test_messenger_live.py)."""
    now = time.time()
    if now - request.session.get(SEEN_KEY, 0) >= actions.SEEN_WRITE_EVERY.total_seconds():
        actions.mark_contact_seen(contact_id=contact_id)
        request.session[SEEN_KEY] = int(now)


class MessageForm(forms.Form):
    # Not required here: a message may be files alone, which the action decides (inbox.actions.clean_body).
    body = forms.CharField(
        max_length=MAX_BODY_LENGTH, required=False, label="Your message", widget=forms.Textarea(attrs={"rows": 4})
    )
    attachments = AttachmentsField()


class NewConversationForm(MessageForm):
    subject = forms.CharField(max_length=200, required=False, label="Subject (optional)")


def refused_links_key(request: HtmxRequest) -> str:
    return f"messenger-refused-links:{client_address(request)}"


def refused_too_often(request: HtmxRequest) -> bool:
    """Whether the client's address had MESSENGER_LINK_FAILURE_LIMIT refusals within the window (`count_refusal`)."""
    return cache.get(refused_links_key(request), 0) >= settings.MESSENGER_LINK_FAILURE_LIMIT


def count_refusal(request: HtmxRequest) -> None:
    """Count a refused link or identity (inbox.embed) against the client's address."""
    key, window = refused_links_key(request), int(settings.MESSENGER_LINK_FAILURE_WINDOW.total_seconds())
    cache.add(key, 0, timeout=window)  # the window starts at the first refusal
    try:
        cache.incr(key)
    except ValueError:  # the window ended between the two calls
        cache.set(key, 1, timeout=window)


def refuse_link(request: HtmxRequest, reason: str) -> HttpResponse:
    """A 403 for a bad, expired or revoked link, counted against the client's address (`enter`)."""
    count_refusal(request)
    return render(request, "messenger/signed_out.html", {"reason": reason}, status=403)


@require_safe
def enter(request: HtmxRequest, token: str) -> HttpResponse:
    """Open the messenger from a signed link, for as long as the link is valid. An address that sent
    MESSENGER_LINK_FAILURE_LIMIT refused links within the window gets a 429 for every link until the window ends,
    so that links cannot be guessed or replayed at speed."""
    if refused_too_often(request):
        return render(request, "messenger/signed_out.html", {"reason": "too_many"}, status=429)
    try:
        data, expires_at = read_link(token)
    except signing.SignatureExpired:
        return refuse_link(request, "expired")
    except signing.BadSignature:
        return refuse_link(request, "invalid")
    contact_id = data.get("contact")
    version = get_contact_session_version(contact_id=contact_id) if isinstance(contact_id, int) else None
    if version is None or data.get("v") != version:
        return refuse_link(request, "revoked" if version is not None else "invalid")
    assert isinstance(contact_id, int)  # else there was no version
    request.session.cycle_key()
    request.session.pop(SEEN_KEY, None)  # another contact's, if one used this browser
    request.session[SESSION_KEY] = contact_id
    request.session[SESSION_VERSION_KEY] = version
    # The session ends when the link would: a link is no longer-lived for having been opened.
    request.session.set_expiry(expires_at)
    mark_seen(request, contact_id)  # here, with the session's own write, not in the page it redirects to
    return redirect(link_destination(data))


@require_POST
def leave(request: HtmxRequest) -> HttpResponse:
    for key in (SESSION_KEY, SESSION_VERSION_KEY, SEEN_KEY):
        request.session.pop(key, None)
    return render(request, "messenger/signed_out.html", {"reason": "left"})


def answer_if_unchanged(request: HtmxRequest, version: str) -> HttpResponse | None:
    """The answer to a customer live region's poll while its version `v` is still `version`: a 204 (or a 400 for
    a bad query string); None when it must be rendered again."""
    query = LiveVersionForm(request.GET)
    if not query.is_valid():
        return bad_query(request, query)
    return HttpResponse(status=204) if query.cleaned_data["v"] == version else None


def home_context(contact_id: int, form: NewConversationForm | None = None) -> dict:
    # The version first: a change landing between the two reads then shows at the next poll, never goes unseen.
    version = get_contact_conversations_version(contact_id=contact_id)
    return {
        "contact": get_contact(contact_id=contact_id),
        "conversations": list_contact_conversations(contact_id=contact_id),
        "conversations_version": version,
        "form": form or NewConversationForm(),
    }


@require_safe
@contact_required
@domain_errors
def home(request: HtmxRequest, contact_id: int) -> HttpResponse:
    """The contact's conversations; the list polls itself (`?v=`, 204 while unchanged)."""
    if request.htmx.target == "messenger-conversations":
        version = get_contact_conversations_version(contact_id=contact_id)
        if unchanged := answer_if_unchanged(request, version):
            return unchanged
        context = {"conversations": list_contact_conversations(contact_id=contact_id), "conversations_version": version}
        return render(request, "messenger/home.html#messenger-conversations", context)
    return render(request, "messenger/home.html", home_context(contact_id))


@require_POST
@contact_required
@domain_errors
def start(request: HtmxRequest, contact_id: int) -> HttpResponse:
    form = NewConversationForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            conversation = actions.start_conversation(contact_id=contact_id, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("messenger:conversation", conversation.pk)
    return render(request, "messenger/home.html", home_context(contact_id, form), status=422)


def thread_context(contact_id: int, conversation_id: int) -> dict:
    conversation = get_contact_conversation(contact_id=contact_id, conversation_id=conversation_id)
    parts = list_customer_visible_parts(conversation_id=conversation.pk)
    # The same parts as get_customer_thread_version reads, so the same newest id.
    return {"conversation": conversation, "parts": parts, "thread_version": max((part.pk for part in parts), default=0)}


def conversation_context(
    request: HtmxRequest, contact_id: int, conversation_id: int, form: MessageForm | None = None
) -> dict:
    """The conversation's page whole, with the forms and tickets of the conversation (rendered by the tickets app:
    helpdesk/regions.py)."""
    tickets = render_region(
        "messenger-conversation-tickets", request, contact_id=contact_id, conversation_id=conversation_id
    )
    return thread_context(contact_id, conversation_id) | {
        "contact": get_contact(contact_id=contact_id),
        "form": form or MessageForm(),
        "conversation_tickets": tickets,
    }


@require_safe
@contact_required
@domain_errors
def conversation(request: HtmxRequest, contact_id: int, conversation_id: int) -> HttpResponse:
    """One of the contact's conversations; its thread polls itself (`?v=`, 204 while no message or reply came)."""
    if request.htmx.target == "messenger-thread":
        version = get_customer_thread_version(contact_id=contact_id, conversation_id=conversation_id)
        if unchanged := answer_if_unchanged(request, str(version)):
            return unchanged
        return render(request, f"{CONVERSATION}#messenger-thread", thread_context(contact_id, conversation_id))
    return render(request, CONVERSATION, conversation_context(request, contact_id, conversation_id))


@require_POST
@contact_required
@domain_errors
def write(request: HtmxRequest, contact_id: int, conversation_id: int) -> HttpResponse:
    """The contact writes in one of their conversations."""
    get_contact_conversation(contact_id=contact_id, conversation_id=conversation_id)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.record_customer_message(conversation_id=conversation_id, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("messenger:conversation", conversation_id)
    context = conversation_context(request, contact_id, conversation_id, form)
    return render(request, CONVERSATION, context, status=422)


@require_safe
@contact_required
@domain_errors
def attachment(request: HtmxRequest, contact_id: int, attachment_id: int) -> HttpResponse:
    """A file of one of the contact's messages or of a reply to them; any other file is a 404, exactly like one
    that does not exist (inbox.selectors.get_customer_attachment)."""
    found = get_customer_attachment(contact_id=contact_id, attachment_id=attachment_id)
    return attachment_response(file=found.file, name=found.name, content_type=found.content_type)
