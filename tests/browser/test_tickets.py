"""Back-office tickets in the browser: created beside a conversation, notes posted from the keyboard."""

import re

import pytest
from playwright.sync_api import expect

from helpdesk.models import OutboxEvent
from tests.browser.conftest import pick
from tests.factories import (
    BackOfficeTicketFactory,
    ConversationFactory,
    PartFactory,
    TicketAttributeFactory,
    TicketTypeFactory,
)
from tickets.models import Ticket, TicketPart

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_ticket_side_creates_back_office_ticket_beside_conversation(open_as, apply_outbox, teammate, other_teammate):
    ticket_type = TicketTypeFactory(name="Refund request")
    TicketAttributeFactory(ticket_type=ticket_type, key="order", name="Order number")
    conversation = ConversationFactory(assignee=teammate)
    PartFactory(conversation=conversation, body="I was charged twice for order 1042.")
    page = open_as(teammate, f"/inbox/mine/{conversation.pk}/")
    side = page.locator("#ticket-side")

    side.get_by_role("button", name="New back-office ticket").click()
    expect(side.get_by_label("Type")).to_be_focused()
    # Chromium may focus an inserted [autofocus] field itself, before htmx settles and wires the form up;
    # a person is slower than that, a test is not.
    expect(side.locator(".htmx-added")).to_have_count(0)
    side.get_by_label("Type").select_option(label=str(ticket_type))
    side.get_by_label("Order number").fill("1042")  # present once the form came back with the type's fields
    side.get_by_label("Title").fill("Refund the second charge")
    pick(side, "Assignee", other_teammate.last_name, other_teammate.display_name)
    side.get_by_role("button", name="Create ticket").click()

    expect(side.get_by_role("heading", level=2, name=re.compile(r"^#\d+ Refund the second charge$"))).to_be_visible()
    ticket = Ticket.objects.get(linked_conversation=conversation)
    apply_outbox()  # as the worker would: it publishes the change to the open tabs
    expect(side.locator("#ticket-title")).to_have_text(f"#{ticket.pk} Refund the second charge")
    expect(side.locator("#ticket-header")).to_contain_text(other_teammate.display_name)
    expect(side.locator("#ticket-header")).to_contain_text(re.compile(r"Order number\s*1042"))
    expect(side.locator("#ticket-note-form [data-composer]")).to_be_visible()
    expect(page.locator("#conversation-pane")).to_be_visible()  # the conversation stays beside it
    expect(page.locator("#conversation-timeline")).to_contain_text(f"created back-office ticket #{ticket.pk}")
    assert (ticket.ticket_type_id, ticket.assignee_id) == (ticket_type.pk, other_teammate.pk)
    assert page.evaluate("window.__same_document") is True


def test_ticket_note_ctrl_enter_posts_without_cross_posting(open_as, teammate, other_teammate):
    ticket = BackOfficeTicketFactory(actor=teammate, title="Refund order 1042", assignee_id=other_teammate.pk)
    page = open_as(other_teammate, f"/tickets/mine/{ticket.pk}/")
    composer = page.locator("#ticket-note-form [data-composer]")

    composer.fill("Checked the ledger: two charges.")
    composer.press("Control+Enter")

    note = page.locator("#ticket-timeline .part-note")
    expect(note).to_contain_text("Checked the ledger: two charges.")
    expect(note.locator(".badge-cross-post")).to_have_count(0)
    expect(composer).to_have_value("")
    part = TicketPart.objects.get(ticket=ticket, body="Checked the ledger: two charges.")
    assert part.cross_posted is False
    assert not OutboxEvent.objects.filter(kind="TicketNoteCrossPosted").exists()  # nothing to deliver


def test_ticket_side_t_focuses_ticket_note_composer(open_as, teammate):
    ticket = BackOfficeTicketFactory(actor=teammate, title="Refund order 1042")
    page = open_as(teammate, f"/inbox/all/{ticket.linked_conversation_id}/")
    composer = page.locator("#ticket-side [data-composer]")
    expect(composer).to_be_visible()

    page.keyboard.press("t")

    expect(composer).to_be_focused()
    expect(page).to_have_url(re.compile(rf"/inbox/all/{ticket.linked_conversation_id}/$"))
