from django.conf import settings
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
