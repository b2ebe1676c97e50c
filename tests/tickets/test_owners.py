"""No ticket without an owner (issue 10): every way a ticket is made fills its team from its type when none is
chosen, so it shows in that team's ticket view and in "All tickets"; back-office and tracker tickets always keep
a team."""

import pytest
from django.urls import reverse

from tests.factories import (
    ConversationFactory,
    TeamFactory,
    TicketTypeFactory,
    add_order_number,
)
from tests.tickets.pages import HX, html
from tickets import actions
from tickets.models import Ticket
from workflows.actions import apply_action
from workflows.models import ActionKind, Trigger, Workflow, WorkflowAction

pytestmark = pytest.mark.django_db


@pytest.fixture
def billing():
    return TeamFactory(name="Billing")


@pytest.fixture
def refund_type(billing):
    ticket_type = TicketTypeFactory(name="Refund request", default_team=billing)
    add_order_number(ticket_type)
    return ticket_type


def submitted_form_ticket(conversation, ticket_type, *, actor=None, attributes=None) -> Ticket:
    form = actions.send_ticket_form(actor=actor, conversation_id=conversation.pk, ticket_type_id=ticket_type.pk)
    attributes = {"order": "1042"} if attributes is None else attributes
    return actions.submit_ticket_form(
        contact_id=conversation.contact_id, form_id=form.pk, title="My refund", attributes=attributes
    )


def test_ticket_from_a_form_sent_in_the_inbox_goes_to_the_types_team(teammate, conversation, refund_type, billing):
    ticket = submitted_form_ticket(conversation, refund_type, actor=teammate)

    assert ticket.team == billing


def test_ticket_from_a_form_shows_in_the_team_view_and_in_all_tickets(
    teammate_client, teammate, conversation, refund_type, billing
):
    ticket = submitted_form_ticket(conversation, refund_type, actor=teammate)

    for view in (f"team-{billing.pk}", "all", "unassigned"):
        response = teammate_client.get(reverse("tickets:list", args=[view]))
        assert ticket in response.context["page"].rows, view


def test_ticket_from_a_workflows_form_goes_to_the_team_it_names(conversation, refund_type):
    fraud = TeamFactory(name="Fraud")
    form = actions.send_ticket_form(
        actor=None, conversation_id=conversation.pk, ticket_type_id=refund_type.pk, team_id=fraud.pk
    )

    ticket = actions.submit_ticket_form(
        contact_id=conversation.contact_id, form_id=form.pk, title="Refund", attributes={"order": "1"}
    )

    assert ticket.team == fraud


def test_customer_ticket_from_a_form_goes_to_the_types_team(conversation):
    logistics = TeamFactory(name="Logistics")
    order_problem = TicketTypeFactory(customer=True, default_team=logistics)

    ticket = submitted_form_ticket(conversation, order_problem, attributes={})

    assert ticket.team == logistics


def test_back_office_ticket_created_without_a_team_goes_to_the_types_team(teammate, conversation, refund_type, billing):
    ticket = refund(teammate, conversation, refund_type)

    assert ticket.team == billing


def test_workflow_creating_a_ticket_without_a_team_gives_it_the_types_team(conversation, billing):
    fraud_type = TicketTypeFactory(name="Fraud investigation", never_shared=True, default_team=billing)
    flow = Workflow.objects.create(name="Card checks", trigger=Trigger.CONVERSATION_STARTED)
    step = WorkflowAction.objects.create(
        workflow=flow, position=1, kind=ActionKind.CREATE_TICKET, ticket_type=fraud_type, note="Check card"
    )

    apply_action(step, conversation_id=conversation.pk)

    assert Ticket.objects.get(linked_conversation=conversation).team == billing


def test_convert_takes_the_chosen_team_else_the_types_else_the_conversations(teammate):
    support, logistics, chosen = TeamFactory(name="Support"), TeamFactory(name="Logistics"), TeamFactory(name="VIP")
    with_team = TicketTypeFactory(customer=True, default_team=logistics)
    without_team = TicketTypeFactory(customer=True)

    def convert(ticket_type, **kwargs) -> Ticket:
        conversation = ConversationFactory(team=support)
        return actions.convert_to_customer_ticket(
            actor=teammate, conversation_id=conversation.pk, ticket_type_id=ticket_type.pk, title="Order", **kwargs
        )

    assert convert(with_team, team_id=chosen.pk).team == chosen
    assert convert(with_team).team == logistics
    assert convert(without_team).team == support


def test_convert_form_offers_a_team(teammate_client, conversation):
    logistics = TeamFactory(name="Logistics")
    order_problem = TicketTypeFactory(customer=True, default_team=logistics)

    response = teammate_client.get(
        reverse("tickets:convert-new", args=[conversation.pk]) + f"?ticket_type={order_problem.pk}", headers=HX
    )

    # Any team is chosen in the picker, which searches them (inbox:team-options); the type's own is the default.
    field = response.context["form"].fields["team"]
    assert field.choices == [("", "Logistics (the type's team)")]
    assert field.widget.attrs["data-picker"] == reverse("inbox:team-options")


def test_create_form_offers_the_types_team_and_never_no_team(teammate_client, conversation, refund_type):
    response = teammate_client.get(
        reverse("tickets:create", args=[conversation.pk]) + f"?ticket_type={refund_type.pk}", headers=HX
    )

    choices = response.context["form"].fields["team"].choices
    assert choices[0] == ("", "Billing (the type's team)")
    assert "No team" not in html(response)


def refund(actor, conversation, refund_type) -> Ticket:
    return actions.create_back_office_ticket(
        actor=actor,
        ticket_type_id=refund_type.pk,
        conversation_id=conversation.pk,
        title="R",
        attributes={"order": "1"},
    )


def test_back_office_ticket_assign_form_offers_no_empty_team(teammate_client, teammate, conversation, refund_type):
    ticket = refund(teammate, conversation, refund_type)

    response = teammate_client.get(reverse("tickets:pane", args=[ticket.pk]), headers=HX)

    assert "No team" not in html(response)


def test_assigning_a_back_office_ticket_to_no_team_is_a_422_with_the_reason(
    teammate_client, teammate, conversation, refund_type, billing
):
    ticket = refund(teammate, conversation, refund_type)

    response = teammate_client.post(
        reverse("tickets:assign", args=[ticket.pk]), {"assignee": "", "team": ""}, headers=HX
    )

    assert response.status_code == 422
    assert Ticket.objects.get(pk=ticket.pk).team == billing
