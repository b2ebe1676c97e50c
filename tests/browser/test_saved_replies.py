"""Saved replies in the browser (static/js/saved_replies.js): typed "/" in a composer, chosen from the keyboard, filled
in for the conversation, sent; their effects ride along; the palette's `insert-saved-reply` event."""

import re

import pytest
from playwright.sync_api import expect

from inbox.messenger import messenger_link
from inbox.models import ConversationState, Part, PartKind, SavedReply, SavedReplyKind, StateEffect
from tests.factories import (
    BackOfficeTicketFactory,
    ContactFactory,
    ConversationFactory,
    PartFactory,
    SavedReplyFactory,
    TicketAttributeFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

APPROVED = "Hi {{contact.first_name}}, the refund for ticket #{{ticket.number}} (order {{ticket.order_number}}) is "
APPROVED += "approved."
NOTE = "Escalated to Billing: INTERNAL-NOTE-TEXT"


@pytest.fixture
def refund_conversation(teammate):
    """Ada's conversation, with a back-office ticket for her order 1042, and saved replies to answer it."""
    conversation = ConversationFactory(assignee=teammate, contact=ContactFactory(name="Ada Lovelace"))
    PartFactory(conversation=conversation, body="I was charged twice for order 1042.")
    order = TicketAttributeFactory(key="order_number", name="Order number")
    ticket = BackOfficeTicketFactory(
        actor=teammate, conversation=conversation, ticket_type=order.ticket_type, attributes={"order_number": "1042"}
    )
    SavedReplyFactory(name="Refund approved", body=APPROVED)
    SavedReplyFactory(name="Refund denied", body="Sorry {{contact.first_name}}, no refund this time.")
    SavedReplyFactory(name="Welcome", body="Welcome!")
    SavedReplyFactory(name="Escalate", body=NOTE, kind=SavedReplyKind.NOTE)
    return conversation, ticket


def options(page):
    return page.locator("#composer [role='listbox'] [role='option']")


def test_saved_reply_typed_with_slash_is_filled_in_and_sent(
    open_as, new_context, live_server, teammate, refund_conversation
):
    conversation, ticket = refund_conversation
    page = open_as(teammate, f"/inbox/mine/{conversation.pk}/")
    composer = page.locator("#composer [data-composer]")

    page.keyboard.press("r")
    expect(composer).to_be_focused()
    composer.press_sequentially("/refu")
    expect(options(page)).to_have_text([re.compile(r"^Refund approved"), re.compile(r"^Refund denied")])
    expect(options(page).first).to_have_attribute("aria-selected", "true")
    composer.press("ArrowDown")
    expect(composer).to_have_attribute("aria-activedescendant", options(page).nth(1).get_attribute("id"))
    composer.press("ArrowUp")
    composer.press("Enter")

    filled = f"Hi Ada, the refund for ticket #{ticket.pk} (order 1042) is approved."
    expect(composer).to_have_value(filled)
    expect(page.locator("#composer [role='listbox']")).to_have_count(0)
    composer.press("Control+Enter")
    expect(page.locator("#conversation-timeline .part-reply")).to_contain_text(filled)

    # A saved note switches the composer to a note, which the customer never sees.
    composer.press_sequentially("/esc")
    expect(options(page)).to_have_text([re.compile(r"^Escalate")])
    composer.press("Enter")
    expect(page.get_by_role("radio", name="Note")).to_be_checked()
    composer.press("Control+Enter")
    expect(page.locator("#conversation-timeline .part-note")).to_contain_text(NOTE)
    assert page.evaluate("window.__same_document") is True
    assert list(Part.objects.filter(conversation=conversation, kind=PartKind.REPLY).values_list("body", flat=True)) == [
        filled
    ]

    customer = new_context(base_url=live_server.url).new_page()
    customer.goto(messenger_link(conversation.contact))
    customer.goto(f"/messenger/conversations/{conversation.pk}/")
    expect(customer.locator("main")).to_contain_text(filled)
    expect(customer.locator("main")).not_to_contain_text("INTERNAL-NOTE-TEXT")


def test_saved_reply_effects_ride_along_and_apply_when_sent(open_as, teammate, refund_conversation):
    conversation, _ = refund_conversation
    SavedReplyFactory(name="Solved, closing", body="Glad it works!", state_effect=StateEffect.CLOSE, assign_to_me=True)
    page = open_as(teammate, f"/inbox/mine/{conversation.pk}/")
    composer = page.locator("#composer [data-composer]")
    composer.click()

    composer.press_sequentially("Thanks! /sol")
    expect(options(page)).to_have_text([re.compile(r"^Solved, closing\s+Reply · then assign to me · close$")])
    composer.press("Escape")  # closes the list, and leaves the teammate in the composer
    expect(page.locator("#composer [role='listbox']")).to_have_count(0)
    expect(composer).to_be_focused()
    composer.press_sequentially("v")
    composer.press("Backspace")
    composer.press("Enter")

    expect(composer).to_have_value("Thanks! Glad it works!")
    expect(page.locator("[data-saved-reply-effects]")).to_contain_text("Will also: assign to me · close")
    composer.press("Control+Enter")

    expect(page.locator("#conversation-header")).to_contain_text("Closed")
    conversation.refresh_from_db()
    assert (conversation.state, conversation.assignee_id) == (ConversationState.CLOSED, teammate.pk)


def test_saved_reply_effects_can_be_removed_before_sending(open_as, teammate, refund_conversation):
    conversation, _ = refund_conversation
    SavedReplyFactory(name="Solved, closing", body="Glad it works!", state_effect=StateEffect.CLOSE)
    page = open_as(teammate, f"/inbox/mine/{conversation.pk}/")
    composer = page.locator("#composer [data-composer]")
    composer.click()
    composer.press_sequentially("/solved")
    composer.press("Enter")
    effects = page.locator("[data-saved-reply-effects]")
    expect(effects).to_be_visible()

    effects.get_by_role("button", name="Remove these effects").click()
    expect(effects).to_be_hidden()
    expect(composer).to_be_focused()
    composer.press("Control+Enter")

    expect(page.locator("#conversation-timeline .part-reply")).to_contain_text("Glad it works!")
    conversation.refresh_from_db()
    assert conversation.state == ConversationState.OPEN


def test_ticket_note_composer_offers_saved_notes_only(open_as, teammate, refund_conversation):
    _, ticket = refund_conversation
    page = open_as(teammate, f"/tickets/all/{ticket.pk}/")
    composer = page.locator("#ticket-note-form [data-composer]")
    composer.click()

    composer.press_sequentially("/")
    expect(page.locator("#ticket-note-form [role='option']")).to_have_text([re.compile(r"^Escalate")])
    composer.press("Enter")

    expect(composer).to_have_value(NOTE)


def test_insert_saved_reply_event_fills_the_composer(open_as, teammate, refund_conversation):
    """The command palette's way in: a `document` event naming the saved reply."""
    conversation, ticket = refund_conversation
    page = open_as(teammate, f"/inbox/mine/{conversation.pk}/")
    reply_id = SavedReply.objects.get(name="Refund approved").pk

    page.evaluate(f"document.dispatchEvent(new CustomEvent('insert-saved-reply', {{detail: {{id: {reply_id}}}}}))")

    expect(page.locator("#composer [data-composer]")).to_have_value(
        f"Hi Ada, the refund for ticket #{ticket.pk} (order 1042) is approved."
    )


def test_saved_reply_chosen_in_the_command_palette_is_inserted_and_sent(open_as, teammate, refund_conversation):
    conversation, ticket = refund_conversation
    page = open_as(teammate, f"/inbox/mine/{conversation.pk}/")
    page.keyboard.press("r")
    page.keyboard.press("Control+k")
    palette = page.get_by_role("dialog", name="Go to or do")
    palette.get_by_role("combobox").press_sequentially("refund appr")
    option = palette.get_by_role("group", name="Saved replies").get_by_role(
        "option", name=re.compile("Refund approved")
    )
    expect(option).to_be_visible()
    palette.get_by_role("combobox").press("Enter")

    composer = page.locator("#composer [data-composer]")
    filled = f"Hi Ada, the refund for ticket #{ticket.pk} (order 1042) is approved."
    expect(composer).to_have_value(filled)
    composer.press("Control+Enter")
    expect(page.locator("#conversation-timeline")).to_contain_text(filled)
    assert Part.objects.filter(conversation=conversation, kind=PartKind.REPLY, body=filled).exists()


def test_saved_reply_filled_with_markup_stays_text(open_as, teammate):
    """A contact's name is text in the composer and in the timeline, whatever it holds."""
    name = '<img src=x onerror="window.__pwned = 1">'
    conversation = ConversationFactory(assignee=teammate, contact=ContactFactory(name=name))
    SavedReplyFactory(name="Hello", body="Hi {{contact.name}}!")
    page = open_as(teammate, f"/inbox/mine/{conversation.pk}/")
    composer = page.locator("#composer [data-composer]")
    composer.click()

    composer.press_sequentially("/hel")
    composer.press("Enter")
    expect(composer).to_have_value(f"Hi {name}!")
    composer.press("Control+Enter")

    expect(page.locator("#conversation-timeline .part-reply .part-body")).to_have_text(f"Hi {name}!")
    assert page.locator("#conversation-timeline img").count() == 0
    assert page.evaluate("window.__pwned") is None


def test_insert_saved_reply_event_says_why_a_reply_cannot_go_on_a_ticket(open_as, teammate, refund_conversation):
    _, ticket = refund_conversation
    page = open_as(teammate, f"/tickets/all/{ticket.pk}/")
    reply_id = SavedReply.objects.get(name="Refund approved").pk

    page.evaluate(f"document.dispatchEvent(new CustomEvent('insert-saved-reply', {{detail: {{id: {reply_id}}}}}))")

    expect(page.locator("#flash")).to_contain_text("“Refund approved” is a reply to the customer")
    expect(page.locator("#ticket-note-form [data-composer]")).to_have_value("")
