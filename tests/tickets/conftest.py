"""Fixtures of the tickets tests: the ticket types the ticket-form and convert pages offer."""

import pytest

from tests.factories import TicketTypeFactory, add_order_number


@pytest.fixture
def refund_type():
    """The back-office "Refund request" type, shared when sent as a form (sharing `optional`)."""
    ticket_type = TicketTypeFactory(name="Refund request")
    add_order_number(ticket_type)
    return ticket_type


@pytest.fixture
def question_type():
    return TicketTypeFactory(name="Question", customer=True)
