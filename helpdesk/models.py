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
