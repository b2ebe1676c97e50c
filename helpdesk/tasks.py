from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from helpdesk import outbox


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=8)
def dispatch_events(event_ids: list[int]) -> int:
    """Apply outbox events (those one transaction wrote, and other pending ones up to OUTBOX_BATCH) exactly once in
    effect, and the events their handlers record; a second delivery is a no-op."""
    return len(outbox.apply_with_follow_ups(event_ids, others=settings.OUTBOX_BATCH))


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=8)
def dispatch_event(event_id: int) -> bool:
    """One event, as tasks were sent before events were batched: still in a broker's queue across the upgrade."""
    return outbox.apply_event(event_id)


SWEEP_BATCH = 50  # events per task the sweep sends


@shared_task
def sweep_outbox() -> int:
    """Re-enqueue events still pending after OUTBOX_SWEEP_AFTER (lost enqueue, killed worker). Returns the count.

    Stops at the first failed enqueue: while the broker is down each attempt takes its connection timeout,
    and trying the whole batch kept a sweep busy for minutes after the broker was back (bench/drills.py)."""
    enqueued: list[int] = []
    pending = outbox.pending_event_ids()
    for start in range(0, len(pending), SWEEP_BATCH):
        batch = pending[start : start + SWEEP_BATCH]
        if not outbox.enqueue(batch):
            break
        enqueued += batch
    outbox.mark_swept(enqueued)
    return len(enqueued)


@shared_task
def purge_idempotency_keys() -> int:
    """Delete the API's idempotency keys older than 24 hours (helpdesk/api_middleware.py). Returns the count."""
    from helpdesk.api_middleware import purge_expired_keys

    return purge_expired_keys()


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=8)
def send_webhook_delivery(delivery_pk: int) -> str:
    """One attempt of a webhook delivery, outside any transaction while it POSTs (helpdesk/webhooks.py); a copy of
    the task finds it taken, or sent, and does nothing. Returns the delivery's status."""
    from helpdesk.webhooks import deliver_webhook

    delivery = deliver_webhook(delivery_pk=delivery_pk)
    return delivery.status if delivery else "gone"


@shared_task
def retry_due_webhooks() -> int:
    """Queue again the webhook deliveries whose retry is due (helpdesk/webhooks.py). Returns the count."""
    from helpdesk.webhooks import retry_due_webhooks as retry

    return retry()


@shared_task
def send_notification_digests() -> int:
    from helpdesk.notify import send_digests

    return send_digests()
