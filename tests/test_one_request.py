"""A page is one request (issue 12): the first response holds everything the tab shows (the nav with its counts, the
list, the conversation with its ticket side, the ticket with its linked conversation or a tracker's links and reply),
and so does a pane htmx swaps in. Nothing fetches itself on load; live regions keep their address, and refresh
there on `live` only. (What a teammate opens, such as "Send ticket form", is still loaded when opened.)"""

import re

import pytest
from django.urls import reverse

from tests.factories import BackOfficeTicketFactory, ConversationFactory, PartFactory, TeamFactory, TrackerTicketFactory
from tests.inbox.pages import NAV_QUERIES, htmx_target
from tests.tickets.pages import PANE_QUERIES, SIDE_QUERIES
from tickets import actions

pytestmark = pytest.mark.django_db

# hx-trigger values that make an element fetch itself without anyone asking: on load, or once scrolled into view.
FETCHES_ITSELF = re.compile(r'hx-trigger="[^"]*\b(load|revealed|intersect)\b')


def html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def self_fetching(page: str) -> list[str]:
    return [match.group(0) for match in FETCHES_ITSELF.finditer(page)]


@pytest.fixture
def linked(teammate):
    """A conversation with a back-office ticket (with a note), in a team's inbox."""
    billing = TeamFactory(name="Billing")
    conversation = ConversationFactory(team=billing, subject="Charged twice")
    PartFactory(conversation=conversation, body="I was charged twice for order 1042.")
    ticket = BackOfficeTicketFactory(actor=teammate, conversation=conversation, title="Refund order 1042")
    actions.post_ticket_note(actor=teammate, ticket_id=ticket.pk, body="Ledger checked.")
    return conversation, ticket


def test_inbox_page_comes_with_nav_list_conversation_and_ticket_side(teammate_client, linked):
    conversation, ticket = linked

    page = html(teammate_client.get(reverse("inbox:conversation", args=["all", conversation.pk])))

    assert self_fetching(page) == []
    nav = re.search(r'<nav id="nav".*?</nav>', page, re.S).group(0)
    assert 'data-count="inbox-all"' in nav and "Billing tickets" in nav
    assert re.search(r'<nav id="nav"[^>]*data-live="nav"[^>]*hx-trigger="live"', page)
    assert 'id="conversation-list"' in page and "I was charged twice" in page
    side = page[page.index('<aside id="ticket-side"') :]
    assert "Refund order 1042" in side and "Ledger checked." in side


def test_conversation_opened_from_the_list_comes_with_its_ticket_side(teammate_client, linked):
    conversation, _ticket = linked

    page = html(
        teammate_client.get(reverse("inbox:conversation", args=["all", conversation.pk]), headers=htmx_target("main"))
    )

    assert self_fetching(page) == []
    assert page.lstrip().startswith('<div id="conversation-detail"')
    assert "Ledger checked." in page[page.index('<aside id="ticket-side"') :]


def test_ticket_page_comes_with_the_linked_conversation(teammate_client, linked):
    conversation, ticket = linked

    page = html(teammate_client.get(reverse("tickets:ticket", args=["all", ticket.pk])))

    assert self_fetching(page) == []
    context = re.search(r'<section class="context-pane" aria-label="Linked conversation"[^>]*>', page).group(0)
    assert f'data-live="conversation-{conversation.pk}"' in context and 'hx-trigger="live"' in context
    assert "I was charged twice for order 1042." in page[page.index('aria-label="Linked conversation"') :]
    assert 'data-count="tickets-all"' in page


def test_ticket_opened_from_the_list_comes_with_the_linked_conversation(teammate_client, linked):
    _conversation, ticket = linked

    page = html(teammate_client.get(reverse("tickets:ticket", args=["all", ticket.pk]), headers=htmx_target("main")))

    assert self_fetching(page) == []
    assert "I was charged twice for order 1042." in page


@pytest.fixture
def tracked(teammate, linked):
    """A resolved-able tracker linked to the conversation."""
    conversation, _ticket = linked
    tracker = TrackerTicketFactory(actor=teammate, title="Checkout down")
    actions.link_to_tracker(actor=teammate, tracker_id=tracker.pk, conversation_id=conversation.pk)
    return tracker


def test_tracker_page_comes_with_its_links_and_its_reply(teammate_client, tracked):
    page = html(teammate_client.get(reverse("tickets:ticket", args=["trackers", tracked.pk])))

    assert self_fetching(page) == []
    assert 'id="tracker-links"' in page and "Charged twice" in page
    assert re.search(r'id="tracker-reply-status"[^>]*data-live="ticket-\d+"', page)
    assert re.search(r'id="tracker-reply-form"[^>]*hx-trigger="live, ticket-changed from:body"', page)


def test_ticket_side_showing_a_tracker_comes_with_its_reply(teammate_client, linked, tracked):
    conversation, _ticket = linked
    url = reverse("tickets:conversation-tickets", args=[conversation.pk]) + f"?ticket={tracked.pk}"

    page = html(teammate_client.get(url, headers={"HX-Request": "true"}))

    assert self_fetching(page) == []
    assert 'id="tracker-reply-status"' in page and 'id="tracker-reply-form"' in page


@pytest.mark.parametrize("n_notes", [1, 30])
def test_opening_a_conversation_reads_a_fixed_number_of_queries(
    teammate_client, teammate, linked, django_assert_max_num_queries, n_notes
):
    conversation, ticket = linked
    for _ in range(n_notes):
        actions.post_ticket_note(actor=teammate, ticket_id=ticket.pk, body="More.")
    url = reverse("inbox:conversation", args=["all", conversation.pk])

    # session, teammate, conversation, timeline and its attachments; the ticket side with its ticket's pane
    with django_assert_max_num_queries(5 + SIDE_QUERIES - 2):
        response = teammate_client.get(url, headers=htmx_target("main"))
    assert response.status_code == 200


def test_tracker_page_reads_a_fixed_number_of_queries(teammate_client, tracked, django_assert_max_num_queries):
    # session, teammate, team-less view, the list; the nav; the pane; the reply status (tracker, latest reply,
    # two checks of the refusal); the links (the tracker, a page, the counts)
    with django_assert_max_num_queries(3 + NAV_QUERIES + PANE_QUERIES - 2 + 4 + 3):
        response = teammate_client.get(reverse("tickets:ticket", args=["trackers", tracked.pk]))
    assert response.status_code == 200
