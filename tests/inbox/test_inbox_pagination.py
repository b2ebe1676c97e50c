"""Keyset pages of the inbox lists: Previous and Next carry the cursor of a boundary row (helpdesk.pagination)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from inbox.models import Conversation, ConversationState, PartKind
from tests.factories import BackOfficeTicketFactory, ConversationFactory, PartFactory, TeamFactory, TeammateFactory
from tests.inbox.pages import (
    HTMX,
    NAV_QUERIES,
    html_of,
    htmx_target,
    pager_link,
    root_id,
    subjects,
    view_url,
)
from tests.tickets.pages import SIDE_QUERIES

pytestmark = pytest.mark.django_db


# Keyset pages: Previous and Next carry the cursor of a boundary row (helpdesk.pagination)


@pytest.fixture
def tied_conversations(monkeypatch) -> list[Conversation]:
    """Pages of three over 14 open conversations on three `updated_at` values (two a microsecond apart), many
    waiting since the same moment and some not waiting (NULL), plus a closed one that no page shows."""
    monkeypatch.setattr("inbox.selectors.lists.PAGE_SIZE", 3)
    now = timezone.now().replace(microsecond=500_000)
    moments = [now, now - timedelta(microseconds=1), now - timedelta(hours=1)]
    waits = [None, now - timedelta(days=1), now - timedelta(days=2), now - timedelta(days=1)]
    for index, conversation in enumerate(ConversationFactory.create_batch(14)):
        Conversation.objects.filter(pk=conversation.pk).update(
            updated_at=moments[index % 3], waiting_since=waits[index % 4]
        )
    ConversationFactory(closed=True)
    return list(Conversation.objects.filter(state=ConversationState.OPEN))


def in_list_order(conversations: list[Conversation], sort: str) -> list[str]:
    if sort == "waiting":
        far = timezone.now()
        key = lambda c: (c.waiting_since is None, c.waiting_since or far, c.updated_at, c.pk)  # noqa: E731
    else:
        key = lambda c: (c.updated_at, c.pk)  # noqa: E731
    return [c.subject for c in sorted(conversations, key=key, reverse=sort == "newest")]


def follow(client, url: str, rel: str) -> list[list[str]]:
    """The subjects of each page met following `rel` links from `url` (as htmx swaps the list), in that order."""
    pages = []
    while url and len(pages) < 50:
        response = client.get(url, headers=htmx_target("conversation-list"))
        assert response.status_code == 200
        pages.append(subjects(response))
        url = pager_link(response, rel)
    return pages


@pytest.mark.parametrize("sort", ["newest", "oldest", "waiting"])
def test_inbox_pages_forward_and_back_show_every_conversation_once_in_order(teammate_client, tied_conversations, sort):
    expected = in_list_order(tied_conversations, sort)

    forward = follow(teammate_client, view_url(sort=sort), "next")
    last_page = teammate_client.get(pager_link_to_last_page(teammate_client, sort), headers=HTMX)
    backward = follow(teammate_client, pager_link(last_page, "prev"), "prev")

    assert sum(forward, []) == expected
    assert [len(page) for page in forward] == [3, 3, 3, 3, 2]
    assert sum(reversed(backward), []) + subjects(last_page) == expected
    assert [len(page) for page in backward] == [3, 3, 3, 3]


def pager_link_to_last_page(client, sort: str) -> str:
    url = view_url(sort=sort)
    while next_url := pager_link(client.get(url, headers=htmx_target("conversation-list")), "next"):
        url = next_url
    return url


def test_inbox_pager_links_appear_only_where_there_are_more_pages(teammate_client, tied_conversations):
    first = teammate_client.get(view_url())
    middle = teammate_client.get(pager_link(first, "next"))
    last = teammate_client.get(pager_link_to_last_page(teammate_client, "newest"))

    assert (pager_link(first, "prev"), bool(pager_link(first, "next"))) == (None, True)
    assert bool(pager_link(middle, "prev")) and bool(pager_link(middle, "next"))
    assert (bool(pager_link(last, "prev")), pager_link(last, "next")) == (True, None)


def test_inbox_pager_is_absent_from_a_single_page(teammate_client):
    ConversationFactory.create_batch(3)

    assert 'class="pager"' not in teammate_client.get(view_url()).content.decode()


def test_inbox_pager_links_keep_the_state_sort_and_htmx_swap(teammate_client, tied_conversations):
    Conversation.objects.update(state=ConversationState.CLOSED)

    response = teammate_client.get(view_url(state="closed", sort="oldest"), headers=htmx_target("conversation-list"))

    link = re.search(r'<a class="button" rel="next" href="([^"]+)" hx-get="([^"]+)"([^>]*)>Next', html_of(response))
    assert link.group(1) == link.group(2) and "state=closed&amp;sort=oldest&amp;after=" in link.group(1)
    assert 'hx-target="#conversation-list" hx-swap="outerHTML" hx-push-url="true"' in link.group(3)


def test_inbox_tabs_and_sort_of_a_later_page_go_back_to_the_first_page(teammate_client, tied_conversations):
    second = teammate_client.get(pager_link(teammate_client.get(view_url()), "next"))
    header = html_of(second).split('<div class="list-header">')[1].split('<ul class="items"')[0]

    assert "after=" not in header and "before=" not in header
    assert 'name="after"' not in header and 'name="before"' not in header


def test_inbox_list_refresh_and_items_keep_the_page(teammate_client, tied_conversations):
    second_url = pager_link(teammate_client.get(view_url()), "next")
    cursor = second_url.split("after=")[1]

    page = html_of(teammate_client.get(second_url))

    assert re.search(rf'id="conversation-list"[^>]*hx-get="[^"]*after={re.escape(cursor)}"', page)
    assert re.search(rf'data-list-item href="[^"]*after={re.escape(cursor)}"', page)


@pytest.mark.parametrize(
    "query",
    [{"state": "deleted"}, {"sort": "random"}, {"after": "abc"}, {"before": "abc:def"}, {"after": "x" * 1001}],
)
def test_inbox_refuses_bad_filters_with_400(teammate_client, query):
    response = teammate_client.get(view_url(**query))

    assert response.status_code == 400
    assert "Those list filters are not valid." in response.content.decode()


def test_inbox_refuses_a_changed_page_link_with_400_and_says_why(teammate_client, tied_conversations):
    next_url = pager_link(teammate_client.get(view_url()), "next")
    changed = next_url[:-8] + ("A" if next_url[-8] != "A" else "B") + next_url[-7:]

    response = teammate_client.get(changed, headers=HTMX)

    assert response.status_code == 400
    assert "That page link is broken or was changed." in response.content.decode()


def test_inbox_refuses_a_page_link_of_another_sort_with_400(teammate_client, tied_conversations):
    next_url = pager_link(teammate_client.get(view_url(sort="newest")), "next")

    response = teammate_client.get(next_url.replace("sort=newest", "sort=waiting"))

    assert response.status_code == 400
    assert "That page link belongs to another sort of the list." in response.content.decode()


def test_inbox_refuses_both_after_and_before_with_400(teammate_client, tied_conversations):
    cursor = pager_link(teammate_client.get(view_url()), "next").split("after=")[1]

    response = teammate_client.get(view_url(after=cursor, before=cursor))

    assert response.status_code == 400
    assert "not both" in response.content.decode()


def test_inbox_list_shows_an_empty_state(teammate_client):
    response = teammate_client.get(view_url(state="closed"))

    assert "No closed conversations here." in response.content.decode()


def test_inbox_list_partial_for_htmx(teammate_client):
    ConversationFactory(subject="Listed")

    response = teammate_client.get(view_url(), headers=htmx_target("conversation-list"))

    assert root_id(response) == "conversation-list"
    assert "Listed" in response.content.decode()


def test_inbox_conversation_detail_partial_for_htmx(teammate_client, conversation):
    response = teammate_client.get(view_url(conversation=conversation), headers=htmx_target("main"))

    assert root_id(response) == "conversation-detail"
    assert 'id="ticket-side"' in response.content.decode()


def test_inbox_full_page_shows_the_open_conversation_beside_the_list(teammate_client, conversation):
    PartFactory(conversation=conversation, body="Where is my parcel?")

    html = teammate_client.get(view_url(conversation=conversation)).content.decode()

    assert 'id="conversation-list"' in html and 'id="conversation-pane"' in html
    assert "Where is my parcel?" in html


def test_inbox_unknown_conversation_is_404(teammate_client):
    assert teammate_client.get(reverse("inbox:conversation", args=["all", 999999])).status_code == 404


@pytest.mark.parametrize("n_conversations", [3, 30])
def test_inbox_list_query_count_does_not_grow(teammate_client, django_assert_max_num_queries, n_conversations):
    ConversationFactory.create_batch(n_conversations, assignee=TeammateFactory(), team=TeamFactory())

    # session, user, the page of conversations (contact, assignee and team joined)
    with django_assert_max_num_queries(3):
        response = teammate_client.get(view_url(), headers=htmx_target("conversation-list"))

    assert len(subjects(response)) == min(n_conversations, 25)


@pytest.mark.parametrize("sort", ["newest", "waiting"])
def test_inbox_later_page_query_count_is_the_first_pages(teammate_client, django_assert_max_num_queries, sort):
    ConversationFactory.create_batch(60, assignee=TeammateFactory(), team=TeamFactory(), waiting_since=timezone.now())
    next_url = pager_link(teammate_client.get(view_url(sort=sort), headers=htmx_target("conversation-list")), "next")

    # session, user, the page of conversations after the cursor
    with django_assert_max_num_queries(3):
        response = teammate_client.get(next_url, headers=htmx_target("conversation-list"))

    assert len(subjects(response)) == 25


@pytest.mark.parametrize(("n_parts", "n_tickets"), [(2, 1), (200, 5)])
def test_conversation_page_query_count_does_not_grow(
    teammate_client, teammate, django_assert_max_num_queries, n_parts, n_tickets
):
    conversation = ConversationFactory()
    authors = TeammateFactory.create_batch(3)
    for i in range(n_parts):
        PartFactory(conversation=conversation, kind=PartKind.NOTE, author=authors[i % 3])
    BackOfficeTicketFactory.create_batch(n_tickets, actor=teammate, conversation=conversation)
    ConversationFactory.create_batch(5)

    # session, user, list, conversation, timeline and its attachments; the nav; the ticket side with the first
    # ticket's pane (tests/tickets/pages.py): what the page and the three requests it made on load used to read
    with django_assert_max_num_queries(6 + NAV_QUERIES + SIDE_QUERIES - 2):
        response = teammate_client.get(view_url(conversation=conversation))

    assert response.status_code == 200
    assert response.content.decode().count('id="part-') == n_parts + n_tickets  # + each "ticket linked" event
