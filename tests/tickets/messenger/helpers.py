"""What the tests of the customer side of tickets share: URLs, posted data, types and page comparisons."""

import re

from django.urls import reverse

from tests.factories import (
    ConversationFactory,
    TicketAttributeFactory,
    TicketTypeFactory,
    state,
)
from tickets import actions
from tickets.models import StateCategory

# The session, the contact's session version, the live version, the contact, their tickets, their pending forms.
LIST_QUERIES = 6


def form_url(form) -> str:
    return reverse("messenger-tickets:form", args=[form.pk])


def ticket_url(ticket) -> str:
    return reverse("messenger-tickets:ticket", args=[ticket.pk])


def filled(**changes) -> dict:
    return {"title": "My refund", "description": "", "attr_order": "1042", "attr_amount": "19.90"} | changes


def typed(ticket_type, *, customer: bool):
    """A type with a customer-visible and an internal attribute, like `refund_type`, of either category."""
    new_type = TicketTypeFactory(name=f"{ticket_type} {customer}", customer=customer)
    TicketAttributeFactory(ticket_type=new_type, key="order", name="Order number", visible_to_customers=True)
    TicketAttributeFactory(ticket_type=new_type, key="risk", name="Internal risk score", kind="integer")
    return new_type


def normalised(html: str, *names: str) -> str:
    """The page with what differs between two tickets of equal content blanked: numbers (ids, dates), the CSRF
    token, the script nonce, the live parts' versions (digests of what they show, dates included), and the type
    names."""
    html = re.sub(r'("x-csrftoken": "|name="csrfmiddlewaretoken" value="|nonce="|\?v=)[^"]+', r"\1", html)
    for name in names:
        html = html.replace(name, "TYPE")
    return re.sub(r"\d+", "N", html)


def worked_pair(teammate, contact):
    """A customer ticket and a shared back-office ticket of the same content, moved through the same states."""
    shared = actions.create_back_office_ticket(
        actor=teammate,
        ticket_type_id=typed("Refund", customer=False).pk,
        conversation_id=ConversationFactory(contact=contact).pk,
        title="Refund 1042",
        attributes={"order": "1042", "risk": "7"},
        share=True,
    )
    own = actions.create_customer_ticket(
        actor=teammate,
        ticket_type_id=typed("Order", customer=True).pk,
        contact_id=contact.pk,
        title="Refund 1042",
        attributes={"order": "1042", "risk": "7"},
    )
    for ticket in (shared, own):
        actions.change_ticket_state(actor=teammate, ticket_id=ticket.pk, state_id=state(StateCategory.IN_PROGRESS).pk)
    return shared, own
