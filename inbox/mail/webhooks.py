"""Mail from a provider's inbound webhook (django-anymail checks its signature, then sends the `inbound` signal): the
same pipeline as the local SMTP server."""

import logging
from typing import Any

from helpdesk.errors import InvalidInput
from inbox.mail.actions import receive_email

logger = logging.getLogger(__name__)


def receive_from_provider(sender: object, event: Any, esp_name: str, **kwargs: Any) -> None:
    message = event.message
    recipient = getattr(message, "envelope_recipient", None)
    try:
        receive_email(
            raw=message.as_bytes(),
            source=esp_name.lower()[:16],
            envelope_from=getattr(message, "envelope_sender", None) or "",
            envelope_to=[recipient] if recipient else [],
        )
    except InvalidInput as error:  # an empty message: nothing to keep
        logger.warning("Refused a message from %s's inbound webhook: %s", esp_name, error.message)
