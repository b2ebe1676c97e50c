"""What the outbox does with the email channel's events (helpdesk/outbox.py): the replies it sends by email, and the
notice of a messenger reply to a customer who is away."""

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from helpdesk.models import OutboxEvent
from helpdesk.outbox import subscribe
from inbox import events
from inbox.mail import actions, selectors
from inbox.mail.notifications import queue_notification
from inbox.models import Channel, Contact, OutboundKind, Part


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


def is_away(contact: Contact, *, now: datetime) -> bool:
    """No messenger page of the contact asked anything for MESSENGER_AWAY_AFTER (or ever)."""
    return contact.last_seen_at is None or contact.last_seen_at < now - settings.MESSENGER_AWAY_AFTER


@subscribe(events.ReplyPosted)
def email_reply_to_away_contact(row: OutboxEvent) -> None:
    """A teammate's reply in a messenger conversation is emailed to a contact who is away when the outbox applies the
    reply (seconds after it was posted): one who has a messenger page open sees it there. An email conversation gets
    the reply itself by email (`email_reply`), so nothing more here."""
    reply = selectors.get_customer_reply(part_id=row.payload["part_id"])
    if reply is None or reply.channel != Channel.MESSENGER or not is_away(reply.contact, now=timezone.now()):
        return
    who = reply.author_first_name or "The team"
    queue_notification(
        key=f"reply-notice:{row.payload['part_id']}",
        contact=reply.contact,
        conversation=reply.conversation,
        subject=f"{who} replied: {reply.subject}" if reply.subject else f"{who} replied to your message",
        template="emails/reply_notice.txt",
        context={"reply": reply},
        to=reverse("messenger:conversation", args=[reply.conversation.pk]),
    )
