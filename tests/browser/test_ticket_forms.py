"""Rule 10 end to end, as three people in three browsers: a front-office teammate sends a ticket form from the
inbox, the customer fills and submits it in the messenger, the shared ticket shows beside the conversation without
a reload, a back-office teammate resolves it, and the customer sees the customer-facing label of that state."""

import re

import pytest
from playwright.sync_api import expect

from inbox.messenger import messenger_link
from tests.browser.conftest import VIEWPORT
from tests.factories import (
    BackOfficeTicketFactory,
    ConversationFactory,
    PartFactory,
    TeammateFactory,
    TicketAttributeFactory,
    TicketStateFactory,
    TicketTypeFactory,
    add_order_number,
    default_states,
)
from tickets.models import StateCategory, Ticket, TicketFormRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LIVE = 3_000  # ms, from the customer's submit to the teammate's open page


@pytest.fixture
def refund_type():
    """The back-office "Refund request" type, shared when sent as a form. Its resolved state has a customer label
    unlike its internal one, so the customer's page can show which of the two it uses."""
    paid_out = TicketStateFactory(
        internal_label="Refund paid out", customer_label="Done", category=StateCategory.RESOLVED
    )
    usual = [state for state in default_states() if state.category != StateCategory.RESOLVED]
    ticket_type = TicketTypeFactory(name="Refund request", states=[*usual, paid_out])
    add_order_number(ticket_type)
    TicketAttributeFactory(ticket_type=ticket_type, key="risk", name="Risk score", kind="integer")
    return ticket_type


def test_ticket_form_sent_filled_shared_resolved_and_shown_to_customer(
    open_as, new_context, live_server, apply_outbox, teammate, contact, refund_type
):
    TicketTypeFactory(name="Question", customer=True)  # offered too, and first: the teammate picks the refund
    back_office = TeammateFactory(first_name="Ben")
    conversation = ConversationFactory(contact=contact, assignee=teammate, subject="Charged twice")
    PartFactory(conversation=conversation, body="I was charged twice for order 1042.")

    # The front-office teammate sends the form from the conversation, from the keyboard.
    front = open_as(teammate, f"/inbox/mine/{conversation.pk}/")
    expect(front.locator("#ticket-side")).to_contain_text("No ticket is linked to this conversation yet")
    front.keyboard.press("f")
    send_form = front.locator("#send-form")
    expect(send_form.get_by_label("Question")).to_be_focused()  # loaded on opening, focus in the list
    send_form.get_by_label("Refund request").check()
    send_form.get_by_role("button", name="Send form").click()
    expect(send_form.get_by_role("status")).to_contain_text("The Refund request form was sent.")
    apply_outbox()  # as the worker would: it publishes the change to the open tabs
    expect(front.locator("#conversation-timeline")).to_contain_text(
        f"{teammate.display_name} sent the Refund request form to the customer.", timeout=LIVE
    )
    expect(front.locator("#ticket-forms")).to_contain_text("Refund request form sent by")
    expect(front.locator("#ticket-forms")).to_contain_text("waiting for the customer")
    form = TicketFormRequest.objects.get()

    # The customer, signed in by their link, fills the form from their conversation and submits it.
    customer_context = new_context(viewport=VIEWPORT, base_url=live_server.url)
    customer_context.set_default_timeout(5_000)
    customer = customer_context.new_page()
    customer.goto(messenger_link(contact))
    customer.goto(f"/messenger/conversations/{conversation.pk}/")
    # Chromium names it "Fill it in : Refund request" (the hidden part is positioned apart from the rest).
    customer.get_by_role("link", name=re.compile(r"^Fill it in\s*: Refund request$")).click()
    expect(customer).to_have_url(re.compile(rf"/messenger/tickets/forms/{form.pk}/$"))
    expect(customer.get_by_label("Risk score")).to_have_count(0)  # an internal attribute is not theirs to fill
    customer.get_by_label("Title").fill("Refund the second charge")
    customer.get_by_label("Order number").fill("1042")
    customer.get_by_role("button", name="Send").click()
    expect(customer.get_by_role("heading", level=1)).to_have_text("Refund the second charge")
    ticket = Ticket.objects.get(linked_conversation=conversation)
    assert (ticket.is_shared, ticket.attributes) == (True, {"order": "1042"})
    apply_outbox()

    # The teammate's open page shows the shared ticket beside the conversation, without a reload.
    side = front.locator("#ticket-side")
    expect(side.locator("#ticket-title")).to_have_text(f"#{ticket.pk} Refund the second charge", timeout=LIVE)
    expect(side.locator("#ticket-header .badge-shared")).to_have_text("Shared with customer")
    expect(side.locator("#ticket-forms")).to_contain_text(f"submitted: ticket #{ticket.pk}")
    assert front.evaluate("window.__same_document") is True

    # A back-office teammate resolves it, in their own browser.
    back = open_as(back_office, f"/tickets/mine/{ticket.pk}/")
    back.locator("#ticket-header").get_by_label("State").select_option(label="Refund paid out")
    back.locator("#ticket-header").get_by_role("button", name="Move").click()
    expect(back.locator("#ticket-header .state")).to_have_text("Refund paid out")

    # The customer sees the state's customer-facing label, never the internal one.
    customer.reload()
    expect(customer.locator("#ticket-status .state")).to_have_text("Done")
    expect(customer.locator("#ticket-status")).to_contain_text("Done")
    expect(customer.locator("body")).not_to_contain_text("Refund paid out")
    expect(customer.locator("body")).not_to_contain_text("Risk score")


DUPLICATE_IDS = """() => {
    const ids = Array.from(document.querySelectorAll("[id]"), (element) => element.id);
    return [...new Set(ids.filter((id, index) => ids.indexOf(id) !== index))];
}"""


@pytest.mark.parametrize("shared", [True, False], ids=["types-refused", "convert-fields"])
def test_ticket_form_disclosures_open_are_accessible_with_unique_ids(
    open_as, blocking_violations, teammate, refund_type, shared
):
    """Both disclosures open beside the create form: with a shared ticket (types disabled with their reasons,
    conversion refused) or without (the convert form with its attributes). axe finds no serious violation, and
    no id is used twice (a label's `for` would reach the wrong field)."""
    question = TicketTypeFactory(name="Question", customer=True)
    TicketAttributeFactory(ticket_type=question, key="order", name="Order number", required_to_create=True)
    conversation = ConversationFactory(assignee=teammate)
    if shared:
        BackOfficeTicketFactory(actor=teammate, conversation=conversation, share=True)
    page = open_as(teammate, f"/inbox/mine/{conversation.pk}/")
    page.locator("#ticket-side").get_by_role("button", name="New back-office ticket").click()
    expect(page.locator("#ticket-create")).to_be_visible()

    page.get_by_text("Send ticket form", exact=True).click()
    refund = page.locator("#send-form").get_by_label("Refund request")
    expect(refund).to_be_disabled() if shared else expect(refund).to_be_enabled()
    page.get_by_text("Convert to customer ticket", exact=True).click()
    if shared:
        expect(page.locator("#convert-form")).to_contain_text("cannot also become a customer ticket")
    else:
        expect(page.locator("#convert-form").get_by_label("Type")).to_be_focused()  # htmx has set the form up
        page.locator("#convert-form").get_by_label("Type").select_option(label=str(question))
        expect(page.locator("#convert-form").get_by_label("Order number")).to_be_visible()

    assert blocking_violations(page) == []
    assert page.evaluate(DUPLICATE_IDS) == []


def test_convert_from_the_keyboard_puts_focus_on_the_confirmation(open_as, teammate):
    question = TicketTypeFactory(name="Question", customer=True, description="Anything about an order.")
    conversation = ConversationFactory(assignee=teammate, subject="Where is my parcel?")
    page = open_as(teammate, f"/inbox/mine/{conversation.pk}/")
    convert = page.locator("#convert-form")

    page.get_by_text("Convert to customer ticket", exact=True).click()
    expect(convert.get_by_label("Type")).to_be_focused()
    convert.get_by_label("Type").select_option(label=str(question))
    expect(convert).to_contain_text("Anything about an order.")  # the form came back for the chosen type
    expect(page.locator("#convert-form.htmx-added")).to_have_count(0)  # and htmx has set it up (hx-post)
    expect(convert.get_by_label("Title")).to_have_value("Where is my parcel?")  # the subject, suggested
    convert.get_by_label("Title").press("Enter")

    ticket = Ticket.objects.filter(thread=conversation)
    expect(convert.get_by_role("status")).to_be_focused()  # not lost with the field it was on
    expect(convert.get_by_role("status")).to_contain_text(f"customer ticket #{ticket.get().pk} Where is my parcel?")
