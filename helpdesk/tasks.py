from celery import shared_task
from django.db import OperationalError

from helpdesk import outbox


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=8)
def dispatch_event(event_id: int) -> bool:
    """Apply one outbox event exactly once in effect; a second delivery is a no-op."""
    return outbox.apply_event(event_id)


@shared_task
def sweep_outbox() -> int:
    """Re-enqueue events still pending after OUTBOX_SWEEP_AFTER (lost enqueue, killed worker). Returns the count.

    Stops at the first failed enqueue: while the broker is down each attempt takes its connection timeout,
    and trying the whole batch kept a sweep busy for minutes after the broker was back (bench/drills.py)."""
    enqueued = []
    for event_id in outbox.pending_event_ids():
        if not outbox.enqueue(event_id):
            break
        enqueued.append(event_id)
    outbox.mark_swept(enqueued)
    return len(enqueued)
