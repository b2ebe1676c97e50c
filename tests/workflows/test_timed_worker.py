"""A timed workflow's run survives a real worker killed in the middle of it (issue 11, item 7): through Redis
and a real `celery worker` process, the run is retried after the restart and applied exactly once."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from helpdesk.tasks import sweep_outbox
from inbox.models import Conversation, Part, PartKind
from tests.factories import ConversationFactory, TeamFactory
from tests.worker import wait_for
from workflows.models import ActionKind, RunStatus, Trigger, Workflow, WorkflowAction, WorkflowRun
from workflows.tasks import run_timed_workflows

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

GATE_LOCK = 7_011_001  # an advisory lock key of this test's own
SLOW_NOTE = "Waited too long"


@contextmanager
def gate_on_note(body: str):
    """Inserting a part with this body waits, in the database, while this test holds an advisory lock: a
    worker applying the run stops inside it, at a point the test can see (pg_locks). Yields a function that
    returns the pid of the backend waiting at the gate, if any."""
    table = Part._meta.db_table
    quoted = body.replace("'", "''")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            CREATE FUNCTION test_note_gate() RETURNS trigger AS $$
            BEGIN
                IF NEW.body = '{quoted}' THEN
                    PERFORM pg_advisory_lock_shared({GATE_LOCK});
                    PERFORM pg_advisory_unlock_shared({GATE_LOCK});
                END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql
            """
        )
        cursor.execute(
            f"CREATE TRIGGER test_note_gate BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION test_note_gate()"
        )
        cursor.execute("SELECT pg_advisory_lock(%s)", [GATE_LOCK])

    def waiting_backend() -> int | None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = %s", [GATE_LOCK]
            )
            row = cursor.fetchone()
        return row[0] if row else None

    try:
        yield waiting_backend
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock_all()")
            cursor.execute(
                f"DROP TRIGGER IF EXISTS test_note_gate ON {table}; DROP FUNCTION IF EXISTS test_note_gate()"
            )


def backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is not None


def test_timed_run_killed_mid_run_is_applied_once_after_restart(worker, settings):
    team = TeamFactory(name="Escalations")
    flow = Workflow.objects.create(name="Escalate", trigger=Trigger.UNASSIGNED_FOR, wait_minutes=30)
    WorkflowAction.objects.create(workflow=flow, position=0, kind=ActionKind.ASSIGN, team=team)
    WorkflowAction.objects.create(workflow=flow, position=1, kind=ActionKind.ADD_NOTE, note=SLOW_NOTE)
    conversation = ConversationFactory()
    Conversation.objects.filter(pk=conversation.pk).update(created_at=timezone.now() - timedelta(hours=1))
    parts = Part.objects.filter(conversation=conversation)

    with gate_on_note(SLOW_NOTE) as waiting_backend:
        run_timed_workflows.delay()  # the beat's tick, handled by the worker
        backend = wait_for(waiting_backend)  # the worker is in the run: assigned, and writing the note
        worker.kill()
    # The gate is open: the killed worker's backend finishes its statement, finds its client gone and ends,
    # rolling back its transaction (until then it holds the rows the retry needs).
    wait_for(lambda: not backend_alive(backend))
    # Nothing of the killed run stayed but its record that it is due (before: a "skipped" run and the assignment).
    conversation.refresh_from_db()
    assert (conversation.team, parts.count()) == (None, 0)
    assert WorkflowRun.objects.get(workflow=flow).status == RunStatus.PENDING

    worker.start()
    settings.OUTBOX_SWEEP_AFTER = timedelta(0)
    sweep_outbox()  # what beat does every 30 s, without waiting for it
    assert run_timed_workflows() == 0  # nor does the next minute's tick record it again

    run = wait_for(lambda: WorkflowRun.objects.filter(workflow=flow, status=RunStatus.SUCCEEDED).first())
    conversation.refresh_from_db()
    assert conversation.team == team
    assert parts.filter(kind=PartKind.EVENT, event_type="assigned").count() == 1
    assert list(parts.filter(kind=PartKind.NOTE).values_list("body", flat=True)) == [SLOW_NOTE]
    assert list(WorkflowRun.objects.filter(workflow=flow).values_list("pk", flat=True)) == [run.pk]
