"""Snooze until the linked ticket moves, in the browser (issue 16): the front-office teammate snoozes the
conversation from its linked ticket; the back office's internal note does not wake it, the ticket's state change
does, on the open page, through the real worker and the push."""

import pytest
from playwright.sync_api import expect

from tests.factories import BackOfficeTicketFactory, ConversationFactory, PartFactory, TeammateFactory, state
from tickets import actions
from tickets.models import StateCategory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LIVE = 3_000  # ms, from one teammate's action to another's screen


def test_conversation_snoozed_until_its_ticket_moves_wakes_on_the_state_change_only(worker, open_as, teammate):
    back_office = TeammateFactory(first_name="Bea")
    conversation = ConversationFactory(assignee=teammate, subject="Refund for order 1042")
    PartFactory(conversation=conversation, body="Where is my refund?")
    # Both assigned to the same teammate: rule 9 alone would keep the conversation asleep through the ticket's moves.
    ticket = BackOfficeTicketFactory(conversation=conversation, assignee_id=teammate.pk, title="Refund order 1042")
    page = open_as(teammate, f"/inbox/all/{conversation.pk}/")
    header = page.locator("#conversation-header")

    page.get_by_role("button", name=f"Snooze conversation until #{ticket.pk} moves").click()
    expect(header).to_contain_text(f"until ticket #{ticket.pk} moves")

    actions.post_ticket_note(actor=back_office, ticket_id=ticket.pk, body="Asked the bank, waiting.")
    expect(page.locator("#ticket-timeline")).to_contain_text("Asked the bank, waiting.", timeout=LIVE)
    expect(header.locator(".state")).to_have_text("Snoozed")

    actions.change_ticket_state(actor=back_office, ticket_id=ticket.pk, state_id=state(StateCategory.RESOLVED).pk)
    expect(header.locator(".state")).to_have_text("Open", timeout=LIVE)
    expect(page.locator("#conversation-timeline")).to_contain_text(f"Un-snoozed: ticket #{ticket.pk} moved")
