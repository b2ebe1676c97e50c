"""End to end through Redis and a real `celery worker` process (rule 11)."""

from datetime import timedelta

import pytest
from django.db import connection

from helpdesk.models import OutboxEvent
from helpdesk.tasks import dispatch_event, dispatch_events, sweep_outbox
from inbox.models import ConversationState, Part, PartKind
from tests.factories import ConversationFactory, TeammateFactory, TicketTypeFactory, state
from tests.worker import broker_unreachable, wait_for
from tickets import actions
from tickets.models import StateCategory

# serialized_rollback: the flush between transactional tests would drop the default ticket states.
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def back_office_ticket():
    front, back = TeammateFactory(), TeammateFactory()
    conversation = ConversationFactory(snoozed=True, assignee=front)
    return actions.create_back_office_ticket(
        actor=front,
        ticket_type_id=TicketTypeFactory().pk,
        conversation_id=conversation.pk,
        title="Refund order 1042",
        assignee_id=back.pk,
    )


def cross_posts(ticket):
    return Part.objects.filter(conversation_id=ticket.linked_conversation_id, kind=PartKind.CROSS_POST)


def test_worker_cross_posts_note_into_snoozed_conversation_and_unsnoozes(worker, back_office_ticket):
    actions.post_ticket_note(
        actor=back_office_ticket.assignee, ticket_id=back_office_ticket.pk, body="Refund approved", cross_post=True
    )
    part = wait_for(lambda: cross_posts(back_office_ticket).first())
    assert (part.body, part.data["ticket_id"]) == ("Refund approved", back_office_ticket.pk)
    conversation = back_office_ticket.linked_conversation
    conversation.refresh_from_db()
    assert conversation.state == ConversationState.OPEN
    assert conversation.parts.filter(event_type="unsnoozed").count() == 1


def test_worker_cross_posts_state_change(worker, back_office_ticket):
    actions.change_ticket_state(
        actor=back_office_ticket.assignee,
        ticket_id=back_office_ticket.pk,
        state_id=state(StateCategory.IN_PROGRESS).pk,
    )
    part = wait_for(
        lambda: Part.objects.filter(
            conversation_id=back_office_ticket.linked_conversation_id, event_type="ticket_state_changed"
        ).first()
    )
    assert part.body.startswith(f"Ticket #{back_office_ticket.pk} moved from Submitted to In progress")


def test_worker_applies_duplicated_deliveries_once(worker, back_office_ticket):
    actions.post_ticket_note(
        actor=back_office_ticket.assignee, ticket_id=back_office_ticket.pk, body="First", cross_post=True
    )
    event = OutboxEvent.objects.get(handler="tickets.handlers.cross_post_note")
    dispatch_events.delay([event.pk])
    dispatch_event.delay(event.pk)  # as a task sent before events were batched
    # The worker takes tasks in order, so once a later note is delivered, the duplicates have run.
    actions.post_ticket_note(
        actor=back_office_ticket.assignee, ticket_id=back_office_ticket.pk, body="Sentinel", cross_post=True
    )
    wait_for(lambda: cross_posts(back_office_ticket).filter(body="Sentinel").exists())
    assert cross_posts(back_office_ticket).filter(body="First").count() == 1


def test_sweep_delivers_cross_post_whose_enqueue_failed(worker, back_office_ticket, settings):
    with broker_unreachable():
        actions.post_ticket_note(
            actor=back_office_ticket.assignee, ticket_id=back_office_ticket.pk, body="Lost?", cross_post=True
        )
    event = OutboxEvent.objects.get(handler="tickets.handlers.cross_post_note")
    assert event.done_at is None and not cross_posts(back_office_ticket).exists()

    settings.OUTBOX_SWEEP_AFTER = timedelta(0)
    assert sweep_outbox() >= 1  # the worker may apply them as soon as the first is enqueued
    try:
        wait_for(lambda: cross_posts(back_office_ticket).filter(body="Lost?").exists())
    except AssertionError:
        outbox = list(OutboxEvent.objects.values_list("pk", "handler", "done_at", "attempts", "last_error"))
        log = worker.log_path.read_text()[-4000:]
        raise AssertionError(f"not delivered; outbox: {outbox}; worker log: {log}") from None
    event.refresh_from_db()
    assert event.done_at is not None


def test_task_enqueued_while_worker_is_dead_is_delivered_after_restart(worker, back_office_ticket):
    worker.kill()
    actions.post_ticket_note(
        actor=back_office_ticket.assignee, ticket_id=back_office_ticket.pk, body="Still there", cross_post=True
    )
    worker.start()
    assert wait_for(lambda: cross_posts(back_office_ticket).filter(body="Still there").exists())


def database_sessions() -> int:
    """Connections ever opened to this database (PostgreSQL counts each one as it ends, or now)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def test_worker_keeps_its_database_connection_between_tasks(worker, back_office_ticket):
    """A new PostgreSQL connection per task (Celery's default with Django) cost more than the task itself."""
    notes = 20
    worker.drain()
    before = database_sessions()
    for n in range(notes):
        actions.post_ticket_note(
            actor=back_office_ticket.assignee, ticket_id=back_office_ticket.pk, body=f"Note {n}", cross_post=True
        )
    wait_for(lambda: cross_posts(back_office_ticket).count() == notes)
    connection.close()  # this test's own connection, so that it is counted once it ends

    assert database_sessions() - before <= 4, "the worker opened a connection per task"
