"""Timed workflows run exactly once: recorded once by the beat, applied once by the outbox, even when the
worker applying a run dies in the middle of it (issue 11, item 7)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from helpdesk.models import OutboxEvent
from inbox import actions as inbox_actions
from inbox.models import Conversation, Part, PartKind
from tests.factories import ConversationFactory, TeamFactory
from workflows.models import ActionKind, RunStatus, Trigger, Workflow, WorkflowAction, WorkflowRun
from workflows.tasks import run_timed_workflows

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """What a SIGKILL amounts to for a run: it stops where it is, past any `except Exception`."""


def timed_workflow(team) -> Workflow:
    flow = Workflow.objects.create(name="Escalate", trigger=Trigger.UNASSIGNED_FOR, wait_minutes=30)
    WorkflowAction.objects.create(workflow=flow, position=0, kind=ActionKind.ASSIGN, team=team)
    WorkflowAction.objects.create(workflow=flow, position=1, kind=ActionKind.ADD_NOTE, note="Waited too long")
    return flow


def waiting_conversation() -> Conversation:
    conversation = ConversationFactory()
    Conversation.objects.filter(pk=conversation.pk).update(created_at=timezone.now() - timedelta(hours=1))
    return conversation


def effects(conversation: Conversation) -> tuple:
    conversation.refresh_from_db()
    parts = Part.objects.filter(conversation=conversation)
    return (
        conversation.team,
        parts.filter(kind=PartKind.EVENT, event_type="assigned").count(),
        list(parts.filter(kind=PartKind.NOTE).values_list("body", flat=True)),
    )


def kill_at(monkeypatch, where: str) -> None:
    """Make the run die at `where`: in its first action, in its second (after the first applied), or after
    both, as its outcome is saved."""

    def die(*args, **kwargs):
        raise WorkerKilled

    if where == "first-action":
        monkeypatch.setattr(inbox_actions, "assign_conversation", die)
    elif where == "second-action":
        monkeypatch.setattr(inbox_actions, "post_note", die)
    else:
        save = WorkflowRun.save

        def save_or_die(run, *args, **kwargs):
            if kwargs.get("update_fields"):  # the outcome, not the row's creation
                die()
            return save(run, *args, **kwargs)

        monkeypatch.setattr(WorkflowRun, "save", save_or_die)


@pytest.mark.parametrize("where", ["first-action", "second-action", "outcome"])
def test_run_interrupted_mid_run_is_retried_and_applied_once(monkeypatch, apply_outbox, where):
    team = TeamFactory(name="Escalations")
    flow = timed_workflow(team)
    conversation = waiting_conversation()

    with monkeypatch.context() as patch:
        kill_at(patch, where)
        with pytest.raises(WorkerKilled):
            run_timed_workflows()  # the beat
            apply_outbox()  # the worker, killed in the middle of the run

    # Nothing of the killed run is left, except the durable record that it is due.
    assert effects(conversation) == (None, 0, [])
    assert not WorkflowRun.objects.exclude(status=RunStatus.PENDING).exists()

    # The next beat does not record it again; the outbox sweep delivers it again.
    assert run_timed_workflows() == 0
    apply_outbox()
    assert run_timed_workflows() == 0
    apply_outbox()

    assert effects(conversation) == (team, 1, ["Waited too long"])
    run = WorkflowRun.objects.get(workflow=flow)
    assert (run.status, run.conversation) == (RunStatus.SUCCEEDED, conversation)
    assert OutboxEvent.objects.get(kind="TimedWorkflowDue").done_at is not None


def test_beat_records_a_due_run_once_and_the_outbox_applies_it(apply_outbox):
    team = TeamFactory(name="Escalations")
    flow = timed_workflow(team)
    conversation = waiting_conversation()

    assert run_timed_workflows() == 1
    assert run_timed_workflows() == 0  # due, not applied yet: a second beat leaves it alone
    run = WorkflowRun.objects.get(workflow=flow)
    assert run.status == RunStatus.PENDING
    assert effects(conversation) == (None, 0, [])

    apply_outbox()

    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED
    assert effects(conversation) == (team, 1, ["Waited too long"])


def test_run_of_a_workflow_disabled_before_it_applies_is_skipped(apply_outbox):
    flow = timed_workflow(TeamFactory(name="Escalations"))
    conversation = waiting_conversation()
    assert run_timed_workflows() == 1

    Workflow.objects.filter(pk=flow.pk).update(enabled=False)
    apply_outbox()

    run = WorkflowRun.objects.get(workflow=flow)
    assert (run.status, run.error) == (RunStatus.SKIPPED, "The workflow was disabled before the run.")
    assert effects(conversation) == (None, 0, [])


@pytest.mark.parametrize("since", ["assigned", "closed"])
def test_a_run_applied_after_a_teammate_took_the_conversation_does_not_overrule_them(apply_outbox, teammate, since):
    team = TeamFactory(name="Escalations")
    flow = timed_workflow(team)
    conversation = waiting_conversation()
    run_timed_workflows()  # recorded; its worker is slow, or dead until the sweep
    if since == "assigned":
        inbox_actions.assign_conversation(
            actor=teammate, conversation_id=conversation.pk, assignee_id=teammate.pk, team_id=None
        )
    else:
        inbox_actions.close_conversation(actor=teammate, conversation_id=conversation.pk)

    apply_outbox()

    run = WorkflowRun.objects.get(workflow=flow)
    assert run.status == RunStatus.SKIPPED and "no longer waited" in run.error
    assert effects(conversation)[0] is None and effects(conversation)[2] == []  # no team, no note of the workflow
