"""Reads of the email channel."""

from dataclasses import dataclass

from helpdesk.errors import NotFound
from inbox.models import Contact, Conversation, InboundEmail, OutboundEmail, Part, PartKind


def check_conversation_email(*, conversation_id: int, outbound_email_id: int) -> None:
    """Raises NotFound unless the email was sent for this conversation."""
    if not OutboundEmail.objects.filter(pk=outbound_email_id, conversation_id=conversation_id).exists():
        raise NotFound("That conversation sent no such email.")


def get_raw_email(*, inbound_email_id: int) -> bytes:
    """A received message's bytes as they arrived. Raises NotFound."""
    raw = InboundEmail.objects.filter(pk=inbound_email_id).values_list("raw", flat=True).first()
    if raw is None:
        raise NotFound("That email does not exist.")
    return bytes(raw)


@dataclass(frozen=True, slots=True)
class CustomerReply:
    """A teammate's reply as its customer sees it in the messenger: who wrote it (the first name only, or nothing),
    its text, and its conversation's subject."""

    contact: Contact
    conversation: Conversation
    channel: str
    author_first_name: str
    body: str
    subject: str


def get_customer_reply(*, part_id: int) -> CustomerReply | None:
    """A reply part as its customer sees it; None for any other part (a note, an event, a cross-post) or one that
    does not exist. One query."""
    part = (
        Part.objects.filter(pk=part_id, kind=PartKind.REPLY).select_related("conversation__contact", "author").first()
    )
    if part is None:
        return None
    conversation = part.conversation
    return CustomerReply(
        contact=conversation.contact,
        conversation=conversation,
        channel=conversation.channel,
        author_first_name=part.author.first_name if part.author else "",
        body=part.body,
        subject=conversation.subject,
    )
