"""Reads of the email channel."""

from helpdesk.errors import NotFound
from inbox.models import InboundEmail


def get_raw_email(*, inbound_email_id: int) -> bytes:
    """A received message's bytes as they arrived. Raises NotFound."""
    raw = InboundEmail.objects.filter(pk=inbound_email_id).values_list("raw", flat=True).first()
    if raw is None:
        raise NotFound("That email does not exist.")
    return bytes(raw)
