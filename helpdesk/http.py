"""What every teammate-facing view shares: domain errors as responses, and the live-update version."""

from collections.abc import Callable
from functools import wraps

from django.db.models import Max
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django_htmx.http import reswap, retarget

from helpdesk.errors import DomainError, InvalidInput, NotFound
from helpdesk.models import OutboxEvent


def error_response(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    """The message in the page's `#flash` region (HTMX) or on an error page."""
    context = {"message": message, "status": status}
    if not request.htmx:
        return render(request, "components/error.html", context, status=status)
    response = render(request, "components/error.html#flash-message", context, status=status)
    return reswap(retarget(response, "#flash"), "innerHTML")


def bad_query(request: HttpRequest, form: Form) -> HttpResponse:
    """A 400 naming what is wrong with the query string."""
    problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
    return error_response(request, f"That address has a bad parameter ({problems})", status=400)


def domain_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """NotFound becomes a 404, any other refusal of the domain a 422, each with its message."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
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


def latest_event_id() -> int:
    """Every change records an outbox event, so the newest event id versions the whole workspace."""
    return OutboxEvent.objects.aggregate(latest=Max("pk"))["latest"] or 0


def live_version(request: HttpRequest) -> dict:
    """Context processor: the version a freshly rendered page starts polling from (read only if used)."""
    return {"live_version": SimpleLazyObject(latest_event_id)}
