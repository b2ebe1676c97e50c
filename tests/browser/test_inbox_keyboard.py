"""The inbox from the keyboard, and live updates that leave the teammate's typing alone (static/js/app.js)."""

import re

import pytest
from playwright.sync_api import expect

from inbox.actions import record_customer_message
from inbox.models import Part, PartKind
from tests.factories import ConversationFactory, PartFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LIVE = 3_000  # ms: what another teammate or a task changed shows up within about 2 s (DESIGN.md, section 5)


def test_shortcut_sheet_opens_on_question_mark_and_closes_on_escape(open_as, teammate):
    page = open_as(teammate, "/inbox/mine/")
    sheet = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(sheet).to_be_hidden()

    page.keyboard.press("?")
    expect(sheet).to_be_visible()
    expect(sheet.get_by_role("cell", name="Write a note on the linked ticket")).to_be_visible()

    page.keyboard.press("Escape")
    expect(sheet).to_be_hidden()


def test_list_j_and_k_move_focus_and_enter_opens_conversation_in_place(open_as, teammate):
    oldest, middle, newest = (ConversationFactory(assignee=teammate) for _ in range(3))
    page = open_as(teammate, "/inbox/mine/")
    items = page.locator("[data-list-item]")
    expect(items).to_have_count(3)

    page.keyboard.press("j")
    expect(items.nth(0)).to_be_focused()
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(items.nth(2)).to_be_focused()
    page.keyboard.press("k")
    expect(items.nth(1)).to_be_focused()
    expect(items.nth(1)).to_contain_text(middle.subject)  # newest first

    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=2, name=middle.subject)).to_be_visible()
    expect(page.locator("#conversation-pane #composer")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/inbox/mine/{middle.pk}/\?"))
    assert page.evaluate("window.__same_document") is True


def test_composer_r_focuses_reply_mode_and_ctrl_enter_sends_reply(open_as, teammate):
    conversation = ConversationFactory(assignee=teammate)
    page = open_as(teammate, f"/inbox/mine/{conversation.pk}/")
    composer = page.locator("#composer [data-composer]")

    page.keyboard.press("r")
    expect(composer).to_be_focused()
    expect(page.get_by_role("radio", name="Reply")).to_be_checked()

    composer.press_sequentially("Your refund is on its way.")
    composer.press("Control+Enter")
    expect(page.locator("#conversation-timeline .part-reply")).to_contain_text("Your refund is on its way.")
    expect(composer).to_have_value("")
    assert page.evaluate("window.__same_document") is True
    assert Part.objects.filter(conversation=conversation, kind=PartKind.REPLY).count() == 1


def test_composer_keeps_typed_text_while_live_update_shows_customer_message(open_as, apply_outbox, teammate):
    conversation = ConversationFactory(assignee=teammate)
    PartFactory(conversation=conversation, body="My order never arrived.")
    page = open_as(teammate, f"/inbox/mine/{conversation.pk}/")
    composer = page.locator("#composer [data-composer]")
    composer.click()
    composer.press_sequentially("Sorry to hear that, let me")

    record_customer_message(conversation_id=conversation.pk, body="Any news about my order?")
    apply_outbox()  # as the worker would: it publishes the change to the open tabs

    expect(page.locator("#conversation-timeline")).to_contain_text("Any news about my order?", timeout=LIVE)
    expect(composer).to_have_value("Sorry to hear that, let me")
    expect(composer).to_be_focused()
    assert page.evaluate("window.__same_document") is True


def test_t_with_no_linked_ticket_says_why(open_as, teammate):
    conversation = ConversationFactory(assignee=teammate)
    page = open_as(teammate, f"/inbox/mine/{conversation.pk}/")
    expect(page.locator("#ticket-side").get_by_role("button", name="New back-office ticket")).to_be_visible()

    page.keyboard.press("t")

    expect(page.get_by_role("status")).to_have_text(
        "No linked ticket to write a note on: create a back-office ticket or link a tracker first."
    )
    expect(page.locator("#composer [data-composer]")).not_to_be_focused()


def test_r_with_no_conversation_open_says_why_until_a_key_acts(open_as, teammate):
    ConversationFactory(assignee=teammate)
    page = open_as(teammate, "/inbox/mine/")
    status = page.get_by_role("status")

    page.keyboard.press("r")

    expect(status).to_have_text("No conversation is open: choose one from the list first to reply to the customer.")
    page.keyboard.press("j")
    expect(page.locator("[data-list-item]").first).to_be_focused()
    expect(page.locator("#flash")).to_be_empty()  # an empty region is hidden: no role to find it by
