"""What the tests of the ticket-form and convert pages share: URLs, query budgets, types and readers."""

import re

from django.urls import reverse

from inbox.models import Part
from tickets.models import Ticket, TicketFormRequest

HX = {"HX-Request": "true"}
# Session, teammate, the conversation, the offered types, then form_type_refusal once per kind of type:
# at most two queries for customer types and two for back-office types. Measured: 8 with both kinds refused
# for a shared ticket (each asks twice), whatever the number of types.
SEND_FORM_QUERIES = 8
# Session, teammate, the subject, the customer types and their attributes, the two checks of conversion_refusal
# (the team is a picker: no list of teams).
CONVERT_FORM_QUERIES = 7


def html(response) -> str:
    return response.content.decode()


def root_id(response) -> str:
    match = re.search(r"<[a-z]+[^>]*\sid=\"([^\"]+)\"", html(response))
    return match.group(1) if match else ""


def new_form_url(conversation_id: int) -> str:
    return reverse("tickets:ticket-form-new", args=[conversation_id])


def send_url(conversation_id: int) -> str:
    return reverse("tickets:ticket-form-send", args=[conversation_id])


def convert_new_url(conversation_id: int) -> str:
    return reverse("tickets:convert-new", args=[conversation_id])


def convert_url(conversation_id: int) -> str:
    return reverse("tickets:convert", args=[conversation_id])


def written() -> tuple[int, int, int]:
    """What a refused request must leave as it was: ticket forms, conversation parts, tickets."""
    return TicketFormRequest.objects.count(), Part.objects.count(), Ticket.objects.count()


def offered_ids(response) -> list[int]:
    return [choice.ticket_type.pk for choice in response.context["choices"]]


def radio(response, ticket_type) -> str:
    match = re.search(rf'<input type="radio" name="ticket_type" value="{ticket_type.pk}"[^>]*>', html(response))
    assert match, f"no radio for {ticket_type.name}"
    return match.group(0)
