"""What the tests of the teammates' ticket pages share: request headers, query budgets, small readers and URLs."""

import re

from django.urls import reverse

from tests.factories import (
    TicketAttributeFactory,
    TicketTypeFactory,
)
from tests.inbox.pages import NAV_QUERIES

HX = {"HX-Request": "true"}
# Session, teammate, then the reads of each page (see the selectors' docstrings). Measured; each budget
# holds for the small and the large case alike. The assignee and team are pickers, whose options are not read with
# the page (helpdesk.forms.PickerField).
PANE_QUERIES = 8  # the pane: ticket, attributes, states, response targets, timeline and its attachments
# the conversation's customer ticket, its back-office tickets, its trackers, its ticket forms; the open ticket's
# pane but its row, which the side read with the others
SIDE_QUERIES = PANE_QUERIES + 4 - 1
LIST_PAGE_QUERIES = 4 + NAV_QUERIES  # team, one page of tickets; the nav
# the list page, the open ticket's pane, and beside it the conversation it is linked to and its timeline (with its
# attachments)
TICKET_PAGE_QUERIES = LIST_PAGE_QUERIES + PANE_QUERIES - 2 + 3


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
