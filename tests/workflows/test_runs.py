"""Workflows: each trigger, condition and action, and never twice for one triggering event."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from helpdesk.models import OutboxEvent
from inbox import actions as inbox_actions
from inbox.models import Conversation, ConversationState, Part, PartKind
from tests.factories import (
    BackOfficeTicketFactory,
    ContactFactory,
    ConversationFactory,
    TeamFactory,
    TeammateFactory,
    TicketTypeFactory,
    state,
)
from tickets import actions as ticket_actions
from tickets import rules
from tickets.models import StateCategory, Ticket, TicketFormRequest
from workflows.actions import run_workflow
from workflows.models import (
    ActionKind,
    ConditionField,
    Match,
    Operator,
    RunStatus,
    Trigger,
    Workflow,
    WorkflowAction,
    WorkflowCondition,
    WorkflowRun,
)
from workflows.selectors import Facts
from workflows.tasks import run_timed_workflows

pytestmark = pytest.mark.django_db


def workflow(trigger=Trigger.CONVERSATION_STARTED, *, conditions=(), actions=(), **fields) -> Workflow:
    flow = Workflow.objects.create(name=f"Flow {Workflow.objects.count()}", trigger=trigger, **fields)
    for condition in conditions:
        WorkflowCondition.objects.create(workflow=flow, **condition)
    for position, action in enumerate(actions):
        WorkflowAction.objects.create(workflow=flow, position=position, **action)
    return flow


NOTE = {"kind": ActionKind.ADD_NOTE, "note": "Workflow was here"}


def notes(conversation: Conversation) -> list[str]:
    return list(conversation.parts.filter(kind=PartKind.NOTE).values_list("body", flat=True))


def start(body="I want a refund for order 42", contact=None) -> Conversation:
    return inbox_actions.start_conversation(contact_id=(contact or ContactFactory()).pk, body=body)


# Triggers (through the outbox, as the worker would apply them)


def test_trigger_conversation_started(apply_outbox):
    workflow(Trigger.CONVERSATION_STARTED, actions=[NOTE])

    conversation = start()
    apply_outbox()

    assert notes(conversation) == ["Workflow was here"]


def test_trigger_customer_replied_not_on_the_first_message(apply_outbox):
    workflow(Trigger.CUSTOMER_REPLIED, actions=[NOTE])
    conversation = start()
    apply_outbox()
    assert notes(conversation) == []

    inbox_actions.record_customer_message(conversation_id=conversation.pk, body="Any news?")
    apply_outbox()

    assert notes(conversation) == ["Workflow was here"]


def test_trigger_back_office_ticket_state_changed(teammate, conversation, apply_outbox):
    workflow(Trigger.TICKET_STATE_CHANGED, actions=[NOTE])
    ticket = BackOfficeTicketFactory(actor=teammate, conversation=conversation)

    ticket_actions.change_ticket_state(
        actor=teammate, ticket_id=ticket.pk, state_id=state(StateCategory.IN_PROGRESS).pk
    )
    apply_outbox()

    assert notes(conversation) == ["Workflow was here"]


def test_trigger_unassigned_for_a_time(apply_outbox):
    workflow(Trigger.UNASSIGNED_FOR, wait_minutes=30, actions=[{"kind": ActionKind.ASSIGN, "team": TeamFactory()}])
    late, recent, assigned = (
        ConversationFactory(),
        ConversationFactory(),
        ConversationFactory(assignee=TeammateFactory()),
    )
    Conversation.objects.filter(pk__in=[late.pk, assigned.pk]).update(created_at=timezone.now() - timedelta(hours=1))

    assert run_timed_workflows() == 1
    apply_outbox()

    late.refresh_from_db(), recent.refresh_from_db()
    assert late.team is not None and recent.team is None


def test_trigger_unanswered_for_a_time_runs_once_per_wait(apply_outbox):
    workflow(Trigger.UNANSWERED_FOR, wait_minutes=10, actions=[NOTE])
    conversation = ConversationFactory(waiting_since=timezone.now() - timedelta(minutes=20))

    assert run_timed_workflows() == 1
    assert run_timed_workflows() == 0  # recorded, not yet applied: not recorded again
    apply_outbox()
    assert run_timed_workflows() == 0
    assert notes(conversation) == ["Workflow was here"]


def test_timed_trigger_needs_its_wait():
    with pytest.raises(ValidationError):
        Workflow(name="No wait", trigger=Trigger.UNASSIGNED_FOR).full_clean()


# Conditions


@pytest.mark.parametrize(
    ("operator", "value", "holds"),
    [(Operator.CONTAINS, "REFUND", True), (Operator.CONTAINS, "invoice", False), (Operator.EQUALS, "refund", False)],
)
def test_condition_message_text(operator, value, holds, apply_outbox):
    workflow(conditions=[{"field": ConditionField.MESSAGE_TEXT, "operator": operator, "value": value}], actions=[NOTE])

    conversation = start("I want a refund")
    apply_outbox()

    assert bool(notes(conversation)) is holds


def test_condition_contact_attribute(apply_outbox):
    condition = {"field": ConditionField.CONTACT_ATTRIBUTE, "attribute_key": "plan", "value": "enterprise"}
    workflow(conditions=[condition], actions=[NOTE])

    vip = start(contact=ContactFactory(attributes={"plan": "Enterprise"}))
    other = start(contact=ContactFactory(attributes={"plan": "free"}))
    apply_outbox()

    assert (bool(notes(vip)), bool(notes(other))) == (True, False)


def facts_for(conversation, **kwargs) -> Facts:
    return Facts(conversation=Conversation.objects.select_related("contact").get(pk=conversation.pk), **kwargs)


def test_condition_conversation_team_and_assignee():
    billing, maya = TeamFactory(name="Billing"), TeammateFactory()
    flow = workflow(
        conditions=[
            {"field": ConditionField.CONVERSATION_TEAM, "team": billing},
            {"field": ConditionField.CONVERSATION_ASSIGNEE, "teammate": maya},
        ],
        actions=[NOTE],
    )
    both, team_only = ConversationFactory(team=billing, assignee=maya), ConversationFactory(team=billing)

    assert run_workflow(workflow=flow, facts=facts_for(both), trigger_key="a").status == RunStatus.SUCCEEDED
    assert run_workflow(workflow=flow, facts=facts_for(team_only), trigger_key="b").status == RunStatus.SKIPPED


def test_condition_any_of():
    billing, maya = TeamFactory(name="Billing"), TeammateFactory()
    flow = workflow(
        match=Match.ANY,
        conditions=[
            {"field": ConditionField.CONVERSATION_TEAM, "team": billing},
            {"field": ConditionField.CONVERSATION_ASSIGNEE, "teammate": maya},
        ],
        actions=[NOTE],
    )

    team_only, neither = ConversationFactory(team=billing), ConversationFactory()

    assert run_workflow(workflow=flow, facts=facts_for(team_only), trigger_key="a").status == RunStatus.SUCCEEDED
    assert run_workflow(workflow=flow, facts=facts_for(neither), trigger_key="b").status == RunStatus.SKIPPED


def test_condition_unassigned_is_empty():
    flow = workflow(conditions=[{"field": ConditionField.CONVERSATION_ASSIGNEE, "operator": Operator.IS_EMPTY}])

    assert run_workflow(workflow=flow, facts=facts_for(ConversationFactory()), trigger_key="a").status == "succeeded"
    assigned = ConversationFactory(assignee=TeammateFactory())
    assert run_workflow(workflow=flow, facts=facts_for(assigned), trigger_key="b").status == "skipped"


def test_condition_ticket_type_and_state(teammate, conversation, apply_outbox):
    fraud = TicketTypeFactory(name="Fraud investigation", never_shared=True)
    resolved = state(StateCategory.RESOLVED)
    workflow(
        Trigger.TICKET_STATE_CHANGED,
        conditions=[
            {"field": ConditionField.TICKET_TYPE, "ticket_type": fraud},
            {"field": ConditionField.TICKET_STATE, "ticket_state": resolved},
        ],
        actions=[{"kind": ActionKind.CLOSE}],
    )
    ticket = BackOfficeTicketFactory(actor=teammate, conversation=conversation, ticket_type=fraud)

    ticket_actions.change_ticket_state(actor=teammate, ticket_id=ticket.pk, state_id=state("in_progress").pk)
    apply_outbox()
    conversation.refresh_from_db()
    assert conversation.state == ConversationState.OPEN

    ticket_actions.change_ticket_state(actor=teammate, ticket_id=ticket.pk, state_id=resolved.pk)
    apply_outbox()
    conversation.refresh_from_db()
    assert conversation.state == ConversationState.CLOSED


# Actions


def run_on(conversation, *actions) -> WorkflowRun:
    flow = workflow(actions=list(actions))
    return run_workflow(workflow=flow, facts=facts_for(conversation), trigger_key="test")


def test_action_send_ticket_form(conversation):
    refund, billing = TicketTypeFactory(name="Refund request"), TeamFactory(name="Billing")

    run = run_on(conversation, {"kind": ActionKind.SEND_TICKET_FORM, "ticket_type": refund, "team": billing})

    form = TicketFormRequest.objects.get()
    assert run.status == RunStatus.SUCCEEDED
    assert (form.conversation, form.ticket_type, form.team, form.sent_by) == (conversation, refund, billing, None)


def test_action_assign_keeps_what_it_does_not_set(conversation):
    maya, billing = TeammateFactory(), TeamFactory(name="Billing")
    Conversation.objects.filter(pk=conversation.pk).update(assignee=maya)

    run_on(conversation, {"kind": ActionKind.ASSIGN, "team": billing})

    conversation.refresh_from_db()
    assert (conversation.assignee, conversation.team) == (maya, billing)


def test_action_snooze(conversation):
    run_on(conversation, {"kind": ActionKind.SNOOZE, "snooze_minutes": 60})

    conversation.refresh_from_db()
    assert conversation.state == ConversationState.SNOOZED
    assert conversation.snoozed_until > timezone.now() + timedelta(minutes=59)


def test_action_close(conversation):
    run_on(conversation, {"kind": ActionKind.CLOSE})

    conversation.refresh_from_db()
    assert conversation.state == ConversationState.CLOSED


def test_action_create_linked_back_office_ticket(conversation):
    fraud, team = TicketTypeFactory(name="Fraud investigation", never_shared=True), TeamFactory(name="Fraud")

    run_on(conversation, {"kind": ActionKind.CREATE_TICKET, "ticket_type": fraud, "team": team, "note": "Check card"})

    ticket = Ticket.objects.get()
    assert (ticket.linked_conversation, ticket.team, ticket.title, ticket.is_shared) == (
        conversation,
        team,
        "Check card",
        False,
    )


def test_failing_action_is_recorded_and_stops_the_run(teammate, conversation):
    BackOfficeTicketFactory(actor=teammate, conversation=conversation, share=True)
    refund = TicketTypeFactory(name="Refund request")

    run = run_on(
        conversation,
        {"kind": ActionKind.ADD_NOTE, "note": "first"},
        {"kind": ActionKind.SEND_TICKET_FORM, "ticket_type": refund},
        {"kind": ActionKind.ADD_NOTE, "note": "never"},
    )

    assert run.status == RunStatus.FAILED
    assert "already has a shared ticket" in run.error
    assert [entry["ok"] for entry in run.log] == [True, False]
    assert notes(conversation) == ["first"]
    assert not TicketFormRequest.objects.exists()


def test_failing_workflow_keeps_the_triggering_message(teammate, apply_outbox):
    refund = TicketTypeFactory(name="Refund request", archived=True)
    flow = workflow(actions=[{"kind": ActionKind.SEND_TICKET_FORM, "ticket_type": refund}])

    conversation = start("My refund please")
    apply_outbox()

    assert WorkflowRun.objects.get(workflow=flow).status == RunStatus.FAILED
    assert conversation.parts.filter(kind=PartKind.CUSTOMER_MESSAGE, body="My refund please").exists()


# Never twice


def test_redelivered_event_runs_the_workflow_once(apply_outbox):
    from workflows.handlers import run_workflows

    flow = workflow(actions=[NOTE])
    conversation = start()
    apply_outbox()
    event = OutboxEvent.objects.get(kind="ConversationStarted", handler="workflows.handlers.run_workflows")

    run_workflows(event)  # delivered again, bypassing the outbox's done guard

    assert WorkflowRun.objects.filter(workflow=flow).count() == 1
    assert notes(conversation) == ["Workflow was here"]


def test_disabled_workflow_does_not_run(apply_outbox):
    workflow(actions=[NOTE], enabled=False)

    conversation = start()
    apply_outbox()

    assert notes(conversation) == []
    assert not Part.objects.filter(kind=PartKind.NOTE).exists()


# Configuration rules


@pytest.mark.parametrize("traits", [{"never_shared": True}, {"tracker": True}, {"archived": True}])
def test_send_ticket_form_action_refuses_types_rule_10_excludes(traits):
    flow = workflow()
    ticket_type = TicketTypeFactory(**traits)
    action = WorkflowAction(workflow=flow, kind=ActionKind.SEND_TICKET_FORM, ticket_type=ticket_type)

    with pytest.raises(ValidationError) as error:
        action.full_clean()

    assert error.value.message_dict["ticket_type"] == [rules.form_type_refusal(ticket_type=ticket_type)]


def test_send_ticket_form_action_accepts_customer_and_optional_types():
    flow = workflow()
    for ticket_type in (TicketTypeFactory(customer=True), TicketTypeFactory()):
        WorkflowAction(workflow=flow, kind=ActionKind.SEND_TICKET_FORM, ticket_type=ticket_type).full_clean()
