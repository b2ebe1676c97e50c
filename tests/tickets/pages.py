"""What the tests of the teammates' ticket pages share: request headers, query budgets, small readers and URLs."""

import re

from django.urls import reverse

from tests.factories import (
    TicketAttributeFactory,
    TicketTypeFactory,
)

HX = {"HX-Request": "true"}
# Session, teammate, then the reads of each page (see the selectors' docstrings). Measured; each budget
# holds for the small and the large case alike.
SIDE_QUERIES = 12  # conversation, its back-office tickets, its trackers, its ticket forms, then the open ticket's pane
PANE_QUERIES = 8  # the pane: ticket, attributes, states, timeline, teammates, teams
LIST_PAGE_QUERIES = 5  # team, one page of tickets, plus the live version for the page's poller
TICKET_PAGE_QUERIES = 11  # the list page plus the open ticket's pane


def html(response) -> str:
    return response.content.decode()


def root_id(response) -> str:
    """The id of the first element of a partial."""
    match = re.search(r"<[a-z]+[^>]*\sid=\"([^\"]+)\"", html(response))
    return match.group(1) if match else ""


def side_url(conversation, **query) -> str:
    url = reverse("tickets:conversation-tickets", args=[conversation.pk])
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def create_url(conversation) -> str:
    return reverse("tickets:create", args=[conversation.pk])


def integer_type(**traits):
    """A back-office type with a required integer attribute `amount`."""
    ticket_type = TicketTypeFactory(**traits)
    TicketAttributeFactory(
        ticket_type=ticket_type, key="amount", name="Amount", kind="integer", required_to_create=True
    )
    return ticket_type
