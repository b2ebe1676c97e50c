import dataclasses
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.models import F

from helpdesk import outbox
from helpdesk.celery import app
from helpdesk.models import OutboxEvent
from inbox.events import ConversationClosed, CustomerMessageReceived
from inbox.models import Team
from tests.worker import broker_unreachable


def create_team_handler(event: OutboxEvent) -> None:
    Team.objects.create(name=f"made by event {event.pk}")


def failing_handler(event: OutboxEvent) -> None:
    Team.objects.create(name="half-written")
    raise RuntimeError("downstream refused")


def make_event(handler: str) -> OutboxEvent:
    return OutboxEvent.objects.create(kind="TestEvent", handler=handler)


def test_record_enqueues_follow_up_only_after_commit(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            outbox.record(CustomerMessageReceived(conversation_id=1, part_id=2))
            assert callbacks == []
    event = OutboxEvent.objects.get(handler="tickets.handlers.resume_waiting_tickets")
    assert (event.kind, event.payload, event.done_at) == (
        "CustomerMessageReceived",
        {"conversation_id": 1, "part_id": 2},
        None,
    )
    assert [callback.args[0] for callback in callbacks] == [sorted(row.pk for row in OutboxEvent.objects.all())]


def test_record_writes_one_row_per_handler(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outbox.record(CustomerMessageReceived(conversation_id=1, part_id=2))

    rows = OutboxEvent.objects.order_by("handler")
    assert [row.handler for row in rows] == [
        "helpdesk.live.publish",
        "inbox.webhooks.queue_conversation_webhooks",
        "tickets.handlers.resume_waiting_tickets",
        "tickets.notify.notify_customer_replied",
        "workflows.handlers.run_workflows",
    ]
    assert [callback.args[0] for callback in callbacks] == [sorted(row.pk for row in rows)]  # one task for all


def test_handlers_subscribe_themselves_to_the_events_they_follow_up():
    """The publishers (inbox, tickets) name no handler; each app's handlers module subscribes when it is ready."""
    assert outbox.subscribers(CustomerMessageReceived) == (
        "helpdesk.live.publish",
        "inbox.webhooks.queue_conversation_webhooks",
        "tickets.handlers.resume_waiting_tickets",
        "tickets.notify.notify_customer_replied",
        "workflows.handlers.run_workflows",
    )
    assert outbox.subscribers(ConversationClosed) == (
        "helpdesk.live.publish",
        "inbox.webhooks.queue_conversation_webhooks",
    )


def test_subscribe_registers_a_handler_once_for_each_event_class():
    @dataclasses.dataclass(frozen=True, kw_only=True)
    class SomethingHappened(outbox.Event):
        pass

    def follow_up(event):
        pass

    outbox.subscribe(SomethingHappened)(follow_up)
    outbox.subscribe(SomethingHappened)(follow_up)

    assert outbox.subscribers(SomethingHappened) == (f"{__name__}.{follow_up.__qualname__}",)


@dataclasses.dataclass(frozen=True, kw_only=True)
class NothingFollowsUp(outbox.Event):
    pass


def test_record_marks_events_without_follow_up_done(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outbox.record(NothingFollowsUp())
    assert callbacks == []
    assert OutboxEvent.objects.get().done_at is not None


def test_apply_event_runs_handler_once(db):
    event = make_event("tests.helpdesk.test_outbox.create_team_handler")
    assert outbox.apply_event(event.pk) is True
    assert outbox.apply_event(event.pk) is False
    assert Team.objects.filter(name=f"made by event {event.pk}").count() == 1
    event.refresh_from_db()
    assert event.done_at is not None and event.attempts == 1


def test_apply_event_failure_rolls_back_and_records_error(db):
    event = make_event("tests.helpdesk.test_outbox.failing_handler")
    with pytest.raises(RuntimeError):
        outbox.apply_event(event.pk)
    event.refresh_from_db()
    assert not Team.objects.filter(name="half-written").exists()
    assert (event.done_at, event.attempts, event.last_error) == (None, 1, "RuntimeError: downstream refused")


def test_apply_events_applies_the_others_when_one_fails_and_raises_its_error_after(db):
    made = [make_event("tests.helpdesk.test_outbox.create_team_handler") for _ in range(2)]
    failing = make_event("tests.helpdesk.test_outbox.failing_handler")

    with pytest.raises(RuntimeError):
        outbox.apply_events([made[0].pk, failing.pk, made[1].pk])

    assert Team.objects.filter(name__startswith="made by event").count() == 2
    assert not Team.objects.filter(name="half-written").exists()
    assert set(OutboxEvent.objects.filter(done_at__isnull=True).values_list("pk", "attempts")) == {(failing.pk, 1)}
    assert outbox.apply_events([event.pk for event in made]) == []  # applied once, not twice


batches_seen: list[list[int]] = []


@dataclasses.dataclass(frozen=True, kw_only=True)
class FollowedUpInBatches(outbox.Event):
    pass


@outbox.subscribe(FollowedUpInBatches, batch=True)
def batch_handler(events: list[OutboxEvent]) -> None:
    batches_seen.append([event.pk for event in events])


def test_a_batch_handler_gets_all_its_events_of_a_transaction_in_one_call(db):
    events = [make_event(f"{__name__}.batch_handler") for _ in range(3)]
    single = make_event("tests.helpdesk.test_outbox.create_team_handler")
    batches_seen.clear()

    assert outbox.apply_events([single.pk, *(event.pk for event in events)]) == sorted([single.pk, *batches_seen[0]])

    assert batches_seen == [[event.pk for event in events]]


@dataclasses.dataclass(frozen=True, kw_only=True)
class ChainedFollowUp(outbox.Event):
    step: int


@outbox.subscribe(ChainedFollowUp)
def chain_handler(event: OutboxEvent) -> None:
    """Records the next step, up to step 8; step 3 fails, after recording its follow-up (rolled back with it)."""
    step = event.payload["step"]
    Team.objects.create(name=f"step {step}")
    if step < 8:
        outbox.record(ChainedFollowUp(step=step + 1))
    if step == 3:
        raise RuntimeError("step 3 refused")


def test_a_dispatch_applies_the_events_its_handlers_record_without_a_task_each(db, monkeypatch):
    enqueued = []
    monkeypatch.setattr(outbox, "enqueue", lambda event_ids: enqueued.append(event_ids) or True)
    outbox.record(ChainedFollowUp(step=4))  # under the test's transaction: its own enqueue never runs
    first_id = OutboxEvent.objects.get(kind="ChainedFollowUp").pk

    applied = outbox.apply_with_follow_ups([first_id])

    assert set(Team.objects.values_list("name", flat=True)) == {f"step {n}" for n in range(4, 9)}
    assert len(applied) == 5 and enqueued == []  # steps 4 to 8: all applied here, in rounds


def test_a_chain_longer_than_the_rounds_continues_as_a_task(db, monkeypatch):
    enqueued = []
    monkeypatch.setattr(outbox, "enqueue", lambda event_ids: enqueued.append(event_ids) or True)
    monkeypatch.setattr(outbox, "FOLLOW_UP_ROUNDS", 2)
    outbox.record(ChainedFollowUp(step=5))

    outbox.apply_with_follow_ups([OutboxEvent.objects.get(kind="ChainedFollowUp").pk])

    assert sorted(Team.objects.values_list("name", flat=True)) == ["step 5", "step 6"]
    pending = list(OutboxEvent.objects.filter(done_at__isnull=True).values_list("pk", flat=True))
    assert enqueued == [pending] and len(pending) == 1  # step 7, sent to the broker


def test_a_failed_round_enqueues_the_follow_ups_of_the_handlers_that_succeeded(db, monkeypatch):
    enqueued = []
    monkeypatch.setattr(outbox, "enqueue", lambda event_ids: enqueued.append(event_ids) or True)
    outbox.record(ChainedFollowUp(step=3), ChainedFollowUp(step=7))
    ids = list(OutboxEvent.objects.filter(kind="ChainedFollowUp").order_by("pk").values_list("pk", flat=True))

    with pytest.raises(RuntimeError, match="step 3 refused"):
        outbox.apply_with_follow_ups(ids)

    assert sorted(Team.objects.values_list("name", flat=True)) == ["step 7"]  # step 3 rolled back
    step_8 = OutboxEvent.objects.get(kind="ChainedFollowUp", payload__step=8)
    assert step_8.done_at is None and len(enqueued) == 1 and step_8.pk in enqueued[0]
    assert OutboxEvent.objects.get(pk=ids[0]).attempts == 1  # step 3 stays pending, its attempt counted


def test_a_task_applies_other_pending_events_with_its_own_but_not_those_that_failed(db):
    own = make_event("tests.helpdesk.test_outbox.create_team_handler")
    others = [make_event("tests.helpdesk.test_outbox.create_team_handler") for _ in range(3)]
    failed_before = make_event("tests.helpdesk.test_outbox.create_team_handler")
    OutboxEvent.objects.filter(pk=failed_before.pk).update(attempts=1)

    assert outbox.apply_events([own.pk], others=2) == sorted([own.pk, others[0].pk, others[1].pk])  # oldest first

    assert outbox.apply_events([own.pk], others=100) == [others[2].pk]
    assert list(OutboxEvent.objects.filter(done_at__isnull=True).values_list("pk", flat=True)) == [failed_before.pk]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_events_another_task_is_applying_are_left_to_it(monkeypatch):
    """Two workers: what one has locked, the other neither waits for nor applies again."""
    import threading

    held = make_event("tests.helpdesk.test_outbox.create_team_handler")
    free = make_event("tests.helpdesk.test_outbox.create_team_handler")
    locked, release = threading.Event(), threading.Event()

    def other_worker() -> None:
        with transaction.atomic():
            OutboxEvent.objects.select_for_update().get(pk=held.pk)
            locked.set()
            release.wait(10)
        connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert locked.wait(10)
        assert outbox.apply_events([], others=10) == [free.pk]
    finally:
        release.set()
        thread.join()
    assert OutboxEvent.objects.get(pk=held.pk).done_at is None


def test_pending_event_ids_waits_for_the_sweep_delay(db, settings):
    settings.OUTBOX_SWEEP_AFTER = timedelta(minutes=5)
    event = make_event("tests.helpdesk.test_outbox.create_team_handler")
    assert outbox.pending_event_ids() == []
    assert outbox.pending_event_ids(older_than=timedelta(0)) == [event.pk]


def test_pending_event_ids_skips_done_events(db):
    event = make_event("tests.helpdesk.test_outbox.create_team_handler")
    outbox.apply_event(event.pk)
    assert outbox.pending_event_ids(older_than=timedelta(0)) == []


def test_enqueue_with_broker_down_keeps_event_pending(db):
    event = make_event("tests.helpdesk.test_outbox.create_team_handler")
    with broker_unreachable():
        assert outbox.enqueue([event.pk]) is False
    event.refresh_from_db()
    assert event.done_at is None


def test_beat_schedule_names_registered_tasks(settings):
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


def test_enqueue_skips_an_event_already_applied(db, caplog):
    event = make_event("tests.helpdesk.test_outbox.create_team_handler")
    outbox.apply_event(event.pk)

    with broker_unreachable():  # a send would fail and log a warning; nothing is sent at all
        assert outbox.enqueue([event.pk]) is False

    assert "Could not enqueue" not in caplog.text


def test_sweep_stops_at_the_first_failed_enqueue(db, settings, monkeypatch):
    """While the broker is down each attempt waits for its timeout: one failure ends the sweep."""
    from helpdesk.tasks import sweep_outbox

    settings.OUTBOX_SWEEP_AFTER = timedelta(0)
    for _ in range(3):
        make_event("tests.helpdesk.test_outbox.create_team_handler")
    attempts = []
    monkeypatch.setattr("helpdesk.tasks.SWEEP_BATCH", 1)
    monkeypatch.setattr(outbox, "enqueue", lambda event_ids: attempts.append(event_ids) and False)
    assert sweep_outbox() == 0
    assert len(attempts) == 1
    assert not OutboxEvent.objects.filter(swept_at__isnull=False).exists()


def test_sweep_waits_before_enqueueing_the_same_event_again(db, settings, monkeypatch):
    """A backlog in the broker must not grow by a copy of every pending event at each sweep."""
    from helpdesk.tasks import sweep_outbox

    event = make_event("tests.helpdesk.test_outbox.create_team_handler")
    monkeypatch.setattr(outbox, "enqueue", lambda event_ids: True)
    settings.OUTBOX_SWEEP_AFTER = timedelta(0)
    assert sweep_outbox() == 1
    settings.OUTBOX_SWEEP_AFTER = timedelta(minutes=5)
    OutboxEvent.objects.filter(pk=event.pk).update(created_at=F("created_at") - timedelta(minutes=10))
    assert outbox.pending_event_ids() == []  # swept a moment ago
    OutboxEvent.objects.filter(pk=event.pk).update(swept_at=F("swept_at") - timedelta(minutes=6))
    assert outbox.pending_event_ids() == [event.pk]
