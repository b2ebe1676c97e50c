"""Rule 6: what a customer is shown of a ticket, built only from customer-facing fields."""

import dataclasses

import pytest

from helpdesk.errors import NotFound
from tests.factories import (
    BackOfficeTicketFactory,
    ContactFactory,
    ConversationFactory,
    TicketAttributeFactory,
    TicketStateFactory,
    TicketTypeFactory,
    TrackerTicketFactory,
    state,
)
from tickets import actions
from tickets.models import StateCategory, TicketState
from tickets.selectors import get_customer_ticket

pytestmark = pytest.mark.django_db

INTERNAL = "SENTINEL-INTERNAL"


@pytest.fixture
def waiting_state():
    """A state whose internal label must never reach a customer."""
    return TicketStateFactory(
        internal_label=f"Blocked on vendor {INTERNAL}",
        customer_label="We are on it",
        category=StateCategory.IN_PROGRESS,
    )


def typed(waiting_state, **traits):
    ticket_type = TicketTypeFactory(**traits)
    ticket_type.states.add(waiting_state)
    TicketAttributeFactory(ticket_type=ticket_type, key="order", name="Order number", visible_to_customers=True)
    TicketAttributeFactory(ticket_type=ticket_type, key="risk", name=f"Risk {INTERNAL}", kind="integer")
    return ticket_type


def worked(ticket, actor, waiting_state):
    """Notes, an internal state and a visible state: everything a teammate does to a ticket."""
    actions.post_ticket_note(
        actor=actor, ticket_id=ticket.pk, body=f"note {INTERNAL}", cross_post=ticket.is_back_office
    )
    actions.change_ticket_state(actor=actor, ticket_id=ticket.pk, state_id=waiting_state.pk)
    actions.change_ticket_state(actor=actor, ticket_id=ticket.pk, state_id=state(StateCategory.RESOLVED).pk)
    return ticket


def shared_back_office(teammate, contact, waiting_state):
    conversation = ConversationFactory(contact=contact)
    ticket_type = typed(waiting_state)
    return actions.create_back_office_ticket(
        actor=teammate,
        ticket_type_id=ticket_type.pk,
        conversation_id=conversation.pk,
        title="Refund 1042",
        attributes={"order": "1042", "risk": "7"},
        share=True,
    )


def customer_ticket(teammate, contact, waiting_state):
    ticket_type = typed(waiting_state, customer=True)
    return actions.create_customer_ticket(
        actor=teammate,
        ticket_type_id=ticket_type.pk,
        contact_id=contact.pk,
        title="Refund 1042",
        attributes={"order": "1042", "risk": "7"},
    )


def view_without_identity(view):
    return {k: v for k, v in dataclasses.asdict(view).items() if k not in ("number", "type_name", "history")} | {
        "history": [label for _, label in view.history]
    }


def test_get_customer_ticket_shows_shared_back_office_ticket_exactly_like_customer_ticket(teammate, waiting_state):
    contact = ContactFactory()
    shared = worked(shared_back_office(teammate, contact, waiting_state), teammate, waiting_state)
    own = worked(customer_ticket(teammate, contact, waiting_state), teammate, waiting_state)

    shared_view = get_customer_ticket(contact_id=contact.pk, ticket_id=shared.pk)
    own_view = get_customer_ticket(contact_id=contact.pk, ticket_id=own.pk)

    assert view_without_identity(shared_view) == view_without_identity(own_view)
    assert shared_view.attributes == [("Order number", "1042")]
    assert [label for _, label in shared_view.history] == ["Submitted", "We are on it", "Resolved"]
    assert shared_view.state_label == "Resolved"


def test_get_customer_ticket_carries_no_internal_content(teammate, waiting_state):
    contact = ContactFactory()
    ticket = worked(shared_back_office(teammate, contact, waiting_state), teammate, waiting_state)

    assert INTERNAL not in repr(get_customer_ticket(contact_id=contact.pk, ticket_id=ticket.pk))


def test_get_customer_ticket_refuses_unshared_back_office_ticket(teammate, conversation):
    ticket = BackOfficeTicketFactory(actor=teammate, conversation=conversation)

    with pytest.raises(NotFound):
        get_customer_ticket(contact_id=conversation.contact_id, ticket_id=ticket.pk)


def test_get_customer_ticket_refuses_another_contacts_ticket(teammate, waiting_state):
    ticket = shared_back_office(teammate, ContactFactory(), waiting_state)

    with pytest.raises(NotFound):
        get_customer_ticket(contact_id=ContactFactory().pk, ticket_id=ticket.pk)


def test_get_customer_ticket_refuses_tracker(teammate, contact):
    tracker = TrackerTicketFactory(actor=teammate)

    with pytest.raises(NotFound):
        get_customer_ticket(contact_id=contact.pk, ticket_id=tracker.pk)


def test_get_customer_ticket_uses_the_customer_label_of_the_current_state(teammate, waiting_state):
    contact = ContactFactory()
    ticket = shared_back_office(teammate, contact, waiting_state)
    actions.change_ticket_state(actor=teammate, ticket_id=ticket.pk, state_id=waiting_state.pk)

    assert get_customer_ticket(contact_id=contact.pk, ticket_id=ticket.pk).state_label == "We are on it"
    assert TicketState.objects.get(pk=waiting_state.pk).internal_label.endswith(INTERNAL)
