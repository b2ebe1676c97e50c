"""A back-office ticket's notes and state changes reach the linked conversation through a real Celery worker,
and show up on the front-office teammate's open page without a reload (rules 7-9, 11)."""

import pytest
from playwright.sync_api import expect

from inbox.models import Conversation, ConversationState
from tests.factories import BackOfficeTicketFactory, ConversationFactory, PartFactory, state
from tickets.actions import post_ticket_note
from tickets.models import StateCategory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LIVE = 3_000  # ms, from the back-office teammate's action to the front-office teammate's screen


def ticket_for(conversation, *, actor, assignee):
    return BackOfficeTicketFactory(
        actor=actor, conversation=conversation, title="Refund order 1042", assignee_id=assignee.pk
    )


def test_ticket_cross_post_and_state_change_show_live_beside_conversation(worker, open_as, teammate, other_teammate):
    conversation = ConversationFactory(assignee=teammate)
    PartFactory(conversation=conversation, body="I was charged twice for order 1042.")
    ticket = ticket_for(conversation, actor=teammate, assignee=other_teammate)
    in_progress = state(StateCategory.IN_PROGRESS)
    front = open_as(teammate, f"/inbox/mine/{conversation.pk}/")
    expect(front.locator("#ticket-title")).to_contain_text("Refund order 1042")
    back = open_as(other_teammate, f"/tickets/mine/{ticket.pk}/")
    composer = back.locator("#ticket-note-form [data-composer]")

    composer.fill("Refund sent, 3 to 5 days.")
    composer.press("Control+Shift+Enter")
    expect(back.locator("#ticket-timeline .part-note .badge-cross-post")).to_have_text("Cross-posted")

    cross_post = front.locator("#conversation-timeline .part-cross_post")
    expect(cross_post).to_contain_text("Refund sent, 3 to 5 days.", timeout=LIVE)
    expect(cross_post).to_contain_text(f"Note from ticket #{ticket.pk}")

    back.locator("#ticket-header").get_by_label("State").select_option(label=in_progress.internal_label)
    back.locator("#ticket-header").get_by_role("button", name="Move").click()
    expect(back.locator("#ticket-header .state")).to_have_text(in_progress.internal_label)

    expect(front.locator("#conversation-timeline")).to_contain_text(
        f"Ticket #{ticket.pk} moved from Submitted to {in_progress.internal_label} by {other_teammate}.", timeout=LIVE
    )
    expect(front.locator("#ticket-side #ticket-header .state")).to_have_text(in_progress.internal_label, timeout=LIVE)
    assert front.evaluate("window.__same_document") is True


def test_ticket_cross_post_unsnoozes_conversation_of_other_assignee_into_open_list(
    worker, open_as, teammate, other_teammate
):
    conversation = ConversationFactory(snoozed=True, assignee=teammate, subject="Charged twice")
    ticket = ticket_for(conversation, actor=teammate, assignee=other_teammate)
    page = open_as(teammate, "/inbox/mine/?state=open")
    expect(page.locator("#conversation-list")).to_contain_text("No open conversations here.")

    post_ticket_note(actor=other_teammate, ticket_id=ticket.pk, body="Refund sent.", cross_post=True)

    expect(page.locator("[data-list-item]", has_text="Charged twice")).to_be_visible(timeout=LIVE)
    assert Conversation.objects.get(pk=conversation.pk).state == ConversationState.OPEN
    assert page.evaluate("window.__same_document") is True


def test_ticket_cross_post_leaves_conversation_snoozed_when_ticket_has_same_assignee(worker, open_as, teammate):
    conversation = ConversationFactory(snoozed=True, assignee=teammate, subject="Charged twice")
    ticket = ticket_for(conversation, actor=teammate, assignee=teammate)
    page = open_as(teammate, f"/inbox/mine/{conversation.pk}/?state=snoozed")
    expect(page.locator("[data-list-item]", has_text="Charged twice")).to_be_visible()

    post_ticket_note(actor=teammate, ticket_id=ticket.pk, body="Refund sent.", cross_post=True)

    expect(page.locator("#conversation-timeline .part-cross_post")).to_contain_text("Refund sent.", timeout=LIVE)
    expect(page.locator("#conversation-header .state")).to_have_text("Snoozed")
    expect(page.locator("[data-list-item]", has_text="Charged twice")).to_be_visible()
    assert Conversation.objects.get(pk=conversation.pk).state == ConversationState.SNOOZED
