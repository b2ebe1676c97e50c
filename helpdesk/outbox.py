"""The transactional outbox: how follow-up work survives broker outages and worker crashes.

An action calls `record(...)` inside its transaction. Each event becomes an `OutboxEvent` row in that
same transaction, one for each handler subscribed to its class (each applied once, independently of the
others). Handlers subscribe themselves (`@subscribe(EventClass, ...)` in their app's handlers module, which
the app imports when it is ready): a publisher never names another app's code. The rows a transaction wrote are
enqueued together for `dispatch_events` only after the commit, and `apply_events` runs their handlers and marks
them done in one transaction, so a task delivered twice applies once. Rows still pending after
`OUTBOX_SWEEP_AFTER` are re-enqueued by `sweep_outbox` (Celery beat), which covers an enqueue lost while the
broker was down.
"""

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Callable
from contextvars import ContextVar
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
BatchHandler = Callable[[list[OutboxEvent]], None]
# Event kind -> the dotted paths of the handlers subscribed to it, in the order they subscribed. An outbox row
# keeps its handler's path, so a row written before a deploy is still applied by the code it named.
_subscribers: dict[str, list[str]] = defaultdict(list)


def subscribe[H: (Handler, BatchHandler)](*event_classes: type[Event], batch: bool = False) -> Callable[[H], H]:
    """Decorator: the handler follows up every event of these classes after commit, once each (its own row). With
    `batch`, it is called once with all its rows that one transaction of the worker applies, oldest first."""

    def register(handler: H) -> H:
        path = f"{handler.__module__}.{handler.__qualname__}"
        for event_class in event_classes:
            if path not in _subscribers[event_class.__name__]:
                _subscribers[event_class.__name__].append(path)
        if batch:
            _batch_handlers.add(path)
        return handler

    return register


_batch_handlers: set[str] = set()


def subscribers(event_class: type[Event]) -> tuple[str, ...]:
    """The dotted paths of the handlers subscribed to an event class."""
    return tuple(_subscribers.get(event_class.__name__, ()))


def record(*events: Event) -> list[Event]:
    """Write the events as outbox rows in the caller's transaction: one row per handler, enqueued on commit;
    an event with no handler is one row, already done (the audit trail)."""
    record_rows(*events)
    return list(events)


def record_rows(*events: Event) -> list[OutboxEvent]:
    """`record`, returning the rows written: for an action that shows how one of their handlers is doing."""
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
    pending = [row.pk for row in rows if row.handler]
    follow_ups = _follow_ups.get()
    if follow_ups is not None:
        follow_ups += pending
    elif pending:
        transaction.on_commit(partial(enqueue, pending))
    return rows


# While `apply_with_follow_ups` runs handlers: the events they record, which it applies next instead of enqueuing.
_follow_ups: ContextVar[list[int] | None] = ContextVar("follow_ups", default=None)
FOLLOW_UP_ROUNDS = 5  # a chain of follow-ups longer than this continues as a task


def apply_with_follow_ups(event_ids: list[int], *, others: int = 0) -> list[int]:
    """Apply events (apply_events, with up to `others` other pending ones), then the events their handlers recorded,
    in this process, round after round: a cross-posted note's delivery and the delivery's live update cost one task,
    not a task each. Returns the ids applied. Follow-ups of a round that failed are enqueued before its error is
    raised; one that never ran (the process died) is left to the sweep, as an enqueue lost with the broker down is."""
    applied: list[int] = []
    for _ in range(FOLLOW_UP_ROUNDS):
        follow_ups: list[int] = []
        token = _follow_ups.set(follow_ups)
        try:
            applied += apply_events(event_ids, others=others)
        except Exception:
            if follow_ups:
                enqueue(follow_ups)
            raise
        finally:
            _follow_ups.reset(token)
        if not follow_ups:
            return applied
        event_ids = follow_ups
    enqueue(event_ids)
    return applied


def enqueue(event_ids: list[int]) -> bool:
    """Send pending events to the broker, as one task. A failure is logged, not raised: the sweep retries them.

    Events already applied by the time their transaction commits (seed_demo applies its own) are not sent.
    """
    from helpdesk.tasks import dispatch_events

    pending = list(OutboxEvent.objects.filter(pk__in=event_ids, done_at__isnull=True).values_list("pk", flat=True))
    if not pending:
        return False
    try:
        dispatch_events.delay(sorted(pending))
    except Exception:  # any broker error: the committed rows are the durable record
        logger.warning("Could not enqueue outbox events %s; the sweep will retry them.", pending, exc_info=True)
        return False
    return True


def apply_events(event_ids: list[int], *, others: int = 0) -> list[int]:
    """Run the handlers of these pending events, oldest first, and mark them done, in one transaction. Returns the
    ids applied; those already done, or being applied by someone else (locked: SKIP LOCKED), are left alone.

    With `others`, up to that many other pending events that never failed are applied too: under load, one task
    applies the events of many transactions (one publication, one commit for all), and their own tasks, when they
    come, find nothing left to do. An event that failed waits for its own retry or the sweep.

    Each handler runs in a savepoint: one that fails rolls its own work back, counts the attempt and stays pending,
    and its error is raised once the others are done and committed (for Celery to retry; the sweep retries too)."""
    failures: list[Exception] = []
    try:
        with transaction.atomic():
            pending = OutboxEvent.objects.select_for_update(skip_locked=True).filter(done_at__isnull=True)
            rows = list(pending.filter(pk__in=event_ids))
            if others:
                rows += pending.filter(attempts=0).exclude(pk__in=event_ids).order_by("pk")[:others]
            rows.sort(key=lambda row: row.pk)
            batches: dict[str, list[OutboxEvent]] = defaultdict(list)
            for row in rows:
                batches[row.handler if row.handler in _batch_handlers else f"{row.pk}"].append(row)
            applied: list[int] = []
            for batch in batches.values():
                try:
                    with transaction.atomic():
                        handler = import_string(batch[0].handler)
                        if batch[0].handler in _batch_handlers:
                            handler(batch)
                        else:
                            handler(batch[0])
                    applied += [row.pk for row in batch]
                except Exception as error:
                    failures.append(error)
                    count_attempts([row.pk for row in batch], error)
            OutboxEvent.objects.filter(pk__in=applied).update(done_at=timezone.now(), attempts=F("attempts") + 1)
    except Exception as error:  # the database itself failed: nothing was applied
        count_attempts(event_ids, error)
        raise
    if failures:
        raise failures[0]
    return sorted(applied)


def apply_event(event_id: int) -> bool:
    """Apply one pending event (apply_events). Returns False if it was already done."""
    return bool(apply_events([event_id]))


def count_attempts(event_ids: list[int], error: Exception) -> None:
    OutboxEvent.objects.filter(pk__in=event_ids, done_at__isnull=True).update(
        attempts=F("attempts") + 1, last_error=f"{type(error).__name__}: {error}"[:2000]
    )


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
