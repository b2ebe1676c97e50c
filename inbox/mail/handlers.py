"""What the outbox does with the email channel's events (helpdesk/outbox.py), and the replies it sends by email."""

from helpdesk.models import OutboxEvent
from helpdesk.outbox import subscribe
from inbox import events
from inbox.mail import actions
from inbox.models import Channel, OutboundKind, Part


@subscribe(events.InboundEmailReceived)
def read_inbound_email(row: OutboxEvent) -> None:
    actions.process_inbound_email(inbound_email_id=row.payload["inbound_email_id"])


@subscribe(events.EmailQueued)
def send_email(row: OutboxEvent) -> None:
    actions.deliver_email(outbound_email_id=row.payload["outbound_email_id"])


@subscribe(events.ReplyPosted)
def email_reply(row: OutboxEvent) -> None:
    """A reply in an email conversation goes to the customer by email, threaded to their mail."""
    part = Part.objects.select_related("conversation__contact", "conversation__team").get(pk=row.payload["part_id"])
    conversation = part.conversation
    if conversation.channel != Channel.EMAIL:
        return
    subject = conversation.subject or f"Your conversation #{conversation.pk}"
    actions.queue_email(
        key=f"reply:{part.pk}",
        kind=OutboundKind.REPLY,
        contact=conversation.contact,
        conversation=conversation,
        part=part,
        subject=subject if subject.lower().startswith("re:") else f"Re: {subject}",
        body=part.body,
    )
