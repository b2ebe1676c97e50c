"""A page load is one request (issue 12): the browser asks for the page (and its static files), then nothing more
until someone does something; opening a conversation from the list is one request too. Only the live stream stays
open (static/js/live.js)."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import BackOfficeTicketFactory, ConversationFactory, PartFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def requests_of(page) -> list[str]:
    """What the page asks its server for from now on, but static files and the live stream."""
    asked: list[str] = []

    def note(request) -> None:
        if request.resource_type in ("document", "xhr", "fetch") and "/static/" not in request.url:
            asked.append(f"{request.method} {re.sub(r'^https?://[^/]+', '', request.url)}")

    page.on("request", note)
    return asked


@pytest.fixture
def linked(teammate, other_teammate):
    conversation = ConversationFactory(assignee=teammate, subject="Charged twice")
    PartFactory(conversation=conversation, body="I was charged twice for order 1042.")
    BackOfficeTicketFactory(actor=teammate, conversation=conversation, title="Refund order 1042")
    other = ConversationFactory(assignee=teammate, subject="Parcel missing")
    return conversation, other


def test_inbox_page_with_a_conversation_is_one_request(open_as, teammate, linked):
    conversation, _other = linked
    page = open_as(teammate, "/inbox/mine/")
    asked = requests_of(page)

    page.goto(f"/inbox/mine/{conversation.pk}/")
    page.wait_for_load_state("networkidle")

    assert asked == [f"GET /inbox/mine/{conversation.pk}/"]
    expect(page.locator("#nav .count").first).to_be_visible()
    expect(page.locator("#ticket-side")).to_contain_text("Refund order 1042")


def test_opening_a_conversation_from_the_list_is_one_request(open_as, teammate, linked):
    conversation, other = linked
    page = open_as(teammate, f"/inbox/mine/{other.pk}/")
    page.wait_for_load_state("networkidle")
    asked = requests_of(page)

    page.locator("#conversation-list").get_by_role("link", name=re.compile("Charged twice")).click()
    expect(page.locator("#ticket-side")).to_contain_text("Refund order 1042")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)  # anything the swapped-in pane would have fetched on load has been asked for by now

    assert len(asked) == 1 and asked[0].startswith(f"GET /inbox/mine/{conversation.pk}/?")
