"""The search page from the keyboard alone (templates/search/search.html, static/js/app.js): `/` to the search box,
typing and Enter, Tab and Shift+Tab to the kind tabs, Escape out of the box, `j`/`k` through the results and Enter
to open one beside them; snippets that mark the match and show the text's markup as text."""

import re

import pytest
from playwright.sync_api import expect

from inbox.actions import post_note
from tests.factories import (
    BackOfficeTicketFactory,
    ContactFactory,
    ConversationFactory,
    PartFactory,
    TicketAttributeFactory,
    TicketTypeFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def search_from_the_top_bar(page, words: str) -> None:
    """`/`, the words, Enter: the search page for them (a page load), marked to prove no later load happens."""
    page.keyboard.press("/")
    expect(page.get_by_role("searchbox", name="Search conversations, tickets and contacts")).to_be_focused()
    page.keyboard.type(words)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Search")).to_be_visible()
    page.evaluate("window.__same_document = true")


def switch_kind(page, label: str) -> None:
    """From the search box, Shift+Tab back through the kind tabs (Contacts, then Tickets) to `label`, and Enter."""
    page.keyboard.press("/")
    expect(page.locator("#id_q")).to_be_focused()
    tab = page.get_by_role("navigation", name="Search in").get_by_role("link", name=label)
    for _ in range({"Contacts": 1, "Tickets": 2, "Conversations": 3}[label]):
        page.keyboard.press("Shift+Tab")
    expect(tab).to_be_focused()
    page.keyboard.press("Enter")
    expect(tab).to_have_attribute("aria-current", "page")
    page.evaluate("window.__same_document = true")


def test_search_finds_a_conversation_by_a_word_of_its_internal_note_and_opens_it(open_as, teammate):
    conversation = ConversationFactory(subject="Parcel stuck at the border")
    PartFactory(conversation=conversation, body="Where is my parcel?")
    post_note(actor=teammate, conversation_id=conversation.pk, body="Customs held the zeppelin parts; call them Monday")
    PartFactory(body="Nothing about airships here")
    page = open_as(teammate, "/inbox/mine/")

    search_from_the_top_bar(page, "zeppelin")

    results = page.locator("#search-results [data-list-item]")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Parcel stuck at the border")
    expect(results.first.locator(".item-snippet")).to_contain_text("Internal note:")
    page.keyboard.press("j")
    expect(results.first).to_be_focused()
    page.keyboard.press("Enter")

    main = page.locator("#main")
    expect(main.get_by_role("heading", level=2, name="Parcel stuck at the border")).to_be_focused()
    expect(main.locator(".part-note")).to_contain_text("Customs held the zeppelin parts")
    expect(results.first).to_have_attribute("aria-current", "true")
    expect(page.locator("#id_q")).to_have_value("zeppelin")
    expect(page).to_have_url(re.compile(rf"/search/\?q=zeppelin&open={conversation.pk}$"))
    assert page.evaluate("window.__same_document") is True


def test_search_in_the_page_keeps_focus_in_the_box_and_announces_the_results(open_as, teammate):
    for subject in ("Blender broken", "Blender late", "Toaster broken"):
        PartFactory(conversation=ConversationFactory(subject=subject), body=f"About the {subject.lower()}")
    page = open_as(teammate, "/search/?q=toaster")
    box = page.locator("#id_q")
    expect(page.locator("#search-results [data-list-item]")).to_have_count(1)

    page.keyboard.press("/")
    expect(box).to_be_focused()
    page.keyboard.type("blender")  # `/` selected the words: typing replaces them
    page.keyboard.press("Enter")

    expect(page.get_by_role("status").filter(has_text="match")).to_have_text("2 conversations match “blender”.")
    results = page.locator("#search-results [data-list-item]")
    expect(results).to_have_count(2)
    expect(box).to_be_focused()
    expect(page).to_have_title("blender · Search · Help desk")
    expect(page).to_have_url(re.compile(r"/search/\?kind=conversations&q=blender&sort=newest$"))
    tickets = page.get_by_role("navigation", name="Search in").get_by_role("link", name="Tickets")
    expect(tickets).to_have_attribute("href", re.compile(r"q=blender"))  # the tabs follow the words

    page.keyboard.press("Escape")  # out of the box, its words kept
    expect(box).to_have_value("blender")
    page.keyboard.press("j")
    expect(results.nth(0)).to_be_focused()
    page.keyboard.press("j")
    expect(results.nth(1)).to_be_focused()
    page.keyboard.press("j")  # the last stays focused
    expect(results.nth(1)).to_be_focused()
    page.keyboard.press("k")
    expect(results.nth(0)).to_be_focused()
    assert page.evaluate("window.__same_document") is True


def test_search_finds_a_ticket_by_an_attribute_value_in_the_tickets_tab(open_as, teammate):
    refund = TicketTypeFactory(name="Refund request")
    TicketAttributeFactory(ticket_type=refund, key="order_number", name="Order number")
    ticket = BackOfficeTicketFactory(
        ticket_type=refund, title="Blender arrived broken", attributes={"order_number": "K7731"}
    )
    BackOfficeTicketFactory(ticket_type=refund, title="Kettle arrived broken", attributes={"order_number": "K9999"})
    page = open_as(teammate, "/inbox/mine/")

    search_from_the_top_bar(page, "K7731")
    expect(page.locator("#search-results")).to_contain_text("No conversations match “K7731”.")
    switch_kind(page, "Tickets")

    results = page.locator("#search-results [data-list-item]")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text(f"#{ticket.pk} Blender arrived broken")
    expect(results.first.locator(".item-snippet")).to_have_text("Order number: K7731")
    expect(results.first.locator(".item-snippet mark")).to_have_text("K7731")
    page.keyboard.press("j")
    page.keyboard.press("Enter")

    main = page.locator("#main")
    expect(main.locator("#ticket-title")).to_be_focused()
    expect(main.locator("#ticket-title")).to_contain_text("Blender arrived broken")
    expect(main).to_contain_text("K7731")
    expect(page).to_have_url(re.compile(rf"/search/\?q=K7731&kind=tickets&open={ticket.pk}$"))
    assert page.evaluate("window.__same_document") is True


def test_search_finds_a_contact_by_part_of_their_address_and_opens_their_card(open_as, teammate):
    jane = ContactFactory(name="Jane Whitaker", email="jane.whitaker@example.com")
    ContactFactory(name="Tom Whitaker", email="tom@whitaker.org")
    ConversationFactory(contact=jane, subject="Invoice address is wrong")
    ConversationFactory(contact=jane, subject="Parcel never arrived")
    page = open_as(teammate, "/inbox/mine/")

    search_from_the_top_bar(page, "whitaker@exa")
    switch_kind(page, "Contacts")

    results = page.locator("#search-results [data-list-item]")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("jane.whitaker@example.com")
    page.keyboard.press("j")
    page.keyboard.press("Enter")

    card = page.locator("#contact-detail")
    expect(card.get_by_role("heading", level=2, name="Jane Whitaker")).to_be_focused()
    expect(card.get_by_role("link")).to_have_count(2)
    expect(card).to_contain_text("Invoice address is wrong")
    expect(card).to_contain_text("Parcel never arrived")
    expect(page).to_have_url(re.compile(rf"/search/\?q=whitaker%40exa&kind=contacts&open={jane.pk}$"))
    assert page.evaluate("window.__same_document") is True


def test_search_snippet_marks_the_word_and_shows_markup_as_text(open_as, teammate):
    conversation = ConversationFactory(subject="Odd note")
    markup = "<img src=x onerror=alert(1)>"
    post_note(actor=teammate, conversation_id=conversation.pk, body=f"The walrus pasted {markup} into the form")
    page = open_as(teammate, "/inbox/mine/")

    search_from_the_top_bar(page, "walrus")

    snippet = page.locator("#search-results .item-snippet")
    expect(snippet.locator("mark")).to_have_text(["walrus"])
    expect(snippet).to_contain_text(markup)
    expect(page.locator("#search-results img")).to_have_count(0)
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    expect(page.locator("#main .part-note")).to_contain_text(markup)
    expect(page.locator("#main img, #search-results img")).to_have_count(0)


def test_search_pages_from_the_keyboard_keep_focus_on_the_pager(open_as, teammate):
    for n in range(26):  # a page holds 25
        PartFactory(conversation=ConversationFactory(subject=f"Gadget {n}"), body="The gadget is broken")
    page = open_as(teammate, "/search/?q=gadget")
    results = page.locator("#search-results [data-list-item]")
    expect(results).to_have_count(25)

    page.keyboard.press("k")  # from nowhere, k goes to the last result
    expect(results.nth(24)).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Next")).to_be_focused()
    page.keyboard.press("Enter")

    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Gadget 0")  # the oldest, on the last page
    expect(page.get_by_role("link", name="Previous")).to_be_focused()  # the last page has no Next
    expect(page.locator("#search-status")).to_have_text("1 conversation matches “gadget” on this page.")
    page.keyboard.press("Enter")
    expect(results).to_have_count(25)
    expect(page.get_by_role("link", name="Next")).to_be_focused()
    assert page.evaluate("window.__same_document") is True
