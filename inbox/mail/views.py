"""Teammates' pages of the email channel."""

from django.http import HttpResponse
from django.views.decorators.http import require_safe

from helpdesk.http import TeammateRequest, domain_errors, teammate_required
from inbox.mail.selectors import get_raw_email


@require_safe
@teammate_required
@domain_errors
def raw_email(request: TeammateRequest, inbound_email_id: int) -> HttpResponse:
    """A received message as it arrived, as plain text (never rendered as HTML: it is the sender's markup)."""
    response = HttpResponse(get_raw_email(inbound_email_id=inbound_email_id), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="email-{inbound_email_id}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
