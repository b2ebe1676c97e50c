from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q

# The Django group of teammates who configure the help desk in the admin without being superusers; made, with its
# permissions, by migration helpdesk 0004.
ADMINS_GROUP = "Admins"


class OutboxEvent(models.Model):
    """A domain event, written in the same transaction as the change it describes.

    Events with a `handler` are follow-up work (a cross-post, an un-snooze) that a Celery task applies
    exactly once; they stay pending (`done_at` empty) until it has, and the sweep re-enqueues any
    that a broker outage or a killed worker left behind.
    """

    kind = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    handler = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    done_at = models.DateTimeField(null=True, blank=True)
    # When the sweep last re-enqueued it: the sweep waits OUTBOX_SWEEP_AFTER again before the next copy, so a
    # backlog in the broker is not multiplied by a copy of every pending event at each sweep.
    swept_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["created_at"], name="outbox_pending_idx", condition=Q(done_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class LiveTopic(models.Model):
    """Without Redis (the embedded default): the sequence number of the last publication of each live topic, which
    polling tabs compare with theirs (helpdesk/live.py). The row of topic "" counts the publications."""

    topic = models.CharField(max_length=100, primary_key=True)
    seq = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.topic or '(counter)'} @ {self.seq}"


class ApiScope(models.TextChoices):
    """What an API token may do, per resource family: reading, or reading and writing."""

    TICKETS_READ = "tickets:read", "Tickets and ticket types: read"
    TICKETS_WRITE = "tickets:write", "Tickets: create, note, change state, assign, share, link"
    CONVERSATIONS_READ = "conversations:read", "Conversations: read"
    CONVERSATIONS_WRITE = "conversations:write", "Conversations: reply, note, assign, snooze, close"
    CONTACTS_READ = "contacts:read", "Contacts: read"


class ApiToken(models.Model):
    """A key to the JSON API (helpdesk/api.py), acting as one teammate. Only its SHA-256 is stored: the key itself is
    shown once, when it is made (helpdesk/tokens.py)."""

    name = models.CharField(max_length=100, help_text="What it is for, e.g. “Billing console”.")
    teammate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text="The account it acts as: its notes and changes show this name.",
    )
    prefix = models.CharField(max_length=16, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(default=list)
    rate_limit = models.PositiveIntegerField(default=600, help_text="Requests per minute; more are answered 429.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The current rate-limit window: when it started and how many requests it has seen.
    window_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    window_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class IdempotencyKey(models.Model):
    """The first response to a POST sent with an `Idempotency-Key`, replayed for the same key for 24 hours
    (helpdesk/idempotency.py). `fingerprint` is the SHA-256 of the method, path and body it answered."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "key"], name="idempotency_key_once_per_token")]

    def __str__(self) -> str:
        return self.key


class WebhookTopic(models.TextChoices):
    """What an endpoint may subscribe to: a domain event of the tickets or the inbox, named as integrators know it."""

    TICKET_CREATED = "ticket.created", "Ticket created"
    TICKET_STATE_CHANGED = "ticket.state_changed", "Ticket state changed"
    TICKET_ASSIGNED = "ticket.assigned", "Ticket assigned"
    TICKET_NOTE_CREATED = "ticket.note_created", "Ticket note created"
    TICKET_SHARED = "ticket.shared", "Ticket shared with the customer"
    TICKET_ATTRIBUTES_CHANGED = "ticket.attributes_changed", "Ticket attributes changed"
    CONVERSATION_CREATED = "conversation.created", "Conversation created"
    CONVERSATION_CUSTOMER_REPLIED = "conversation.customer_replied", "Customer replied"
    CONVERSATION_REPLIED = "conversation.replied", "Teammate replied"
    CONVERSATION_NOTE_CREATED = "conversation.note_created", "Conversation note created"
    CONVERSATION_ASSIGNED = "conversation.assigned", "Conversation assigned"
    CONVERSATION_SNOOZED = "conversation.snoozed", "Conversation snoozed"
    CONVERSATION_CLOSED = "conversation.closed", "Conversation closed"
    CONVERSATION_REOPENED = "conversation.reopened", "Conversation reopened"


def new_webhook_secret() -> str:
    import secrets

    return "whsec_" + secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    """Where an integration hears about changes: the topics it wants, signed with its secret (helpdesk/webhooks.py).
    One failing for WEBHOOK_DISABLE_AFTER is disabled, with the reason, until an admin turns it on again."""

    name = models.CharField(max_length=100)
    url = models.URLField(
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="http or https; it receives a POST for each event.",
    )
    topics = models.JSONField(default=list)
    secret = models.CharField(max_length=100, default=new_webhook_secret, editable=False)
    active = models.BooleanField(default=True)
    # Since the first failed attempt after the last success (None: the last attempt succeeded).
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.CharField(max_length=300, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = "webhook endpoint"

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    """Where something sent out after the commit stands: an email to a customer, a webhook delivery."""

    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """One event for one endpoint: its body frozen when made, so every attempt and replay sends the same bytes
    with the same `delivery_id`, by which receivers dedupe. One per endpoint and outbox event (a handler applied
    twice makes no second delivery)."""

    delivery_id = models.UUIDField(unique=True, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(OutboxEvent, null=True, on_delete=models.SET_NULL, related_name="+")
    topic = models.CharField(max_length=64, choices=WebhookTopic)
    body = models.TextField()
    status = models.CharField(max_length=16, choices=DeliveryStatus, default=DeliveryStatus.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Taken for one attempt until then (helpdesk/webhooks.py): no other task sends it meanwhile; expired, it is free.
    leased_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_once_per_event"),
            models.CheckConstraint(name="webhook_status_valid", condition=Q(status__in=DeliveryStatus.values)),
            models.CheckConstraint(
                name="webhook_sent_iff_sent_at",
                condition=Q(status=DeliveryStatus.SENT, sent_at__isnull=False)
                | (~Q(status=DeliveryStatus.SENT) & Q(sent_at__isnull=True)),
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], name="webhook_retry_idx", condition=Q(status=DeliveryStatus.QUEUED)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic} to {self.endpoint_id}: {self.delivery_id}"


class NotificationKind(models.TextChoices):
    ASSIGNED = "assigned", "Assigned to you"
    MENTIONED = "mentioned", "Mentioned you"
    CUSTOMER_REPLIED = "customer_replied", "Customer replied"
    STATE_CHANGED = "state_changed", "Ticket state changed"
    TARGET_DUE = "target_due", "Response target due soon"
    TARGET_MISSED = "target_missed", "Response target missed"


class Notification(models.Model):
    """Something a teammate should know, shown under the bell (helpdesk/notify.py). Written by the outbox's handlers,
    once per cause (`key`, e.g. the outbox row that caused it) and recipient: a handler applied twice notifies once."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=NotificationKind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.CharField(max_length=300)
    excerpt = models.CharField(max_length=300, blank=True)
    url = models.CharField(max_length=300)
    key = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # When an email digest carried it (NotificationSettings.email_digest): a digest carries each one once.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_cause"),
            models.CheckConstraint(name="notification_kind_valid", condition=Q(kind__in=NotificationKind.values)),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_list_idx"),
            models.Index(fields=["recipient"], name="notification_unread_idx", condition=Q(read_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return self.text


class DigestFrequency(models.TextChoices):
    OFF = "off", "No email"
    HOURLY = "hourly", "Hourly"
    DAILY = "daily", "Daily"


class NotificationSettings(models.Model):
    """A teammate's choice of an email digest of the notifications they have not read (none unless they ask)."""

    teammate = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="notification_settings"
    )
    email_digest = models.CharField(max_length=10, choices=DigestFrequency, default=DigestFrequency.OFF)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "notification settings"

    def __str__(self) -> str:
        return f"{self.teammate}: {self.get_email_digest_display()}"
