"""Snooze until the linked ticket moves (issue 16): the conversation wakes when that ticket changes state or
cross-posts into it, whoever the two are assigned to, and not on that ticket's other work; rule 9 still decides for
the other tickets' updates; a customer message, a teammate or the latest time still wake it."""

from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from helpdesk.errors import InvalidInput, RuleViolation
from inbox import actions as inbox_actions
from inbox.models import Conversation, ConversationState
from inbox.tasks import wake_snoozed_conversations
from tests.factories import BackOfficeTicketFactory, ConversationFactory, TeammateFactory, TrackerTicketFactory
from tests.tickets.rule_helpers import in_progress, refreshed, unsnoozed_events_in, written
from tickets import actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def front():
    return TeammateFactory()


@pytest.fixture
def ticket(front):
    """A back-office ticket and its conversation, both assigned to the same teammate: rule 9 alone would keep the
    conversation asleep through the ticket's updates."""
    conversation = ConversationFactory(assignee=front)
    return BackOfficeTicketFactory(conversation=conversation, assignee_id=front.pk)


def snooze_until_moves(ticket, actor, **kwargs):
    return actions.snooze_until_ticket_moves(
        actor=actor, conversation_id=ticket.linked_conversation_id, ticket_id=ticket.pk, **kwargs
    )


def test_snooze_until_moves_sleeps_a_week_at_most_and_says_why(ticket, front):
    snooze_until_moves(ticket, front)
    conversation = refreshed(ticket.linked_conversation)
    assert (conversation.state, conversation.wake_on_ticket_id) == (ConversationState.SNOOZED, ticket.pk)
    assert timedelta(days=6, hours=23) < conversation.snoozed_until - timezone.now() <= timedelta(days=7)
    event = conversation.parts.get(event_type="snoozed")
    assert f"until ticket #{ticket.pk} moves" in event.body


def test_snooze_until_moves_wakes_on_its_state_change_whoever_is_assigned(ticket, front, apply_outbox):
    snooze_until_moves(ticket, front)
    actions.change_ticket_state(actor=TeammateFactory(), ticket_id=ticket.pk, state_id=in_progress().pk)
    apply_outbox()
    conversation = refreshed(ticket.linked_conversation)
    assert (conversation.state, conversation.wake_on_ticket_id) == (ConversationState.OPEN, None)
    [woken] = unsnoozed_events_in(conversation)
    assert woken.data["reason"] == inbox_actions.WakeReason.TICKET_MOVED
    assert f"ticket #{ticket.pk} moved" in woken.body


def test_snooze_until_moves_wakes_on_its_cross_post(ticket, front, apply_outbox):
    snooze_until_moves(ticket, front)
    actions.post_ticket_note(actor=front, ticket_id=ticket.pk, body="Refund sent", cross_post=True)
    apply_outbox()
    assert refreshed(ticket.linked_conversation).state == ConversationState.OPEN


def test_snooze_until_moves_sleeps_through_its_other_work(ticket, front, apply_outbox):
    snooze_until_moves(ticket, front)
    actions.post_ticket_note(actor=front, ticket_id=ticket.pk, body="Checking with the bank")  # not cross-posted
    actions.update_ticket_attributes(
        actor=front, ticket_id=ticket.pk, title="Renamed", description="", attributes=ticket.attributes
    )
    apply_outbox()
    assert refreshed(ticket.linked_conversation).state == ConversationState.SNOOZED


def test_snooze_until_moves_sleeps_through_another_tickets_update_under_rule_9(ticket, front, apply_outbox):
    other = BackOfficeTicketFactory(conversation=ticket.linked_conversation, assignee_id=front.pk)
    snooze_until_moves(ticket, front)
    actions.change_ticket_state(actor=front, ticket_id=other.pk, state_id=in_progress().pk)
    apply_outbox()
    assert refreshed(ticket.linked_conversation).state == ConversationState.SNOOZED


def test_snooze_until_moves_still_wakes_on_another_tickets_update_when_rule_9_says_so(ticket, front, apply_outbox):
    other = BackOfficeTicketFactory(conversation=ticket.linked_conversation, assignee_id=TeammateFactory().pk)
    snooze_until_moves(ticket, front)
    actions.change_ticket_state(actor=front, ticket_id=other.pk, state_id=in_progress().pk)
    apply_outbox()
    conversation = refreshed(ticket.linked_conversation)
    assert conversation.state == ConversationState.OPEN
    assert unsnoozed_events_in(conversation)[0].data["reason"] == inbox_actions.WakeReason.TICKET_UPDATE


def test_snooze_until_moves_wakes_at_the_latest_time(ticket, front):
    snooze_until_moves(ticket, front, at_the_latest=timezone.now() + timedelta(minutes=5))
    Conversation.objects.filter(pk=ticket.linked_conversation_id).update(
        snoozed_until=timezone.now() - timedelta(seconds=1)
    )
    wake_snoozed_conversations()
    assert refreshed(ticket.linked_conversation).state == ConversationState.OPEN


def test_snooze_until_moves_wakes_on_a_customer_message(ticket, front):
    snooze_until_moves(ticket, front)
    conversation = ticket.linked_conversation
    inbox_actions.record_customer_message(conversation_id=conversation.pk, body="Any news?")
    assert (refreshed(conversation).state, refreshed(conversation).wake_on_ticket_id) == (ConversationState.OPEN, None)


def test_snooze_until_moves_of_a_tracker_linked_to_the_conversation(front, apply_outbox):
    conversation, tracker = ConversationFactory(), TrackerTicketFactory()
    actions.link_to_tracker(actor=front, tracker_id=tracker.pk, conversation_id=conversation.pk)
    actions.snooze_until_ticket_moves(actor=front, conversation_id=conversation.pk, ticket_id=tracker.pk)
    actions.change_ticket_state(actor=front, ticket_id=tracker.pk, state_id=in_progress().pk)
    apply_outbox()
    assert refreshed(conversation).state == ConversationState.OPEN


def test_snooze_until_moves_of_an_unlinked_ticket_is_refused(ticket, front):
    elsewhere = ConversationFactory()
    before = written()
    with pytest.raises(RuleViolation, match="is not linked to this conversation"):
        actions.snooze_until_ticket_moves(actor=front, conversation_id=elsewhere.pk, ticket_id=ticket.pk)
    assert written() == before and refreshed(elsewhere).state == ConversationState.OPEN


def test_snooze_until_moves_at_a_past_time_is_refused(ticket, front):
    with pytest.raises(InvalidInput):
        snooze_until_moves(ticket, front, at_the_latest=timezone.now() - timedelta(minutes=1))


def test_conversation_waits_on_a_ticket_only_while_snoozed(ticket):
    with pytest.raises(IntegrityError):
        Conversation.objects.filter(pk=ticket.linked_conversation_id).update(wake_on_ticket_id=ticket.pk)
