"""What every teammate-facing view shares: who may see it, domain errors as responses, the live-update version."""

import json
from collections.abc import Callable
from functools import wraps
from typing import Any, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db.models.fields.files import FieldFile
from django.forms import Form
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget
from django_htmx.middleware import HtmxDetails

from helpdesk.errors import DomainError, InvalidInput, NotFound
from helpdesk.live import page_since
from inbox.attachments import is_inline
from inbox.models import Teammate
from tickets import access


class HtmxRequest(HttpRequest):
    """A request through django-htmx's middleware, which sets `htmx` on every request."""

    htmx: HtmxDetails


class TeammateRequest(HtmxRequest):
    """A request to a teammate view: `teammate_required` lets only an active staff teammate in."""

    user: Teammate
    live_since: int  # the live sequence number when the request came in (helpdesk/live.py)


def error_response(request: HtmxRequest, message: str, *, status: int) -> HttpResponse:
    """The message in the page's `#flash` region (HTMX) or on an error page."""
    context = {"message": message, "status": status}
    if not request.htmx:
        return render(request, "components/error.html", context, status=status)
    response = render(request, "components/error.html#flash-message", context, status=status)
    return reswap(retarget(response, "#flash"), "innerHTML")


NOT_A_TEAMMATE = (
    "This page is for teammates, and your account is not a teammate account. "
    "Ask an admin to give it staff status, or sign out and sign in as a teammate."
)


NOT_YOURS = "There is nothing at this address that your access (back office only) reaches."


def teammate_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Only active staff teammates reach the view, checked on every request, so that taking staff status away or
    deactivating an account takes effect at once, on open sessions too (an inactive account is signed out by the
    authentication backend, so it arrives here anonymous).

    Anonymous: the login page (htmx: an HX-Redirect to it, back to the page the request came from). Signed in
    without staff status: a 403 that says so, never a redirect to the login page, which would send them back. A
    back-office-only teammate: a 403 or 404 for what its access does not reach (tickets/access.py)."""

    @wraps(view)
    def wrapper(request: HtmxRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            if request.htmx:  # a region's request: the whole page goes to the login page, and comes back after it
                current = urlsplit(request.htmx.current_url or "/")
                back = (current.path or "/") + (f"?{current.query}" if current.query else "")
                return HttpResponseClientRedirect(redirect_to_login(back).url)
            return redirect_to_login(request.get_full_path())
        if not user.is_working:
            if request.htmx:
                return error_response(request, NOT_A_TEAMMATE, status=403)
            return render(request, "registration/not_a_teammate.html", {"message": NOT_A_TEAMMATE}, status=403)
        view_name = request.resolver_match.view_name if request.resolver_match else ""
        if status := access.refusal(user, view_name, kwargs, request.GET):
            return error_response(request, NOT_YOURS if status == 404 else access.FRONT_OFFICE_ONLY, status=status)
        # Read before the view reads anything: a region rendered now shows every change published up to this number.
        cast(TeammateRequest, request).live_since = page_since()
        return view(request, *args, **kwargs)

    return wrapper


def client_address(request: HttpRequest) -> str:
    """The client's IP address: the connection's, or behind TRUSTED_PROXY_COUNT proxies of our own the address the
    outermost of them saw (X-Forwarded-For read from the right, so that a client cannot choose it by sending one)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def bad_query(request: HtmxRequest, form: Form) -> HttpResponse:
    """A 400 naming what is wrong with the query string."""
    return error_response(request, bad_query_message(form), status=400)


def bad_query_message(form: Form) -> str:
    problems = "; ".join(f"{name}: {' '.join(map(str, errors))}" for name, errors in form.errors.items())
    return f"That address has a bad parameter ({problems})"


def domain_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """NotFound becomes a 404, any other refusal of the domain a 422, each with its message."""

    @wraps(view)
    def wrapper(request: HtmxRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            return error_response(request, error.message, status=404)
        except DomainError as error:
            return error_response(request, error.message, status=422)

    return wrapper


def add_domain_error(form, error: DomainError) -> None:
    """Show a domain refusal inside the form that caused it: per field where it names fields."""
    fields = error.errors if isinstance(error, InvalidInput) else {}
    known = {name: messages for name, messages in fields.items() if name in form.fields}
    for name, messages in known.items():
        for message in messages:
            form.add_error(name, message)
    if not known:
        form.add_error(None, error.message)


# No "<", ">" or "&" in the JSON as sent: nothing in it can ever be read as markup, whatever a name holds. The
# scripts that read it show it as text (tom-select escapes what it renders; a composer's value is text).
JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def json_response(data: object, *, status: int = 200) -> HttpResponse:
    """`data` as JSON, with nothing in it that a browser could read as markup (JSON_ESCAPES)."""
    return HttpResponse(json.dumps(data).translate(JSON_ESCAPES), content_type="application/json", status=status)


def live_page(request: HttpRequest) -> dict[str, Any]:
    """Context processor: how a page's tab follows the topics it shows (helpdesk/live.py), and the sequence number
    its regions are rendered at (read by `teammate_required` before the view ran)."""
    return {
        "live_since": getattr(request, "live_since", 0),
        "live_push": bool(settings.LIVE_REDIS_URL),
        "live_poll_ms": int(settings.LIVE_POLL_SECONDS * 1000),
    }


# An attachment's own policy: nothing in it may run or load anything, should a browser ever render one.
ATTACHMENT_CSP = "default-src 'none'; sandbox"


def attachment_response(*, file: FieldFile, name: str, content_type: str) -> HttpResponse:
    """A stored attachment, streamed, after the caller checked who may have it: served as the type read from its
    bytes, shown in the page only if it is an allowed image, downloaded otherwise; never sniffed into another type,
    kept by no shared cache. Raises NotFound when the stored file is gone."""
    try:
        opened = file.open("rb")
    except FileNotFoundError as error:
        raise NotFound("That file is no longer available.") from error
    response = FileResponse(opened, as_attachment=not is_inline(content_type), filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = ATTACHMENT_CSP
    patch_cache_control(response, private=True)
    # A streaming response, which the view decorators (typed for HttpResponse) pass through untouched.
    return cast(HttpResponse, response)
