"""Rules 1 and 7-9 of DESIGN.md section 3: internal notes only, cross-posted notes and state changes, un-snoozes."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from helpdesk import outbox
from helpdesk.errors import InvalidInput, RuleViolation
from helpdesk.models import OutboxEvent
from inbox import actions as inbox_actions
from inbox.models import Conversation, ConversationState, Part, PartKind
from inbox.tasks import wake_snoozed_conversations
from tests.factories import (
    BackOfficeTicketFactory,
    ConversationFactory,
    CustomerTicketFactory,
    TicketStateFactory,
    TicketTypeFactory,
    TrackerTicketFactory,
    default_states,
)
from tests.tickets.rule_helpers import (
    cross_posts_in,
    in_progress,
    parts_of,
    refreshed,
    tracker_linked_to,
    unsnoozed_events_in,
    written,
)
from tickets import actions
from tickets.models import StateCategory, Ticket, TicketPart, TicketPartKind

pytestmark = pytest.mark.django_db


# Rule 1: back-office and tracker tickets take internal notes only


def test_post_ticket_reply_refuses_back_office_ticket(teammate, conversation):
    ticket = BackOfficeTicketFactory(actor=teammate, conversation=conversation)
    before = written()

    with pytest.raises(RuleViolation) as raised:
        actions.post_ticket_reply(actor=teammate, ticket_id=ticket.pk, body="Refunded.")

    assert f"reply to the customer in the linked conversation #{conversation.pk}" in raised.value.message
    assert written() == before


def test_post_ticket_reply_refuses_tracker(teammate):
    tracker = TrackerTicketFactory(actor=teammate)
    before = written()

    with pytest.raises(RuleViolation, match="reply to the customer in the linked conversation"):
        actions.post_ticket_reply(actor=teammate, ticket_id=tracker.pk, body="Fixed.")

    assert written() == before


def test_post_ticket_reply_on_customer_ticket_replies_in_its_thread(teammate):
    customer_ticket = CustomerTicketFactory()

    part = actions.post_ticket_reply(actor=teammate, ticket_id=customer_ticket.pk, body="Refunded.")

    assert (part.conversation, part.kind, part.author, part.body) == (
        customer_ticket.thread,
        PartKind.REPLY,
        teammate,
        "Refunded.",
    )
    assert part.is_customer_visible


# Rule 7: cross-posting notes


def test_post_ticket_note_enqueues_cross_post_only_on_commit(teammate, django_capture_on_commit_callbacks):
    ticket = BackOfficeTicketFactory(actor=teammate)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            actions.post_ticket_note(actor=teammate, ticket_id=ticket.pk, body="Refund sent.", cross_post=True)
            assert callbacks == [], "enqueued before the transaction committed"

    event = OutboxEvent.objects.get(handler="tickets.handlers.cross_post_note", done_at__isnull=True)
    assert {c.func for c in callbacks} == {outbox.enqueue}
    assert event.pk in [event_id for c in callbacks for event_id in c.args[0]]


def test_post_ticket_note_writes_an_internal_note_on_the_ticket(teammate):
    ticket = BackOfficeTicketFactory(actor=teammate)

    part = actions.post_ticket_note(actor=teammate, ticket_id=ticket.pk, body="Refund sent.", cross_post=True)

    assert (part.ticket, part.kind, part.body, part.author, part.cross_posted) == (
        ticket,
        TicketPartKind.NOTE,
        "Refund sent.",
        teammate,
        True,
    )


def test_cross_posted_note_lands_in_the_linked_conversation(teammate, conversation, apply_outbox):
    ticket = BackOfficeTicketFactory(actor=teammate, conversation=conversation)
    actions.post_ticket_note(actor=teammate, ticket_id=ticket.pk, body="Refund sent.", cross_post=True)

    apply_outbox()

    [part] = cross_posts_in(conversation)
    assert (part.body, part.author, part.data["ticket_id"]) == ("Refund sent.", teammate, ticket.pk)
    assert not part.is_customer_visible


def test_note_without_cross_post_stays_on_the_ticket(teammate, conversation, apply_outbox):
    ticket = BackOfficeTicketFactory(actor=teammate, conversation=conversation)
    parts_before = parts_of(conversation)

    actions.post_ticket_note(actor=teammate, ticket_id=ticket.pk, body="Internal only.")
    apply_outbox()

    assert parts_of(conversation) == parts_before


def test_cross_posted_note_of_ticket_linked_to_customer_ticket_lands_in_its_thread(teammate, apply_outbox):
    customer_ticket = CustomerTicketFactory()
    ticket = BackOfficeTicketFactory(actor=teammate, customer_ticket=customer_ticket)
    actions.post_ticket_note(actor=teammate, ticket_id=ticket.pk, body="Refund sent.", cross_post=True)

    apply_outbox()

    [part] = cross_posts_in(customer_ticket.thread)
    assert (part.body, part.data["ticket_id"]) == ("Refund sent.", ticket.pk)


def test_cross_posted_note_of_tracker_lands_in_every_linked_conversation(teammate, conversation, apply_outbox):
    customer_ticket = CustomerTicketFactory()
    tracker = tracker_linked_to(conversation, customer_ticket, actor=teammate)
    actions.post_ticket_note(actor=teammate, ticket_id=tracker.pk, body="Fix deployed.", cross_post=True)

    apply_outbox()

    for target in (conversation, customer_ticket.thread):
        assert [(p.body, p.data["ticket_id"]) for p in cross_posts_in(target)] == [("Fix deployed.", tracker.pk)]


def test_post_ticket_note_refuses_cross_post_on_customer_ticket(teammate):
    customer_ticket = CustomerTicketFactory()
    before = written()

    with pytest.raises(RuleViolation):
        actions.post_ticket_note(actor=teammate, ticket_id=customer_ticket.pk, body="Hi", cross_post=True)

    assert written() == before


# Rule 8: state changes cross-post


def test_change_ticket_state_moves_the_ticket_with_a_ticket_event(teammate):
    ticket = BackOfficeTicketFactory(actor=teammate)

    actions.change_ticket_state(actor=teammate, ticket_id=ticket.pk, state_id=in_progress().pk)

    assert refreshed(ticket).state == in_progress()
    part = TicketPart.objects.get(ticket=ticket, event_type="state_changed")
    assert (part.kind, part.author) == (TicketPartKind.EVENT, teammate)
    assert part.body == f"{teammate} moved this ticket from Submitted to In progress."


def test_change_ticket_state_posts_the_change_into_the_conversation(teammate, conversation, apply_outbox):
    ticket = BackOfficeTicketFactory(actor=teammate, conversation=conversation)
    actions.change_ticket_state(actor=teammate, ticket_id=ticket.pk, state_id=in_progress().pk)

    apply_outbox()

    [part] = parts_of(conversation, event_type="ticket_state_changed")
    assert part.kind == PartKind.EVENT
    assert part.body == f"Ticket #{ticket.pk} moved from Submitted to In progress by {teammate}."
    assert (part.author, part.data["ticket_id"]) == (teammate, ticket.pk)


def test_change_ticket_state_of_ticket_linked_to_customer_ticket_lands_in_its_thread(teammate, apply_outbox):
    customer_ticket = CustomerTicketFactory()
    ticket = BackOfficeTicketFactory(actor=teammate, customer_ticket=customer_ticket)
    actions.change_ticket_state(actor=teammate, ticket_id=ticket.pk, state_id=in_progress().pk)

    apply_outbox()

    [part] = parts_of(customer_ticket.thread, event_type="ticket_state_changed")
    assert part.body == f"Ticket #{ticket.pk} moved from Submitted to In progress by {teammate}."


def test_change_ticket_state_of_tracker_reaches_every_linked_conversation(teammate, conversation, apply_outbox):
    customer_ticket = CustomerTicketFactory()
    tracker = tracker_linked_to(conversation, customer_ticket, actor=teammate)
    actions.change_ticket_state(actor=teammate, ticket_id=tracker.pk, state_id=in_progress().pk)

    apply_outbox()

    for target in (conversation, customer_ticket.thread):
        assert len(parts_of(target, event_type="ticket_state_changed")) == 1


def test_change_ticket_state_refuses_state_not_offered_by_the_type(teammate):
    elsewhere = TicketStateFactory()
    ticket = BackOfficeTicketFactory(actor=teammate)
    before = written()

    with pytest.raises(InvalidInput) as raised:
        actions.change_ticket_state(actor=teammate, ticket_id=ticket.pk, state_id=elsewhere.pk)

    assert list(raised.value.errors) == ["state"]
    assert refreshed(ticket).state.category == StateCategory.SUBMITTED
    assert written() == before


def test_change_ticket_state_refuses_archived_state(teammate):
    retired = TicketStateFactory(archived=True)
    ticket = BackOfficeTicketFactory(actor=teammate, ticket_type=TicketTypeFactory(states=[*default_states(), retired]))

    with pytest.raises(InvalidInput):
        actions.change_ticket_state(actor=teammate, ticket_id=ticket.pk, state_id=retired.pk)

    assert refreshed(ticket).state.category == StateCategory.SUBMITTED


def test_change_ticket_state_to_the_same_state_is_a_no_op(teammate):
    ticket = BackOfficeTicketFactory(actor=teammate)
    before = written()

    assert actions.change_ticket_state(actor=teammate, ticket_id=ticket.pk, state_id=ticket.state_id) == []
    assert written() == before


# Rule 9: un-snooze when a cross-post or state event lands, unless both have the same assignee


def cross_post_a_note(ticket, actor):
    actions.post_ticket_note(actor=actor, ticket_id=ticket.pk, body="Refund sent.", cross_post=True)


def move_to_in_progress(ticket, actor):
    actions.change_ticket_state(actor=actor, ticket_id=ticket.pk, state_id=in_progress().pk)


TICKET_UPDATES = [
    pytest.param(cross_post_a_note, id="cross-posted-note"),
    pytest.param(move_to_in_progress, id="state-change"),
]


def delivered_updates_in(conversation: Conversation, ticket: Ticket) -> list[Part]:
    return [p for p in parts_of(conversation, source_key__isnull=False) if p.data["ticket_id"] == ticket.pk]


@pytest.mark.parametrize("update", TICKET_UPDATES)
def test_ticket_update_keeps_conversation_snoozed_when_both_have_the_same_assignee(update, teammate, apply_outbox):
    conversation = ConversationFactory(snoozed=True, assignee=teammate)
    ticket = BackOfficeTicketFactory(actor=teammate, conversation=conversation, assignee_id=teammate.pk)

    update(ticket, teammate)
    apply_outbox()

    assert len(delivered_updates_in(conversation, ticket)) == 1
    assert refreshed(conversation).state == ConversationState.SNOOZED
    assert unsnoozed_events_in(conversation) == []


@pytest.mark.parametrize("update", TICKET_UPDATES)
@pytest.mark.parametrize(
    ("conversation_assignee", "ticket_assignee"),
    [
        pytest.param("teammate", "other_teammate", id="different-assignees"),
        pytest.param("teammate", None, id="only-conversation-assigned"),
        pytest.param(None, "teammate", id="only-ticket-assigned"),
        pytest.param(None, None, id="neither-assigned"),
    ],
)
def test_ticket_update_wakes_snoozed_conversation(
    update, conversation_assignee, ticket_assignee, teammate, other_teammate, apply_outbox
):
    people = {"teammate": teammate, "other_teammate": other_teammate, None: None}
    conversation = ConversationFactory(snoozed=True, assignee=people[conversation_assignee])
    ticket_assignee = people[ticket_assignee]
    ticket = BackOfficeTicketFactory(
        actor=teammate, conversation=conversation, assignee_id=ticket_assignee.pk if ticket_assignee else None
    )

    update(ticket, teammate)
    apply_outbox()

    conversation = refreshed(conversation)
    assert (conversation.state, conversation.snoozed_until) == (ConversationState.OPEN, None)
    [woken] = unsnoozed_events_in(conversation)
    assert woken.data == {"reason": "ticket_update", "ticket_id": ticket.pk}


def test_record_customer_message_wakes_snoozed_conversation():
    conversation = ConversationFactory(snoozed=True)

    inbox_actions.record_customer_message(conversation_id=conversation.pk, body="Any news?")

    conversation = refreshed(conversation)
    assert (conversation.state, conversation.snoozed_until) == (ConversationState.OPEN, None)
    [woken] = unsnoozed_events_in(conversation)
    assert woken.data == {"reason": "customer_message"}


def test_record_customer_message_reopens_closed_conversation():
    conversation = ConversationFactory(closed=True)

    inbox_actions.record_customer_message(conversation_id=conversation.pk, body="It happened again.")

    assert refreshed(conversation).state == ConversationState.OPEN
    assert len(parts_of(conversation, event_type="reopened")) == 1


def test_wake_snoozed_conversations_wakes_conversation_whose_snooze_has_passed():
    expired = ConversationFactory(snoozed=True, snoozed_until=timezone.now() - timedelta(seconds=1))

    assert wake_snoozed_conversations() == 1

    expired = refreshed(expired)
    assert (expired.state, expired.snoozed_until) == (ConversationState.OPEN, None)
    [woken] = unsnoozed_events_in(expired)
    assert woken.data == {"reason": "snooze_expired"}


def test_wake_snoozed_conversations_leaves_future_snooze_alone():
    later = ConversationFactory(snoozed=True)

    assert wake_snoozed_conversations() == 0

    assert refreshed(later).state == ConversationState.SNOOZED
    assert unsnoozed_events_in(later) == []


def test_wake_conversation_for_expired_snooze_does_nothing_once_re_snoozed(teammate):
    conversation = ConversationFactory(snoozed=True, snoozed_until=timezone.now() - timedelta(seconds=1))
    later = timezone.now() + timedelta(hours=2)
    inbox_actions.snooze_conversation(actor=teammate, conversation_id=conversation.pk, until=later)

    woke = inbox_actions.wake_conversation(
        conversation_id=conversation.pk, reason=inbox_actions.WakeReason.SNOOZE_EXPIRED
    )

    assert woke is False
    conversation = refreshed(conversation)
    assert (conversation.state, conversation.snoozed_until) == (ConversationState.SNOOZED, later)
    assert unsnoozed_events_in(conversation) == []
