"""Running workflows. Every step goes through the same domain actions a teammate uses, as the system."""

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from helpdesk.outbox import record
from inbox import actions as inbox_actions
from inbox.models import Conversation
from tickets import actions as ticket_actions
from workflows import events
from workflows.models import (
    ActionKind,
    ConditionField,
    Match,
    Operator,
    RunStatus,
    Workflow,
    WorkflowAction,
    WorkflowRun,
)
from workflows.models import WorkflowCondition as Condition
from workflows.selectors import Facts, get_conversation_facts, waiting

logger = logging.getLogger(__name__)


def run_workflow(*, workflow: Workflow, facts: Facts, trigger_key: str) -> WorkflowRun | None:
    """Evaluate one workflow for one triggering event and run its actions in order. Never twice for one key:
    returns None when a run for (workflow, trigger_key) exists. A failing action is recorded with its error
    and stops the run; what the earlier actions did stays, and so does the triggering message.

    The run row, its outcome and the actions' effects commit together (in the caller's transaction: the
    outbox's, for `workflows.handlers.run_workflows`), so a worker dying mid-run leaves no trace to block the
    retry."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                run = WorkflowRun.objects.create(
                    workflow=workflow,
                    trigger_key=trigger_key,
                    conversation=facts.conversation,
                    status=RunStatus.PENDING,
                )
        except IntegrityError:
            return None  # already run for this trigger (a redelivered task, a second sweep)
        return perform_run(run, workflow=workflow, facts=facts)


def record_timed_run(*, workflow: Workflow, conversation_id: int, trigger_key: str) -> WorkflowRun | None:
    """A timed workflow is due on a conversation: record its pending run and the outbox event that applies it
    (`apply_timed_run`), in one transaction. Never twice for one key: returns None when a run exists.

    The unique run key makes the record once, whatever the number of beats or workers; the outbox makes the
    apply once: a worker killed mid-run rolls the run back to pending and the sweep delivers it again."""
    try:
        with transaction.atomic():
            run = WorkflowRun.objects.create(
                workflow=workflow, trigger_key=trigger_key, conversation_id=conversation_id, status=RunStatus.PENDING
            )
            record(events.TimedWorkflowDue(run_id=run.pk, workflow_id=workflow.pk, conversation_id=conversation_id))
    except IntegrityError:
        return None  # recorded by an earlier (or a concurrent) beat
    return run


def apply_timed_run(*, run_id: int) -> WorkflowRun | None:
    """Run a pending timed run recorded by `record_timed_run`. Called by the outbox inside the transaction that
    marks its event done, so the outcome and the actions' effects commit with it or not at all. Returns None
    when the run is gone (its workflow deleted) or no longer pending."""
    with transaction.atomic():
        run = (
            WorkflowRun.objects.select_for_update(of=("self",))
            .select_related("workflow")
            .filter(pk=run_id, status=RunStatus.PENDING)
            .first()
        )
        if run is None:
            return None
        reason = skip_reason(run)
        if reason or run.conversation_id is None:
            run.status, run.error = RunStatus.SKIPPED, reason
            run.save(update_fields=["status", "error"])
            return run
        facts = get_conversation_facts(conversation_id=run.conversation_id)
        return perform_run(run, workflow=run.workflow, facts=facts)


def skip_reason(run: WorkflowRun) -> str:
    """Why a timed run recorded earlier no longer applies ("" if it does). The conversation is locked and read again:
    a teammate who took or answered it since the run was recorded (the run may wait in the queue, or for the sweep)
    is not overruled by the workflow."""
    if run.conversation_id is None:
        return "The conversation was deleted before the run."
    if not run.workflow.enabled:
        return "The workflow was disabled before the run."
    still_due = waiting(run.workflow, run.created_at)
    if not Conversation.objects.select_for_update().filter(still_due, pk=run.conversation_id).exists():
        return "The conversation no longer waited when the run came: it was taken, answered or closed."
    return ""


def perform_run(run: WorkflowRun, *, workflow: Workflow, facts: Facts) -> WorkflowRun:
    """Evaluate the conditions and apply the actions of a run the caller has created or locked, in its
    transaction; each action in a savepoint of its own, so a failing one undoes only itself."""
    if not conditions_hold(workflow, facts):
        run.status = RunStatus.SKIPPED
        run.save(update_fields=["status"])
        return run
    run.status = RunStatus.SUCCEEDED
    for action in workflow.actions.all():
        try:
            with transaction.atomic():
                apply_action(action, conversation_id=facts.conversation.pk)
        except Exception as error:  # any failure of one step: recorded on the run, shown in the admin
            logger.warning("Workflow %s: action %s failed", workflow, action, exc_info=True)
            run.status, run.error = RunStatus.FAILED, f"{action}: {getattr(error, 'message', error)}"
            run.log.append({"action": action.kind, "ok": False})
            break
        run.log.append({"action": action.kind, "ok": True})
    run.save(update_fields=["status", "error", "log"])
    return run


def conditions_hold(workflow: Workflow, facts: Facts) -> bool:
    results = [condition_holds(condition, facts) for condition in workflow.conditions.all()]
    if not results:
        return True
    return all(results) if workflow.match == Match.ALL else any(results)


def condition_holds(condition: Condition, facts: Facts) -> bool:
    conversation, ticket = facts.conversation, facts.ticket
    match condition.field:
        case ConditionField.MESSAGE_TEXT:
            return compare_text(condition, facts.message_text)
        case ConditionField.CONTACT_ATTRIBUTE:
            value = conversation.contact.attributes.get(condition.attribute_key)
            return compare_text(condition, "" if value is None else str(value))
        case ConditionField.CONVERSATION_TEAM:
            return compare_id(condition, conversation.team_id, condition.team_id)
        case ConditionField.CONVERSATION_ASSIGNEE:
            return compare_id(condition, conversation.assignee_id, condition.teammate_id)
        case ConditionField.TICKET_TYPE:
            return compare_id(condition, ticket.ticket_type_id if ticket else None, condition.ticket_type_id)
        case ConditionField.TICKET_STATE:
            return compare_id(condition, ticket.state_id if ticket else None, condition.ticket_state_id)
    return False


def compare_text(condition: Condition, actual: str) -> bool:
    actual, expected = actual.casefold(), condition.value.casefold()
    return {
        Operator.CONTAINS: expected in actual,
        Operator.EQUALS: actual == expected,
        Operator.NOT_EQUALS: actual != expected,
        Operator.IS_EMPTY: actual == "",
    }[Operator(condition.operator)]


def compare_id(condition: Condition, actual: int | None, expected: int | None) -> bool:
    return {
        Operator.CONTAINS: actual == expected,
        Operator.EQUALS: actual == expected,
        Operator.NOT_EQUALS: actual != expected,
        Operator.IS_EMPTY: actual is None,
    }[Operator(condition.operator)]


def apply_action(action: WorkflowAction, *, conversation_id: int) -> None:
    """One step, through the domain action a teammate would use (actor=None: the system)."""
    match action.kind:
        case ActionKind.SEND_TICKET_FORM:
            ticket_actions.send_ticket_form(
                actor=None,
                conversation_id=conversation_id,
                ticket_type_id=action.ticket_type_id or 0,  # none: the action refuses it, and the run says why
                team_id=action.team_id,
            )
        case ActionKind.ASSIGN:
            current = inbox_actions.lock_conversation(conversation_id)
            inbox_actions.assign_conversation(
                actor=None,
                conversation_id=conversation_id,
                assignee_id=action.teammate_id or current.assignee_id,
                team_id=action.team_id or current.team_id,
            )
        case ActionKind.ADD_NOTE:
            inbox_actions.post_note(actor=None, conversation_id=conversation_id, body=action.note)
        case ActionKind.SNOOZE:
            until = timezone.now() + timedelta(minutes=action.snooze_minutes or 0)
            inbox_actions.snooze_conversation(actor=None, conversation_id=conversation_id, until=until)
        case ActionKind.CLOSE:
            inbox_actions.close_conversation(actor=None, conversation_id=conversation_id)
        case ActionKind.CREATE_TICKET:
            ticket_actions.create_back_office_ticket(
                actor=None,
                ticket_type_id=action.ticket_type_id or 0,
                conversation_id=conversation_id,
                title=action.note,
                team_id=action.team_id,
                assignee_id=action.teammate_id,
            )
