"""Fixtures of the customer side of tickets: a signed-in contact, a shareable refund type, a form sent."""

import pytest

from inbox.messenger import messenger_link
from tests.factories import (
    TicketAttributeFactory,
    TicketTypeFactory,
    add_order_number,
)
from tickets import actions


@pytest.fixture
def contact_client(client, contact):
    assert client.get(messenger_link(contact)).status_code == 302
    return client


@pytest.fixture
def refund_type():
    """A back-office type that may be shared, with customer-visible attributes and an internal one."""
    ticket_type = TicketTypeFactory(name="Refund request", icon="banknote")
    add_order_number(ticket_type, position=1)
    TicketAttributeFactory(
        ticket_type=ticket_type, key="amount", name="Amount", kind="decimal", visible_to_customers=True
    )
    TicketAttributeFactory(ticket_type=ticket_type, key="risk", name="Internal risk score", kind="integer")
    return ticket_type


@pytest.fixture
def refund_form(conversation, refund_type, teammate):
    return actions.send_ticket_form(actor=teammate, conversation_id=conversation.pk, ticket_type_id=refund_type.pk)
