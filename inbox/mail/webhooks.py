"""Mail from a provider's inbound webhook: django-anymail checks its signature and parses it, then sends the
`inbound` signal, which stores the message through the same pipeline as the local SMTP server."""

from typing import Any

from anymail.exceptions import AnymailError
from anymail.webhooks.mailgun import MailgunInboundWebhookView
from anymail.webhooks.postmark import PostmarkInboundWebhookView
from anymail.webhooks.sendgrid import SendGridInboundWebhookView
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from helpdesk.errors import InvalidInput
from inbox.mail.actions import receive_email

PROVIDERS = {
    "mailgun": MailgunInboundWebhookView.as_view(),
    "postmark": PostmarkInboundWebhookView.as_view(),
    "sendgrid": SendGridInboundWebhookView.as_view(),
}
# The ANYMAIL key that authenticates each provider's calls: without it its webhook does not exist (a 404), so that
# nobody can post mail in through a provider that is not set up.
CREDENTIALS = {"mailgun": "MAILGUN_WEBHOOK_SIGNING_KEY", "postmark": "WEBHOOK_SECRET", "sendgrid": "WEBHOOK_SECRET"}


def receive_from_provider(sender: object, event: Any, esp_name: str, **kwargs: Any) -> None:
    message = event.message
    recipient = getattr(message, "envelope_recipient", None)
    receive_email(  # an empty or oversized message raises InvalidInput: the webhook answers 400
        raw=message.as_bytes(),
        source=esp_name.lower()[:16],
        envelope_from=getattr(message, "envelope_sender", None) or "",
        envelope_to=[recipient] if recipient else [],
    )


def inbound_webhook(provider: str):  # noqa: ANN201
    view = PROVIDERS[provider]

    @csrf_exempt
    def receive(request: HttpRequest) -> HttpResponse:
        """The provider's view; a body it cannot parse is a 400 with the reason, not a 500."""
        if not settings.ANYMAIL.get(CREDENTIALS[provider]):
            raise Http404(f"No {provider} webhook is set up.")
        try:
            return view(request)
        except InvalidInput as error:
            return HttpResponseBadRequest(error.message, content_type="text/plain")
        except (AnymailError, ValueError, KeyError, TypeError) as error:
            return HttpResponseBadRequest(f"Not a {provider} inbound message: {error}"[:500], content_type="text/plain")

    return receive


app_name = "mail-webhooks"
urlpatterns = [path(f"{provider}/inbound/", inbound_webhook(provider), name=provider) for provider in PROVIDERS]
