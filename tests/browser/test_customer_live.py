"""The customer's side is live, like the teammates' (issue 10): a form sent, a reply, or a state change of what the
customer has open shows within 3 s without a reload, while a note never re-renders anything they see. And the
"Copy messenger link" panel gives a teammate the link that brings the customer to those pages."""

import re

import pytest
from playwright.sync_api import expect

from inbox.messenger import messenger_link
from tests.browser.conftest import VIEWPORT
from tests.factories import (
    BackOfficeTicketFactory,
    ContactFactory,
    ConversationFactory,
    PartFactory,
    TeammateFactory,
    TicketStateFactory,
    TicketTypeFactory,
    add_order_number,
    default_states,
)
from tickets.models import StateCategory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LIVE = 3_000  # ms, from the teammate's action to the customer's open page (the regions poll every 2 s)
POLLS = 2_500  # ms: long enough for the customer's regions to have polled at least once


@pytest.fixture
def open_as_customer(live_server, new_context):
    """Open `path` as `contact`, signed in by their link in a browser context of their own. The page gets the
    `window.__same_document` marker: still there later, it proves that no full page load happened since."""

    def open_page(contact, path: str):
        context = new_context(viewport=VIEWPORT, base_url=live_server.url)
        context.set_default_timeout(5_000)
        page = context.new_page()
        page.goto(messenger_link(contact))
        page.goto(path)
        page.evaluate("window.__same_document = true")
        return page

    return open_page


def polls_of(page, path: str) -> list[int]:
    """The statuses of the page's polls of `path` (a live region's `?v=` requests), as they come."""
    statuses: list[int] = []
    page.on(
        "response", lambda response: "?v=" in response.url and path in response.url and statuses.append(response.status)
    )
    return statuses


def test_form_sent_from_the_inbox_shows_on_the_customers_open_conversation(
    open_as, open_as_customer, blocking_violations, teammate, contact
):
    refund = TicketTypeFactory(name="Refund request")
    add_order_number(refund)
    conversation = ConversationFactory(contact=contact, assignee=teammate, subject="Charged twice")
    PartFactory(conversation=conversation, body="I was charged twice for order 1042.")
    customer = open_as_customer(contact, f"/messenger/conversations/{conversation.pk}/")
    expect(customer.get_by_role("region", name="Forms and tickets of this conversation")).to_be_attached()
    fill_in = customer.get_by_role("link", name=re.compile(r"^Fill it in\s*: Refund request$"))
    expect(fill_in).to_have_count(0)

    front = open_as(teammate, f"/inbox/mine/{conversation.pk}/")
    front.keyboard.press("f")
    send_form = front.locator("#send-form")
    send_form.get_by_label("Refund request").check()
    send_form.get_by_role("button", name="Send form").click()
    expect(send_form.get_by_role("status")).to_contain_text("The Refund request form was sent.")

    expect(fill_in).to_be_visible(timeout=LIVE)
    assert customer.evaluate("window.__same_document") is True
    assert blocking_violations(customer) == []
    fill_in.click()
    expect(customer.get_by_role("heading", level=1)).to_contain_text("Refund request")


def test_reply_shows_in_the_customers_open_thread_and_a_note_changes_nothing(
    open_as, open_as_customer, teammate, contact
):
    conversation = ConversationFactory(contact=contact, assignee=teammate)
    PartFactory(conversation=conversation, body="Where is my parcel?")
    customer = open_as_customer(contact, f"/messenger/conversations/{conversation.pk}/")
    thread = customer.get_by_role("list", name="Messages")
    expect(thread).to_contain_text("Where is my parcel?")
    thread.evaluate("element => { element.__first_render = true; }")
    polls = polls_of(customer, f"/messenger/conversations/{conversation.pk}/")
    front = open_as(teammate, f"/inbox/mine/{conversation.pk}/")
    composer = front.get_by_label("Message")

    # An internal note: the thread's version does not move, so its polls are answered 204 and it is never replaced.
    front.get_by_role("radio", name="Note").check()
    composer.fill("SENTINEL customer says it is urgent")
    composer.press("Control+Enter")
    expect(front.locator("#conversation-timeline .part-note")).to_contain_text("SENTINEL customer says it is urgent")
    customer.wait_for_timeout(POLLS)
    assert 204 in polls and 200 not in polls
    assert thread.evaluate("element => element.__first_render") is True

    # A reply: it shows within 3 s, in a thread rendered again.
    front.get_by_role("radio", name="Reply").check()
    composer.fill("It left the warehouse today.")
    composer.press("Control+Enter")
    expect(thread).to_contain_text("It left the warehouse today.", timeout=LIVE)
    expect(customer.locator("body")).not_to_contain_text("SENTINEL")
    assert customer.evaluate("window.__same_document") is True


def test_state_change_shows_on_the_customers_open_ticket_page(open_as, open_as_customer, teammate, contact):
    waiting_on_bank = TicketStateFactory(
        internal_label="Blocked: bank dispute", customer_label="Waiting on the bank", category=StateCategory.IN_PROGRESS
    )
    refund = TicketTypeFactory(name="Refund request", states=[*default_states(), waiting_on_bank])
    conversation = ConversationFactory(contact=contact, assignee=teammate)
    ticket = BackOfficeTicketFactory(
        actor=teammate, ticket_type=refund, conversation=conversation, share=True, title="Refund the second charge"
    )
    customer = open_as_customer(contact, f"/messenger/tickets/{ticket.pk}/")
    status = customer.get_by_role("region", name=re.compile(r"^Status"))
    expect(status.locator(".state")).to_have_text("Submitted")

    back = open_as(TeammateFactory(first_name="Ben"), f"/tickets/mine/{ticket.pk}/")
    back.locator("#ticket-header").get_by_label("State").select_option(label="Blocked: bank dispute")
    back.locator("#ticket-header").get_by_role("button", name="Move").click()
    expect(back.locator("#ticket-header .state")).to_have_text("Blocked: bank dispute")

    expect(status.locator(".state")).to_have_text("Waiting on the bank", timeout=LIVE)
    expect(status.get_by_role("list", name="History")).to_contain_text("Waiting on the bank")
    expect(customer.locator("body")).not_to_contain_text("Blocked: bank dispute")
    assert customer.evaluate("window.__same_document") is True


def test_copy_messenger_link_from_the_keyboard_lands_the_customer_in_the_messenger(
    open_as, new_context, live_server, blocking_violations, settings, teammate
):
    settings.SITE_URL = live_server.url
    contact = ContactFactory(name="Lena García", email="lena@example.com")
    conversation = ConversationFactory(contact=contact, assignee=teammate, subject="My parcel")
    page = open_as(teammate, f"/inbox/mine/{conversation.pk}/")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    panel = page.get_by_role("region", name="Contact")
    expect(panel).to_contain_text("Lena García")
    expect(panel.get_by_role("link", name="lena@example.com")).to_have_attribute("href", "mailto:lena@example.com")

    panel.get_by_text("Copy messenger link", exact=True).focus()
    page.keyboard.press("Enter")
    field = panel.get_by_label("Messenger link for Lena García")
    expect(field).to_be_focused()  # loaded on opening, focus on the link
    expect(field).to_have_value(re.compile(rf"^{re.escape(live_server.url)}/messenger/enter/[^/]+/$"))
    expect(field).to_have_attribute("readonly", "")
    link = field.input_value()
    page.keyboard.press("Tab")
    expect(panel.get_by_role("button", name="Copy")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#flash")).to_have_text("Link copied")
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert blocking_violations(page) == []
    assert page.evaluate("window.__same_document") is True

    customer = new_context(viewport=VIEWPORT).new_page()  # the customer, who has only the link
    customer.goto(link)
    expect(customer).to_have_url(f"{live_server.url}/messenger/")
    expect(customer.get_by_role("heading", level=1)).to_have_text("Your messages")
    expect(customer.get_by_role("banner")).to_contain_text("Lena García")
    expect(customer.get_by_role("link", name="My parcel")).to_be_visible()
