"""The command palette from the keyboard (static/js/palette.js): Ctrl+K, a number or words, Enter; commands that press
the page's own buttons and forms; Escape puts focus back where it was."""

import re

import pytest
from playwright.sync_api import expect

from inbox.models import Conversation, ConversationState
from tests.factories import BackOfficeTicketFactory, ConversationFactory, PartFactory, TicketTypeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def open_palette(page):
    page.keyboard.press("Control+k")
    palette = page.get_by_role("dialog", name="Go to or do")
    expect(palette).to_be_visible()
    box = palette.get_by_role("combobox")
    expect(box).to_be_focused()
    return box


def highlighted(page) -> str:
    """The id of the option the combobox names as highlighted (aria-activedescendant)."""
    return page.locator("#palette").get_by_role("combobox").get_attribute("aria-activedescendant") or ""


def test_palette_ctrl_k_hash_number_enter_opens_that_conversation(open_as, teammate):
    wanted = ConversationFactory(subject="Parcel never arrived")
    ConversationFactory(subject=f"Mentions #{wanted.pk} in its subject")
    page = open_as(teammate, "/inbox/mine/")

    box = open_palette(page)
    box.press_sequentially(f"#{wanted.pk}")
    page.keyboard.press("Enter")  # before the options came, as fast typists do: it waits for them

    expect(page).to_have_url(re.compile(rf"/inbox/all/{wanted.pk}/$"))
    expect(page.locator("#main").get_by_role("heading", level=2, name="Parcel never arrived")).to_be_visible()


def test_palette_finds_a_ticket_by_its_title_and_opens_it(open_as, teammate):
    ticket = BackOfficeTicketFactory(actor=teammate, title="Warehouse scanner jammed")
    page = open_as(teammate, "/inbox/mine/")

    box = open_palette(page)
    box.press_sequentially("scanner jammed")
    option = page.get_by_role("option", name=re.compile(rf"#{ticket.pk} Warehouse scanner jammed"))
    expect(option).to_be_visible()
    for _ in range(10):  # Down until the ticket is the highlighted option (conversations come first)
        if highlighted(page) == f"palette-option-ticket-{ticket.pk}":
            break
        page.keyboard.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(rf"/tickets/[\w-]+/{ticket.pk}/$"))
    expect(page.locator("#main #ticket-title")).to_contain_text("Warehouse scanner jammed")


def test_palette_options_are_a_listbox_the_combobox_controls(open_as, teammate):
    conversation = ConversationFactory(subject="Kettle leaks")
    page = open_as(teammate, "/inbox/mine/")

    box = open_palette(page)
    box.press_sequentially("kettle")
    listbox = page.get_by_role("listbox", name="Results")
    expect(listbox.get_by_role("group", name="Conversations").get_by_role("option")).to_have_count(1)
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(box).to_have_attribute("aria-activedescendant", f"palette-option-conversation-{conversation.pk}")
    expect(page.locator("#palette-status")).to_have_text("1 result")

    page.keyboard.press("ArrowDown")  # to the last option, the search page
    expect(box).to_have_attribute("aria-activedescendant", "palette-option-search")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=kettle$"))


def test_palette_close_command_closes_the_open_conversation(open_as, teammate):
    conversation = ConversationFactory(assignee=teammate)
    page = open_as(teammate, f"/inbox/mine/{conversation.pk}/")

    box = open_palette(page)
    box.press_sequentially("close")
    expect(page.get_by_role("option", name="Close conversation")).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")

    header = page.locator("#conversation-header")
    expect(header.get_by_role("button", name="Reopen")).to_be_visible()
    expect(header).to_contain_text("Closed")
    conversation.refresh_from_db()
    assert conversation.state == ConversationState.CLOSED
    assert page.evaluate("window.__same_document") is True  # the pane's own button, swapped by htmx


def test_palette_assign_to_me_assigns_the_open_conversation_to_the_signed_in_teammate(open_as, teammate):
    conversation = ConversationFactory()
    page = open_as(teammate, f"/inbox/all/{conversation.pk}/")

    box = open_palette(page)
    box.press_sequentially("assign")
    expect(page.get_by_role("option", name="Assign to me")).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")

    expect(page.locator("#conversation-header")).to_contain_text(teammate.display_name)
    assert Conversation.objects.get(pk=conversation.pk).assignee_id == teammate.pk


def test_palette_snooze_until_tomorrow_snoozes_through_the_snooze_form(open_as, teammate):
    conversation = ConversationFactory(assignee=teammate)
    page = open_as(teammate, f"/inbox/mine/{conversation.pk}/")

    box = open_palette(page)
    box.press_sequentially("snooze tomorrow")
    expect(page.locator("#palette").get_by_role("option")).to_have_count(2)  # the command, and the search page
    page.keyboard.press("Enter")

    expect(page.locator("#conversation-header")).to_contain_text("Snoozed")
    conversation.refresh_from_db()
    assert conversation.state == ConversationState.SNOOZED
    assert conversation.snoozed_until.astimezone().hour == 9


def test_palette_new_back_office_ticket_opens_the_ticket_form_beside_the_conversation(open_as, teammate):
    TicketTypeFactory()
    conversation = ConversationFactory(assignee=teammate)
    page = open_as(teammate, f"/inbox/mine/{conversation.pk}/")

    box = open_palette(page)
    box.press_sequentially("new back")
    page.keyboard.press("Enter")

    expect(page.locator("#ticket-create")).to_be_visible()


def test_palette_escape_closes_it_and_focus_returns_to_the_composer(open_as, teammate):
    conversation = ConversationFactory(assignee=teammate)
    PartFactory(conversation=conversation)
    page = open_as(teammate, f"/inbox/mine/{conversation.pk}/")
    composer = page.locator("#composer [data-composer]")
    composer.click()
    composer.press_sequentially("Half a reply")

    box = open_palette(page)  # Ctrl+K while typing: a chord, not text
    box.press_sequentially("something")
    page.keyboard.press("Escape")

    expect(page.get_by_role("dialog", name="Go to or do")).to_be_hidden()
    expect(composer).to_be_focused()
    expect(composer).to_have_value("Half a reply")


def test_palette_opens_from_the_topbar_button_and_gives_focus_back_to_it(open_as, teammate):
    page = open_as(teammate, "/inbox/mine/")
    button = page.get_by_role("button", name="Go to… Ctrl K")

    button.click()
    expect(page.locator("#palette").get_by_role("combobox")).to_be_focused()
    page.keyboard.press("Escape")

    expect(page.get_by_role("dialog", name="Go to or do")).to_be_hidden()
    expect(button).to_be_focused()


def test_palette_is_not_on_customer_pages(live_server, new_context):
    context = new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto("/messenger/")
    page.keyboard.press("Control+k")
    assert page.locator("#palette").count() == 0


def test_palette_assign_to_me_assigns_the_open_ticket_in_a_ticket_view(open_as, teammate, other_teammate):
    ticket = BackOfficeTicketFactory(actor=other_teammate, assignee_id=other_teammate.pk, title="Chargeback")
    page = open_as(teammate, f"/t/{ticket.pk}/")
    expect(page.locator("#main #ticket-title")).to_contain_text("Chargeback")

    box = open_palette(page)
    box.press_sequentially("assign")
    command = page.get_by_role("option", name=f"Assign ticket #{ticket.pk} to me")
    expect(command).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")

    expect(page.locator("#ticket-header .ticket-facts")).to_contain_text(teammate.display_name)
    ticket.refresh_from_db()
    assert ticket.assignee_id == teammate.pk


def test_palette_shows_only_the_answer_to_the_latest_text(open_as, teammate):
    """An answer that comes after a newer question was asked (a slow network) is never shown."""
    ConversationFactory(subject="Kettle leaks")
    latest = ConversationFactory(subject="Toaster burns")
    page = open_as(teammate, "/inbox/mine/")
    held = []

    def hold_kettle(route):
        if "q=kettle" in route.request.url:
            held.append(route)  # answered only once the newer question's answer is shown
        else:
            route.continue_()

    page.route("**/palette/?*", hold_kettle)
    box = open_palette(page)
    box.press_sequentially("kettle")
    for _ in range(50):
        if held:
            break
        page.wait_for_timeout(50)
    assert len(held) == 1
    box.fill("toaster")
    expect(page.get_by_role("option", name=re.compile("Toaster burns"))).to_be_visible()
    try:
        held[0].continue_()
    except Exception:  # the page has already given up on it (aborted): there is nothing to answer
        pass
    page.wait_for_timeout(300)

    expect(page.locator("#palette").get_by_role("option", name=re.compile("Kettle leaks"))).to_have_count(0)
    expect(page.locator("#palette").get_by_role("combobox")).to_have_attribute(
        "aria-activedescendant", f"palette-option-conversation-{latest.pk}"
    )
