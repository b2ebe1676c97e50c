"""The transactional outbox: how follow-up work survives broker outages and worker crashes.

An action calls `record(...)` inside its transaction. Each event becomes an `OutboxEvent` row in that
same transaction, one for each handler subscribed to its class (each applied once, independently of the
others). Handlers subscribe themselves (`@subscribe(EventClass, ...)` in their app's handlers module, which
the app imports when it is ready): a publisher never names another app's code. The rows are enqueued for
`dispatch_event` only after the commit, and `apply_event` runs the handler and marks the row done in one
transaction, so a task delivered twice applies once. Rows still pending after `OUTBOX_SWEEP_AFTER` are
re-enqueued by `sweep_outbox` (Celery beat), which covers an enqueue lost while the broker was down.
"""

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from helpdesk.models import OutboxEvent

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Event:
    """Base of domain events: frozen dataclasses named in the past tense, JSON-safe fields only."""

    @property
    def kind(self) -> str:
        return type(self).__name__


Handler = Callable[[OutboxEvent], None]
# Event kind -> the dotted paths of the handlers subscribed to it, in the order they subscribed. An outbox row
# keeps its handler's path, so a row written before a deploy is still applied by the code it named.
_subscribers: dict[str, list[str]] = defaultdict(list)


def subscribe(*event_classes: type[Event]) -> Callable[[Handler], Handler]:
    """Decorator: the handler follows up every event of these classes after commit, once each (its own row)."""

    def register(handler: Handler) -> Handler:
        path = f"{handler.__module__}.{handler.__qualname__}"
        for event_class in event_classes:
            if path not in _subscribers[event_class.__name__]:
                _subscribers[event_class.__name__].append(path)
        return handler

    return register


def subscribers(event_class: type[Event]) -> tuple[str, ...]:
    """The dotted paths of the handlers subscribed to an event class."""
    return tuple(_subscribers.get(event_class.__name__, ()))


def record(*events: Event) -> list[Event]:
    """Write the events as outbox rows in the caller's transaction: one row per handler, enqueued on commit;
    an event with no handler is one row, already done (the audit trail)."""
    now = timezone.now()
    rows = OutboxEvent.objects.bulk_create(
        OutboxEvent(
            kind=event.kind,
            payload=dataclasses.asdict(event),
            handler=handler,
            done_at=None if handler else now,
        )
        for event in events
        for handler in subscribers(type(event)) or ("",)
    )
    for row in rows:
        if row.handler:
            transaction.on_commit(partial(enqueue, row.pk))
    return list(events)


def enqueue(event_id: int) -> bool:
    """Send one pending event to the broker. A failure is logged, not raised: the sweep retries it.

    An event already applied by the time its transaction commits (seed_demo applies its own) is not sent.
    """
    from helpdesk.tasks import dispatch_event

    if not OutboxEvent.objects.filter(pk=event_id, done_at__isnull=True).exists():
        return False
    try:
        dispatch_event.delay(event_id)
    except Exception:  # any broker error: the committed row is the durable record
        logger.warning("Could not enqueue outbox event %s; the sweep will retry it.", event_id, exc_info=True)
        return False
    return True


def apply_event(event_id: int) -> bool:
    """Run one pending event's handler and mark it done, in one transaction. Returns False if already done.

    Locks the row with SKIP LOCKED, so a second delivery while the first runs returns at once.
    A handler's error rolls its work back, counts the attempt and is raised for Celery to retry.
    """
    try:
        with transaction.atomic():
            event = (
                OutboxEvent.objects.select_for_update(skip_locked=True)
                .filter(pk=event_id, done_at__isnull=True)
                .first()
            )
            if event is None:
                return False
            import_string(event.handler)(event)
            event.done_at = timezone.now()
            event.attempts += 1
            event.save(update_fields=["done_at", "attempts"])
            return True
    except Exception as error:
        OutboxEvent.objects.filter(pk=event_id, done_at__isnull=True).update(
            attempts=F("attempts") + 1, last_error=f"{type(error).__name__}: {error}"[:2000]
        )
        raise


def pending_event_ids(*, older_than: timedelta | None = None, limit: int = 1000) -> list[int]:
    """Ids of events whose follow-up has not been applied, oldest first."""
    cutoff = timezone.now() - (settings.OUTBOX_SWEEP_AFTER if older_than is None else older_than)
    return list(
        OutboxEvent.objects.filter(done_at__isnull=True, created_at__lte=cutoff)
        .filter(Q(swept_at__isnull=True) | Q(swept_at__lte=cutoff))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def mark_swept(event_ids: list[int]) -> None:
    """The sweep re-enqueued these: they wait OUTBOX_SWEEP_AFTER before the next copy."""
    OutboxEvent.objects.filter(pk__in=event_ids).update(swept_at=timezone.now())
