"""axe-core finds no serious or critical violation on the teammates' pages (the `blocking_violations` fixture)."""

import re
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from inbox.actions import post_note
from inbox.models import StateEffect
from tests.factories import (
    BackOfficeTicketFactory,
    ContactFactory,
    ConversationFactory,
    PartFactory,
    SavedReplyFactory,
    TicketTypeFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def conversation_with_ticket(teammate, other_teammate):
    conversation = ConversationFactory(assignee=teammate)
    PartFactory(conversation=conversation, body="I was charged twice for order 1042.")
    BackOfficeTicketFactory(
        actor=teammate, conversation=conversation, title="Refund order 1042", assignee_id=other_teammate.pk
    )
    return conversation


def test_inbox_has_no_serious_accessibility_violations(
    open_as, blocking_violations, teammate, conversation_with_ticket
):
    page = open_as(teammate, "/inbox/mine/")
    expect(page.locator("[data-list-item]")).to_have_count(1)
    expect(page.locator("#nav .nav-link").first).to_be_visible()

    assert blocking_violations(page) == []


def test_split_view_has_no_serious_accessibility_violations(
    open_as, blocking_violations, teammate, conversation_with_ticket
):
    page = open_as(teammate, f"/inbox/mine/{conversation_with_ticket.pk}/")
    expect(page.locator("#ticket-side")).to_contain_text("Refund order 1042")

    assert blocking_violations(page) == []


def test_ticket_view_has_no_serious_accessibility_violations(
    open_as, blocking_violations, other_teammate, conversation_with_ticket
):
    ticket = conversation_with_ticket.back_office_tickets.get()
    page = open_as(other_teammate, f"/tickets/mine/{ticket.pk}/")
    expect(page.locator("#main")).to_contain_text("Refund order 1042")
    expect(page.locator("#main")).to_contain_text("I was charged twice for order 1042.")

    assert blocking_violations(page) == []


def test_shortcut_sheet_has_no_serious_accessibility_violations(open_as, blocking_violations, teammate):
    page = open_as(teammate, "/inbox/mine/")
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()

    assert blocking_violations(page) == []


def test_composer_with_saved_replies_open_has_no_serious_accessibility_violations(
    open_as, blocking_violations, teammate, conversation_with_ticket
):
    SavedReplyFactory(name="Refund approved", body="Hi {{contact.first_name}}", state_effect=StateEffect.CLOSE)
    SavedReplyFactory(name="Refund denied", body="Sorry {{contact.first_name}}")
    page = open_as(teammate, f"/inbox/mine/{conversation_with_ticket.pk}/")
    page.keyboard.press("r")
    page.keyboard.type("/refund")
    expect(page.locator("#composer [role='option']")).to_have_count(2)
    page.keyboard.press("ArrowDown")

    assert blocking_violations(page) == []


@pytest.fixture
def found_by_search(teammate, conversation_with_ticket):
    """A conversation, a ticket and a contact, by kind: the words that find each, and its id."""
    post_note(actor=teammate, conversation_id=conversation_with_ticket.pk, body="Refund approved by billing.")
    contact = conversation_with_ticket.contact
    ticket = conversation_with_ticket.back_office_tickets.get()
    return {
        "conversations": ("refund", conversation_with_ticket.pk),
        "tickets": ("refund", ticket.pk),
        "contacts": (contact.external_id, contact.pk),
    }


@pytest.mark.parametrize("kind", ["conversations", "tickets", "contacts"])
def test_search_page_with_results_and_an_open_item_has_no_serious_accessibility_violations(
    open_as, blocking_violations, teammate, found_by_search, kind
):
    words, item_id = found_by_search[kind]
    query = {"q": words, "kind": kind, "open": item_id}
    if kind != "contacts":
        query["state"] = "open"  # the filters shown open, with their pickers
    page = open_as(teammate, "/search/?" + urlencode(query))
    expect(page.locator("#search-results [data-list-item][aria-current='true']")).to_have_count(1)
    expect(page.locator("#main h2").first).to_be_visible()
    if kind != "contacts":
        expect(page.locator(".search-filters .ts-wrapper")).to_have_count(2)

    assert blocking_violations(page) == []


def test_command_palette_has_no_serious_accessibility_violations(
    open_as, blocking_violations, teammate, conversation_with_ticket
):
    """Open over the split view, with every group of options: commands, conversations, tickets, contacts, search."""
    BackOfficeTicketFactory(
        actor=teammate,
        title="Note for finance",
        conversation=ConversationFactory(contact=ContactFactory(name="Nora Notes"), subject="A note about billing"),
    )
    page = open_as(teammate, f"/inbox/mine/{conversation_with_ticket.pk}/")
    page.keyboard.press("Control+k")
    palette = page.get_by_role("dialog", name="Go to or do")
    palette.get_by_role("combobox").press_sequentially("note")
    groups = palette.get_by_role("listbox", name="Results").get_by_role("group")
    expect(groups).to_have_count(5)
    expect(palette.get_by_role("status")).to_have_text(re.compile(r"\d+ results"))

    assert blocking_violations(page) == []


def test_search_page_has_no_accessibility_violation_after_searching_and_opening(
    open_as, violations, teammate, found_by_search
):
    """Every impact, after the swaps: the results replaced (with the tabs and status out of band), an item opened."""
    page = open_as(teammate, "/search/")
    page.keyboard.press("/")
    page.keyboard.type("refund")
    page.keyboard.press("Enter")
    expect(page.locator("#search-results [data-list-item]")).to_have_count(1)
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    expect(page.locator("#main #conversation-pane")).to_be_visible()

    assert violations(page) == []


def test_split_view_with_ticket_form_open_has_unique_ids(open_as, teammate):
    """A label's `for` reaches the first element with that id: a duplicate labels the wrong field."""
    TicketTypeFactory()
    page = open_as(teammate, f"/inbox/mine/{ConversationFactory(assignee=teammate).pk}/")
    page.locator("#ticket-side").get_by_role("button", name="New back-office ticket").click()
    expect(page.locator("#ticket-create")).to_be_visible()

    duplicates = page.evaluate(
        """() => {
            const ids = Array.from(document.querySelectorAll("[id]"), (element) => element.id);
            return [...new Set(ids.filter((id, index) => ids.indexOf(id) !== index))];
        }"""
    )
    assert duplicates == []


def test_blocking_violations_reports_unnamed_button(open_as, blocking_violations, teammate):
    """Control: the check above would have seen a critical violation (a button with no name)."""
    page = open_as(teammate, "/inbox/mine/")
    page.evaluate("document.querySelector('#main').append(Object.assign(document.createElement('button'), {id: 'x'}))")

    assert [line.split(" at ")[0] for line in blocking_violations(page)] == ["button-name (critical)"]
