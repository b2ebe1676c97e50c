"""The search page (helpdesk/search_views.py): results in the middle pane, the item opened beside them, bad
parameters refused with a message, a fixed number of queries, and nothing for anyone but a teammate."""

import re

import pytest
from django.urls import reverse

from helpdesk.pagination import encode_cursor
from helpdesk.search import NEWEST_KEYS
from inbox import actions
from inbox.models import PartKind
from tests.factories import BackOfficeTicketFactory, ContactFactory, ConversationFactory, PartFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("search")
RESULTS = {"HX-Request": "true", "HX-Target": "search-results"}
MAIN = {"HX-Request": "true", "HX-Target": "main"}
# The nav's counts, the teammate, the session, the plan's estimate, the page, the snippets, the filters' options.
SEARCH_PAGE_QUERIES = 12


def test_search_page_shows_the_matching_conversation_with_its_note_snippet(teammate_client, teammate):
    conversation = ConversationFactory(subject="Delivery")
    actions.post_note(actor=teammate, conversation_id=conversation.pk, body="Courier lost the <b>parcel</b>")
    response = teammate_client.get(SEARCH, {"q": "courier"})
    assert response.status_code == 200
    page = response.content.decode()
    assert f"open={conversation.pk}" in page and "Internal note:" in page
    assert "<mark>Courier</mark>" in page and "<b>parcel</b>" not in page


def test_search_page_without_words_explains_what_to_type(teammate_client):
    response = teammate_client.get(SEARCH)
    assert response.status_code == 200 and b"for a number" in response.content


def test_search_page_says_when_nothing_matches(teammate_client):
    response = teammate_client.get(SEARCH, {"q": "unfindable"}, headers=RESULTS)
    assert response.status_code == 200
    assert b'id="search-results"' in response.content and b"No conversations match" in response.content


@pytest.mark.parametrize(
    "query",
    [
        {"q": "x", "kind": "files"},
        {"q": "x", "after": "broken"},
        {"q": "x", "since": "2026-12-03", "until": "2026-12-01"},
        {"q": "x", "open": "abc"},
        {"q": "x" * 201},
        {"q": "x", "state": "sleeping"},
        {"q": "x", "team": "999999"},
    ],
)
def test_search_page_refuses_bad_parameters_with_a_400(teammate_client, query):
    response = teammate_client.get(SEARCH, query)
    assert response.status_code == 400 and b"bad parameter" in response.content


def test_search_page_opens_a_conversation_beside_the_results(teammate_client):
    part = PartFactory(body="the kettle is broken")
    url = f"{SEARCH}?q=kettle&open={part.conversation_id}"
    detail = teammate_client.get(url, headers=MAIN)
    assert detail.status_code == 200 and b'id="conversation-detail"' in detail.content
    whole = teammate_client.get(url).content.decode()
    assert 'id="conversation-detail"' in whole and 'aria-current="true"' in whole


def test_search_page_opens_a_ticket_and_a_contact(teammate_client):
    ticket = BackOfficeTicketFactory(title="Broken kettle")
    response = teammate_client.get(SEARCH, {"q": "kettle", "kind": "tickets", "open": ticket.pk}, headers=MAIN)
    assert response.status_code == 200 and b'id="ticket-detail"' in response.content
    contact = ContactFactory(name="Kettle Owner")
    ConversationFactory(contact=contact, subject="About my kettle")
    response = teammate_client.get(SEARCH, {"q": "kettle", "kind": "contacts", "open": contact.pk}, headers=MAIN)
    assert response.status_code == 200
    assert b'id="contact-detail"' in response.content and b"About my kettle" in response.content


def test_search_page_open_item_that_does_not_exist_is_a_404(teammate_client):
    assert teammate_client.get(SEARCH, {"q": "x", "open": 999999}, headers=MAIN).status_code == 404


@pytest.mark.parametrize("matches", [1, 10])
@pytest.mark.parametrize("kind", ["conversations", "tickets", "contacts"])
def test_search_page_query_count_is_fixed(teammate_client, django_assert_max_num_queries, matches, kind):
    for n in range(matches):
        conversation = ConversationFactory(contact=ContactFactory(name=f"Gadget fan {n}"))
        PartFactory(conversation=conversation, kind=PartKind.NOTE, body="gadget broken")
        BackOfficeTicketFactory(conversation=conversation, title="Gadget")
    with django_assert_max_num_queries(SEARCH_PAGE_QUERIES):
        response = teammate_client.get(SEARCH, {"q": "gadget", "kind": kind})
    assert response.status_code == 200


def test_search_page_is_not_for_customers(client):
    """A customer (signed into the messenger or not) is not a signed-in teammate: sent to the login page, shown
    nothing of what the search would find."""
    PartFactory(kind=PartKind.NOTE, body="internal secret about the refund")
    response = client.get(SEARCH, {"q": "secret"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert b"internal secret" not in response.content


def tab_links(page: str) -> dict[str, str]:
    """The kind tabs' links, by label."""
    tabs = page[page.index('id="search-tabs"') :]
    tabs = tabs[: tabs.index("</nav>")]
    return {label: href.replace("&amp;", "&") for href, label in re.findall(r'href="([^"]+)"[^>]*>([^<]+)</a>', tabs)}


def test_search_page_tabs_keep_the_words_and_the_filters_each_kind_has(teammate_client, team):
    query = {"q": "kettle", "state": "open", "team": team.pk, "since": "2026-01-01", "sort": "best"}
    links = tab_links(teammate_client.get(SEARCH, query).content.decode())
    common = f"q=kettle&state=open&team={team.pk}&since=2026-01-01&sort=best"
    assert links["Conversations"] == f"{SEARCH}?{common}&kind=conversations"
    assert links["Tickets"] == f"{SEARCH}?{common}&kind=tickets"  # tickets have an "open" status too
    assert links["Contacts"] == f"{SEARCH}?q=kettle&kind=contacts"  # contacts have no filters


def test_search_page_tabs_drop_a_state_the_other_kind_has_not(teammate_client):
    links = tab_links(teammate_client.get(SEARCH, {"q": "kettle", "state": "snoozed"}).content.decode())
    assert links["Tickets"] == f"{SEARCH}?q=kettle&kind=tickets"  # "snoozed" would be a 400 there
    assert teammate_client.get(links["Tickets"]).status_code == 200


def test_search_page_results_swapped_alone_bring_the_tabs_status_and_title(teammate_client):
    PartFactory(body="the kettle is broken")
    response = teammate_client.get(SEARCH, {"q": "kettle", "kind": "conversations"}, headers=RESULTS)
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="search-results"')
    assert '<nav id="search-tabs" class="tabs" aria-label="Search in" hx-swap-oob="true">' in page
    assert '<p id="search-status" hx-swap-oob="innerHTML">1 conversation matches “kettle”.</p>' in page
    assert "<title>kettle · Search · Help desk</title>" in page
    assert "kind=tickets" in tab_links(page)["Tickets"] and "q=kettle" in tab_links(page)["Tickets"]


def test_search_page_whole_has_no_out_of_band_copies(teammate_client):
    page = teammate_client.get(SEARCH, {"q": "kettle"}).content.decode()
    assert "hx-swap-oob" not in page and page.count('id="search-status"') == 1
    assert '<p id="search-status" class="visually-hidden" role="status">No conversations match “kettle”.</p>' in page


def test_search_page_open_item_is_sent_with_the_next_search(teammate_client):
    """The main pane carries the open item's id (#search-open, included by the form), so a new search keeps it in
    the address; with nothing open, the field is empty."""
    part = PartFactory(body="the kettle is broken")
    detail = teammate_client.get(SEARCH, {"q": "kettle", "open": part.conversation_id}, headers=MAIN).content.decode()
    assert f'<input type="hidden" id="search-open" name="open" value="{part.conversation_id}">' in detail
    page = teammate_client.get(SEARCH, {"q": "kettle"}).content.decode()
    assert '<input type="hidden" id="search-open" name="open" value="">' in page
    assert 'hx-include="#search-open"' in page


def test_search_page_no_match_on_a_later_page_links_the_first_page_with_the_filters(teammate_client, team):
    after = encode_cursor(ConversationFactory(), keys=NEWEST_KEYS)
    response = teammate_client.get(SEARCH, {"q": "teapot", "team": team.pk, "after": after}, headers=RESULTS)
    page = response.content.decode().replace("&amp;", "&")
    assert "Back to the first page" in page and f'hx-get="{SEARCH}?q=teapot&team={team.pk}"' in page


def test_search_page_filters_show_open_when_set_and_not_for_contacts(teammate_client):
    page = teammate_client.get(SEARCH, {"q": "kettle", "kind": "contacts"}).content.decode()
    assert 'id="search-options"' not in page
    page = teammate_client.get(SEARCH, {"q": "kettle", "sort": "best"}).content.decode()
    assert 'id="search-options"' in page and 'class="search-filters" open' not in page  # the sort is no filter
    page = teammate_client.get(SEARCH, {"q": "kettle", "state": "closed"}).content.decode()
    assert 'class="search-filters" open' in page


def test_search_page_finds_only_unassigned_items_when_asked(teammate_client, teammate):
    mine, nobodys = ConversationFactory(assignee=teammate), ConversationFactory()
    for conversation in (mine, nobodys):
        PartFactory(conversation=conversation, body="the toaster smokes")
    page = teammate_client.get(SEARCH, {"q": "toaster", "unassigned": "on"}).content.decode()
    assert f"open={nobodys.pk}" in page and f"open={mine.pk}" not in page
    both = teammate_client.get(SEARCH, {"q": "toaster", "unassigned": "on", "assignee": teammate.pk})
    assert both.status_code == 400 and b"not both" in both.content
