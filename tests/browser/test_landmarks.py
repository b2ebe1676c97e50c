"""Every swap keeps the page's landmarks: axe-core finds no violation, of any impact, on the inbox and the
ticket views after loading, opening and switching panes, opening and closing the action disclosures, and a
live refresh. (The same pages loaded by their URL are not enough: a swap once replaced <main> itself.)"""

import re

import pytest
from playwright.sync_api import expect

from inbox.actions import record_customer_message
from tests.factories import BackOfficeTicketFactory, ConversationFactory, PartFactory, TicketTypeFactory
from tickets.actions import post_ticket_note

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LIVE = 3_000  # ms: a change made elsewhere shows up within about 2 s (DESIGN.md, section 5)


def expect_landmarks(page) -> None:
    """One main landmark, the one the skip link names, holding the open pane."""
    expect(page.get_by_role("main")).to_have_count(1)
    expect(page.locator("main#main")).to_have_count(1)
    expect(page.get_by_role("link", name="Skip to main content")).to_have_attribute("href", "#main")


@pytest.fixture
def two_conversations(teammate, other_teammate):
    TicketTypeFactory(name="Refund request")  # something to offer in the ticket form and convert disclosures
    TicketTypeFactory(name="Bug report", customer=True)
    first = ConversationFactory(assignee=teammate, subject="Charged twice")
    PartFactory(conversation=first, body="I was charged twice for order 1042.")
    BackOfficeTicketFactory(
        actor=teammate, conversation=first, title="Refund order 1042", assignee_id=other_teammate.pk
    )
    second = ConversationFactory(assignee=teammate, subject="Parcel missing")
    PartFactory(conversation=second, body="My parcel never arrived.")
    return first, second


def open_conversation(page, subject: str) -> None:
    page.get_by_role("link", name=re.compile(subject)).click()
    expect(page.get_by_role("heading", level=2, name=subject)).to_be_visible()


def test_inbox_keeps_its_landmarks_through_every_swap(open_as, apply_outbox, violations, teammate, two_conversations):
    first, second = two_conversations
    page = open_as(teammate, "/inbox/mine/")
    expect(page.locator("[data-list-item]")).to_have_count(2)
    expect(page.locator("#nav .nav-link").first).to_be_visible()
    assert violations(page) == [], "loaded"

    open_conversation(page, "Charged twice")
    expect(page.locator("#ticket-side")).to_contain_text("Refund order 1042")
    expect_landmarks(page)
    assert violations(page) == [], "opened from the list"

    open_conversation(page, "Parcel missing")
    expect_landmarks(page)
    assert violations(page) == [], "switched to another conversation"

    actions = page.get_by_role("group", name="Conversation actions")
    for summary, loaded in [
        ("Assign", None),
        ("Snooze", None),
        ("Send ticket form", "Refund request"),
        ("Convert to customer ticket", "Bug report"),
    ]:
        disclosure = actions.locator("details", has=page.locator("summary", has_text=summary))
        disclosure.locator("summary").click()
        expect(disclosure).to_have_attribute("open", "")
        if loaded:
            expect(disclosure).to_contain_text(loaded)
        assert violations(page) == [], f"{summary} open"
        disclosure.locator("summary").click()
        expect(disclosure).not_to_have_attribute("open", "")
        assert violations(page) == [], f"{summary} closed"

    record_customer_message(conversation_id=second.pk, body="Any news about my parcel?")
    apply_outbox()
    expect(page.locator("#conversation-timeline")).to_contain_text("Any news about my parcel?", timeout=LIVE)
    expect_landmarks(page)
    assert violations(page) == [], "after a live refresh"
    assert page.evaluate("window.__same_document") is True

    page.get_by_role("link", name="Skip to main content").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()


def test_ticket_view_keeps_its_landmarks_through_every_swap(
    open_as, apply_outbox, violations, teammate, other_teammate
):
    first = BackOfficeTicketFactory(actor=teammate, title="Refund order 1042", assignee_id=other_teammate.pk)
    PartFactory(conversation=first.linked_conversation, body="I was charged twice for order 1042.")
    second = BackOfficeTicketFactory(actor=teammate, title="Replace parcel 77", assignee_id=other_teammate.pk)
    PartFactory(conversation=second.linked_conversation, body="My parcel never arrived.")
    page = open_as(other_teammate, "/tickets/mine/")
    expect(page.locator("[data-list-item]")).to_have_count(2)
    expect(page.locator("#nav .nav-link").first).to_be_visible()
    assert violations(page) == [], "loaded"

    page.get_by_role("link", name=re.compile("Refund order 1042")).click()
    expect(page.locator("#ticket-title")).to_contain_text("Refund order 1042")
    expect(page.get_by_role("region", name="Linked conversation")).to_contain_text("I was charged twice")
    expect_landmarks(page)
    assert violations(page) == [], "opened from the list"

    page.get_by_role("link", name=re.compile("Replace parcel 77")).click()
    expect(page.locator("#ticket-title")).to_contain_text("Replace parcel 77")
    expect(page.get_by_role("region", name="Linked conversation")).to_contain_text("My parcel never arrived.")
    expect_landmarks(page)
    assert violations(page) == [], "switched to another ticket"

    edit = page.locator("#ticket-edit")
    edit.locator("summary").click()
    expect(edit).to_have_attribute("open", "")
    expect(edit.get_by_label("Title")).to_be_focused()  # the form, loaded as it opened
    assert violations(page) == [], "edit open"
    edit.locator("summary").click()

    post_ticket_note(actor=teammate, ticket_id=second.pk, body="Parcel reordered.")
    apply_outbox()
    expect(page.locator("#ticket-timeline")).to_contain_text("Parcel reordered.", timeout=LIVE)
    expect_landmarks(page)
    assert violations(page) == [], "after a live refresh"
    assert page.evaluate("window.__same_document") is True
