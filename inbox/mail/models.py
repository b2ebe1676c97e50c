"""The email channel's models: each message received, stored raw, and each email sent to a customer (inbox.mail)."""

from django.db import models
from django.db.models import Q

from helpdesk.models import DeliveryStatus

# From their own modules: inbox.models imports these models too, to export them.
from inbox.models.conversations import Conversation, Part
from inbox.models.people import Contact


class InboundStatus(models.TextChoices):
    RECEIVED = "received", "Received"  # stored raw, waiting to be read
    DELIVERED = "delivered", "Delivered"  # a conversation's part
    IGNORED = "ignored", "Ignored"  # an auto-reply, a bounce, our own mail, a flood: never a conversation
    FAILED = "failed", "Failed"  # could not be read; kept, and can be retried from the admin


class InboundEmail(models.Model):
    """A message as it arrived (SMTP, a provider's webhook, IMAP), stored raw before anything reads it, so a message
    that cannot be read is never lost (inbox.mail.actions)."""

    raw = models.BinaryField()
    source = models.CharField(max_length=16)
    # Where the source can hand a message over twice (an IMAP mailbox: its UIDVALIDITY and UID), what makes it one.
    source_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    envelope_from = models.CharField(max_length=998, blank=True)
    envelope_to = models.JSONField(default=list, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    # Read from the headers when it is processed.
    sender = models.CharField(max_length=254, blank=True, db_index=True)
    subject = models.CharField(max_length=998, blank=True)
    message_id = models.CharField(max_length=998, blank=True)
    status = models.CharField(max_length=16, choices=InboundStatus, default=InboundStatus.RECEIVED)
    reason = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    part = models.OneToOneField(Part, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_email")

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.CheckConstraint(name="inbound_status_valid", condition=Q(status__in=InboundStatus.values))
        ]
        indexes = [models.Index(fields=["sender", "received_at"], name="inbound_sender_idx")]

    def __str__(self) -> str:
        return f"{self.sender or self.envelope_from or 'unknown sender'}: {self.subject or '(no subject)'}"


class OutboundKind(models.TextChoices):
    REPLY = "reply", "Reply"
    NOTIFICATION = "notification", "Notification"


class OutboundEmail(models.Model):
    """One email to a customer: written in the transaction that decided to send it, sent after the commit through the
    outbox, exactly once per `key` (inbox.mail.actions.queue_email)."""

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=16, choices=OutboundKind)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="emails")
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.CASCADE, related_name="emails"
    )
    part = models.OneToOneField(Part, null=True, blank=True, on_delete=models.CASCADE, related_name="outbound_email")
    to = models.CharField(max_length=254)
    from_name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=998)
    body = models.TextField()
    message_id = models.CharField(max_length=998, unique=True)
    in_reply_to = models.CharField(max_length=998, blank=True)
    references = models.TextField(blank=True)
    reply_to = models.CharField(max_length=254, blank=True)
    status = models.CharField(max_length=16, choices=DeliveryStatus, default=DeliveryStatus.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=1000, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(name="outbound_status_valid", condition=Q(status__in=DeliveryStatus.values)),
            models.CheckConstraint(name="outbound_kind_valid", condition=Q(kind__in=OutboundKind.values)),
            models.CheckConstraint(
                name="outbound_sent_iff_sent_at",
                condition=Q(status=DeliveryStatus.SENT, sent_at__isnull=False)
                | (~Q(status=DeliveryStatus.SENT) & Q(sent_at__isnull=True)),
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], name="outbound_retry_idx", condition=Q(status=DeliveryStatus.QUEUED)
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.to}: {self.subject}"
