"""The resolution card (issue 16): a back-office type can require attributes to reach a resolved state; on resolution
they reach the linked conversation with the state event, as a card the front office inserts into a reply."""

import pytest
from django.urls import reverse

from helpdesk.errors import InvalidInput
from inbox.models import Part
from tests.factories import BackOfficeTicketFactory, TeammateFactory, TicketAttributeFactory, TicketTypeFactory, state
from tickets import actions
from tickets.models import StateCategory

pytestmark = pytest.mark.django_db


@pytest.fixture
def refund_type():
    ticket_type = TicketTypeFactory(name="Refund request")
    TicketAttributeFactory(ticket_type=ticket_type, key="refund_id", name="Refund id", required_to_resolve=True)
    TicketAttributeFactory(
        ticket_type=ticket_type, key="amount", name="Amount", kind="decimal", required_to_resolve=True
    )
    TicketAttributeFactory(ticket_type=ticket_type, key="note", name="Note")  # not asked for
    return ticket_type


def resolve(ticket):
    return actions.change_ticket_state(
        actor=TeammateFactory(), ticket_id=ticket.pk, state_id=state(StateCategory.RESOLVED).pk
    )


def test_resolving_without_the_resolution_details_is_refused_naming_them(refund_type):
    ticket = BackOfficeTicketFactory(ticket_type=refund_type, attributes={"refund_id": "R-77"})
    with pytest.raises(InvalidInput, match="Fill Amount to resolve this ticket") as refusal:
        resolve(ticket)
    assert "state" in refusal.value.errors
    ticket.refresh_from_db()
    assert ticket.state.category == StateCategory.SUBMITTED


def test_other_moves_need_no_resolution_details(refund_type):
    ticket = BackOfficeTicketFactory(ticket_type=refund_type)
    actions.change_ticket_state(actor=None, ticket_id=ticket.pk, state_id=state(StateCategory.IN_PROGRESS).pk)
    ticket.refresh_from_db()
    assert ticket.state.category == StateCategory.IN_PROGRESS


def test_resolution_reaches_the_conversation_as_a_card(refund_type, apply_outbox):
    ticket = BackOfficeTicketFactory(
        ticket_type=refund_type, attributes={"refund_id": "R-77", "amount": "49.90", "note": "internal"}
    )
    resolve(ticket)
    apply_outbox()
    event = Part.objects.get(conversation=ticket.linked_conversation, event_type="ticket_state_changed")
    assert event.data["resolution"] == [{"name": "Refund id", "value": "R-77"}, {"name": "Amount", "value": "49.90"}]


def test_a_state_that_does_not_resolve_sends_no_card(refund_type, apply_outbox):
    ticket = BackOfficeTicketFactory(ticket_type=refund_type, attributes={"refund_id": "R-77", "amount": "49.90"})
    actions.change_ticket_state(actor=None, ticket_id=ticket.pk, state_id=state(StateCategory.IN_PROGRESS).pk)
    apply_outbox()
    event = Part.objects.get(conversation=ticket.linked_conversation, event_type="ticket_state_changed")
    assert "resolution" not in event.data


def test_the_card_shows_in_the_timeline_with_its_insert_button(refund_type, apply_outbox, teammate_client):
    ticket = BackOfficeTicketFactory(ticket_type=refund_type, attributes={"refund_id": "R-77", "amount": "49.90"})
    resolve(ticket)
    apply_outbox()
    response = teammate_client.get(reverse("inbox:conversation", args=["all", ticket.linked_conversation_id]))
    page = response.content.decode()
    assert 'class="resolution-card"' in page
    assert 'data-insert-reply="Refund id: R-77&#10;Amount: 49.90"' in page


def test_the_state_form_says_what_to_fill(refund_type, teammate_client):
    ticket = BackOfficeTicketFactory(ticket_type=refund_type)
    response = teammate_client.post(
        reverse("tickets:state", args=[ticket.pk]),
        {"state": state(StateCategory.RESOLVED).pk},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "Fill Refund id, Amount to resolve this ticket" in response.content.decode()
