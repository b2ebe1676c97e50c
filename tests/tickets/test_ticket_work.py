"""Rules 10-11 and the work on a ticket (states, assignment, attributes), held by the ticket actions on
PostgreSQL."""

import pytest

from helpdesk.errors import InvalidInput
from helpdesk.models import OutboxEvent
from helpdesk.outbox import apply_event
from inbox import actions as inbox_actions
from tests.factories import (
    BackOfficeTicketFactory,
    ConversationFactory,
    CustomerTicketFactory,
    TeamFactory,
    TeammateFactory,
    TicketAttributeFactory,
    TicketStateFactory,
    TicketTypeFactory,
    TrackerTicketFactory,
    default_states,
    state,
)
from tests.tickets.rule_helpers import (
    create,
    cross_posts_in,
    in_progress,
    parts_of,
    refreshed,
    written,
)
from tickets import actions
from tickets.handlers import cross_post_note, cross_post_state_change
from tickets.models import StateCategory, Ticket, TicketPart, TicketPartKind

pytestmark = pytest.mark.django_db


# Rule 10 (what exists before ticket forms): what a customer may fill


def customer_form_type():
    ticket_type = TicketTypeFactory()
    TicketAttributeFactory(ticket_type=ticket_type, key="order", name="Order", visible_to_customers=True)
    TicketAttributeFactory(
        ticket_type=ticket_type, key="device", name="Device", visible_to_customers=True, required_for_customers=True
    )
    TicketAttributeFactory(ticket_type=ticket_type, key="risk", name="Risk score", required_to_create=True)
    return ticket_type


def test_create_back_office_ticket_for_customer_stores_customer_visible_attributes(conversation):
    values = {"order": "1234", "device": "Phone"}

    ticket = create(None, customer_form_type(), conversation, title="Refund", audience="customer", attributes=values)

    assert refreshed(ticket).attributes == values


def test_create_back_office_ticket_for_customer_refuses_internal_attribute(conversation):
    values = {"device": "Phone", "risk": "high"}

    with pytest.raises(InvalidInput) as raised:
        create(None, customer_form_type(), conversation, title="Refund", audience="customer", attributes=values)

    assert raised.value.errors == {"risk": ["This field cannot be set here."]}
    assert not Ticket.objects.exists()


def test_create_back_office_ticket_for_customer_requires_required_for_customers(conversation):
    with pytest.raises(InvalidInput) as raised:
        create(None, customer_form_type(), conversation, title="Refund", audience="customer", attributes={})

    assert raised.value.errors == {"device": ["Device is required."]}
    assert not Ticket.objects.exists()


# Rule 11: a delivery applied twice posts once


def test_apply_event_twice_cross_posts_once(teammate, conversation):
    ticket = BackOfficeTicketFactory(actor=teammate, conversation=conversation)
    actions.post_ticket_note(actor=teammate, ticket_id=ticket.pk, body="Refund sent.", cross_post=True)
    event = OutboxEvent.objects.get(handler="tickets.handlers.cross_post_note")

    assert apply_event(event.pk) is True
    assert apply_event(event.pk) is False

    assert len(cross_posts_in(conversation)) == 1


def test_cross_post_note_handler_run_twice_posts_once(teammate, conversation):
    ticket = BackOfficeTicketFactory(actor=teammate, conversation=conversation)
    actions.post_ticket_note(actor=teammate, ticket_id=ticket.pk, body="Refund sent.", cross_post=True)
    event = OutboxEvent.objects.get(handler="tickets.handlers.cross_post_note")

    cross_post_note(event)
    cross_post_note(event)

    assert len(cross_posts_in(conversation)) == 1


def test_cross_post_state_change_handler_run_twice_posts_once(teammate, conversation):
    ticket = BackOfficeTicketFactory(actor=teammate, conversation=conversation)
    actions.change_ticket_state(actor=teammate, ticket_id=ticket.pk, state_id=in_progress().pk)
    event = OutboxEvent.objects.get(kind="TicketStateChanged", handler="tickets.handlers.cross_post_state_change")

    cross_post_state_change(event)
    cross_post_state_change(event)

    assert len(parts_of(conversation, event_type="ticket_state_changed")) == 1


# State categories: a customer reply resumes a ticket that waits on the customer


def test_customer_message_moves_shared_ticket_waiting_on_customer_to_first_in_progress_state(teammate, apply_outbox):
    triaged = TicketStateFactory(category=StateCategory.IN_PROGRESS, position=15)
    ticket_type = TicketTypeFactory(states=[*default_states(), triaged])
    conversation = ConversationFactory()
    ticket = BackOfficeTicketFactory(actor=teammate, conversation=conversation, ticket_type=ticket_type, share=True)
    actions.change_ticket_state(
        actor=teammate, ticket_id=ticket.pk, state_id=state(StateCategory.WAITING_ON_CUSTOMER).pk
    )
    apply_outbox()

    inbox_actions.record_customer_message(conversation_id=conversation.pk, body="Here is the receipt.")
    apply_outbox()

    assert refreshed(ticket).state == triaged


def test_customer_message_leaves_shared_ticket_that_is_not_waiting_on_customer(teammate, apply_outbox):
    conversation = ConversationFactory()
    ticket = BackOfficeTicketFactory(actor=teammate, conversation=conversation, share=True)

    inbox_actions.record_customer_message(conversation_id=conversation.pk, body="Any news?")
    apply_outbox()

    assert refreshed(ticket).state == state(StateCategory.SUBMITTED)


# assign_ticket


def test_assign_ticket_sets_assignee_and_team(teammate, other_teammate, team):
    ticket = BackOfficeTicketFactory(actor=teammate)

    actions.assign_ticket(actor=teammate, ticket_id=ticket.pk, assignee_id=other_teammate.pk, team_id=team.pk)

    ticket = refreshed(ticket)
    assert (ticket.assignee, ticket.team) == (other_teammate, team)


def test_assign_ticket_adds_an_assigned_event(teammate, other_teammate):
    ticket = BackOfficeTicketFactory(actor=teammate)

    actions.assign_ticket(actor=teammate, ticket_id=ticket.pk, assignee_id=other_teammate.pk, team_id=ticket.team_id)

    part = TicketPart.objects.get(ticket=ticket, event_type="assigned")
    assert (part.kind, part.author, part.body) == (
        TicketPartKind.EVENT,
        teammate,
        f"{teammate} assigned this ticket to {other_teammate}.",
    )


def test_assign_ticket_clears_assignee(teammate):
    team = TeamFactory()
    ticket = BackOfficeTicketFactory(actor=teammate, assignee_id=teammate.pk, team_id=team.pk)

    actions.assign_ticket(actor=teammate, ticket_id=ticket.pk, assignee_id=None, team_id=team.pk)

    ticket = refreshed(ticket)
    assert (ticket.assignee, ticket.team) == (None, team)
    part = TicketPart.objects.get(ticket=ticket, event_type="assigned")
    assert part.body == f"{teammate} assigned this ticket to nobody."


@pytest.mark.parametrize("factory", [BackOfficeTicketFactory, TrackerTicketFactory])
def test_assign_ticket_refuses_taking_the_team_of_a_back_office_or_tracker_ticket(teammate, factory):
    ticket = factory(actor=teammate)
    before = written()

    with pytest.raises(InvalidInput) as raised:
        actions.assign_ticket(actor=teammate, ticket_id=ticket.pk, assignee_id=teammate.pk, team_id=None)

    assert "always belongs to a team" in raised.value.message
    assert raised.value.errors == {"team": ["Choose a team."]}
    assert written() == before
    assert refreshed(ticket).team_id == ticket.team_id


def test_assign_ticket_lets_a_customer_ticket_have_no_team(teammate):
    ticket = CustomerTicketFactory(actor=teammate, team_id=TeamFactory().pk)

    actions.assign_ticket(actor=teammate, ticket_id=ticket.pk, assignee_id=None, team_id=None)

    assert refreshed(ticket).team is None


def test_assign_ticket_refuses_unknown_teammate(teammate):
    ticket = BackOfficeTicketFactory(actor=teammate)
    before = written()

    with pytest.raises(InvalidInput) as raised:
        actions.assign_ticket(actor=teammate, ticket_id=ticket.pk, assignee_id=999_999, team_id=None)

    assert list(raised.value.errors) == ["assignee"]
    assert refreshed(ticket).assignee is None
    assert written() == before


@pytest.mark.parametrize(
    "account", [{"is_active": False}, {"is_staff": False}], ids=["deactivated", "without-staff-status"]
)
def test_assign_ticket_refuses_an_account_that_does_not_work_the_inbox(teammate, account):
    """It could not open the ticket (teammate_required): it is never given one either."""
    ticket = BackOfficeTicketFactory(actor=teammate)

    with pytest.raises(InvalidInput) as raised:
        actions.assign_ticket(
            actor=teammate, ticket_id=ticket.pk, assignee_id=TeammateFactory(**account).pk, team_id=ticket.team_id
        )

    assert list(raised.value.errors) == ["assignee"]
    assert refreshed(ticket).assignee is None


def test_assign_ticket_to_same_assignee_is_a_no_op(teammate):
    ticket = BackOfficeTicketFactory(actor=teammate, assignee_id=teammate.pk)
    before = written()

    assert (
        actions.assign_ticket(actor=teammate, ticket_id=ticket.pk, assignee_id=teammate.pk, team_id=ticket.team_id)
        == []
    )
    assert written() == before
