"""Tracker tickets: creating one from a conversation, linking and unlinking, and the one reply a resolved tracker
sends to every linked customer, through the outbox, exactly once."""

import pytest

from helpdesk.errors import InvalidInput, NotFound, RuleViolation
from helpdesk.models import OutboxEvent
from helpdesk.outbox import apply_event
from inbox.models import Conversation, Part, PartKind
from tests.concurrency import run_at_once
from tests.factories import (
    BackOfficeTicketFactory,
    ConversationFactory,
    CustomerTicketFactory,
    TeamFactory,
    TeammateFactory,
    TicketTypeFactory,
    TrackerTicketFactory,
    state,
)
from tickets import actions
from tickets.handlers import deliver_tracker_reply
from tickets.models import StateCategory, TicketPart, TrackerLink, TrackerReply, TrackerReplyDelivery

pytestmark = pytest.mark.django_db


def replies_in(conversation: Conversation) -> list[str]:
    return list(Part.objects.filter(conversation=conversation, kind=PartKind.REPLY).values_list("body", flat=True))


def resolve(tracker, actor) -> None:
    actions.change_ticket_state(actor=actor, ticket_id=tracker.pk, state_id=state(StateCategory.RESOLVED).pk)


def linked_tracker(actor, *targets) -> object:
    """A tracker linked to each conversation (or customer ticket) in `targets`."""
    tracker = TrackerTicketFactory(actor=actor)
    for target in targets:
        kind = "conversation_id" if isinstance(target, Conversation) else "customer_ticket_id"
        actions.link_to_tracker(actor=actor, tracker_id=tracker.pk, **{kind: target.pk})
    return tracker


# Creating and linking


def test_create_tracker_ticket_from_a_conversation_links_it_and_goes_to_the_types_team(teammate, conversation):
    tracker_type = TicketTypeFactory(tracker=True)

    tracker = actions.create_tracker_ticket(
        actor=teammate, ticket_type_id=tracker_type.pk, title="Checkout down", conversation_id=conversation.pk
    )

    assert tracker.team == tracker_type.default_team
    assert list(TrackerLink.objects.filter(tracker=tracker).values_list("conversation_id", flat=True)) == [
        conversation.pk
    ]
    event = Part.objects.get(conversation=conversation, event_type="ticket_linked")
    assert event.body == f"{teammate} linked tracker ticket #{tracker.pk} Checkout down."
    assert TicketPart.objects.filter(ticket=tracker, event_type="linked").count() == 1


def test_create_tracker_ticket_takes_the_chosen_team(teammate, conversation):
    team = TeamFactory()

    tracker = actions.create_tracker_ticket(
        actor=teammate,
        ticket_type_id=TicketTypeFactory(tracker=True).pk,
        title="Login fails",
        team_id=team.pk,
        conversation_id=conversation.pk,
    )

    assert tracker.team == team


def test_create_tracker_ticket_refused_writes_no_link(teammate, conversation):
    with pytest.raises(InvalidInput):
        actions.create_tracker_ticket(
            actor=teammate, ticket_type_id=TicketTypeFactory(tracker=True).pk, title="", conversation_id=conversation.pk
        )

    assert not TrackerLink.objects.exists()
    assert not Part.objects.filter(conversation=conversation).exists()


def test_link_to_tracker_from_a_customer_tickets_thread_links_the_customer_ticket(teammate):
    customer_ticket = CustomerTicketFactory(actor=teammate)
    tracker = TrackerTicketFactory(actor=teammate)

    link = actions.link_to_tracker(actor=teammate, tracker_id=tracker.pk, conversation_id=customer_ticket.thread_id)

    assert (link.conversation_id, link.customer_ticket_id) == (None, customer_ticket.pk)


def test_link_to_tracker_twice_keeps_one_link_and_one_event(teammate, conversation):
    tracker = TrackerTicketFactory(actor=teammate)

    first = actions.link_to_tracker(actor=teammate, tracker_id=tracker.pk, conversation_id=conversation.pk)
    again = actions.link_to_tracker(actor=teammate, tracker_id=tracker.pk, conversation_id=conversation.pk)

    assert first == again
    assert Part.objects.filter(conversation=conversation, event_type="ticket_linked").count() == 1


def test_link_to_tracker_refuses_a_ticket_that_is_not_a_tracker(teammate, conversation):
    back_office = BackOfficeTicketFactory(actor=teammate)

    with pytest.raises(RuleViolation, match="is not a tracker ticket"):
        actions.link_to_tracker(actor=teammate, tracker_id=back_office.pk, conversation_id=conversation.pk)

    assert not TrackerLink.objects.exists()


def test_link_to_tracker_refuses_an_unknown_conversation(teammate):
    tracker = TrackerTicketFactory(actor=teammate)

    with pytest.raises(NotFound):
        actions.link_to_tracker(actor=teammate, tracker_id=tracker.pk, conversation_id=999_999)


def test_unlink_from_tracker_removes_the_link_with_an_event(teammate, conversation):
    tracker = linked_tracker(teammate, conversation)

    assert actions.unlink_from_tracker(actor=teammate, tracker_id=tracker.pk, conversation_id=conversation.pk)

    assert not TrackerLink.objects.exists()
    event = Part.objects.get(conversation=conversation, event_type="ticket_unlinked")
    assert event.body == f"{teammate} unlinked tracker ticket #{tracker.pk} {tracker.title}."
    assert not actions.unlink_from_tracker(actor=teammate, tracker_id=tracker.pk, conversation_id=conversation.pk)


def test_unlinked_conversation_gets_no_more_cross_posts(teammate, conversation, apply_outbox):
    tracker = linked_tracker(teammate, conversation)
    actions.unlink_from_tracker(actor=teammate, tracker_id=tracker.pk, conversation_id=conversation.pk)

    actions.post_ticket_note(actor=teammate, ticket_id=tracker.pk, body="Fix deployed.", cross_post=True)
    apply_outbox()

    assert not Part.objects.filter(conversation=conversation, kind=PartKind.CROSS_POST).exists()


# The reply to every linked customer


def test_send_tracker_reply_refuses_an_unresolved_tracker(teammate, conversation):
    tracker = linked_tracker(teammate, conversation)

    with pytest.raises(RuleViolation, match="Resolve the tracker first"):
        actions.send_tracker_reply(actor=teammate, tracker_id=tracker.pk, body="Fixed.")

    assert not TrackerReply.objects.exists()


def test_send_tracker_reply_refuses_a_tracker_that_links_nothing(teammate):
    tracker = TrackerTicketFactory(actor=teammate)
    resolve(tracker, teammate)

    with pytest.raises(RuleViolation, match="nobody to reply to"):
        actions.send_tracker_reply(actor=teammate, tracker_id=tracker.pk, body="Fixed.")


def test_send_tracker_reply_refuses_a_ticket_that_is_not_a_tracker(teammate):
    ticket = BackOfficeTicketFactory(actor=teammate)

    with pytest.raises(RuleViolation, match="is not a tracker ticket"):
        actions.send_tracker_reply(actor=teammate, tracker_id=ticket.pk, body="Fixed.")


def test_send_tracker_reply_refuses_an_empty_reply(teammate, conversation):
    tracker = linked_tracker(teammate, conversation)
    resolve(tracker, teammate)

    with pytest.raises(InvalidInput):
        actions.send_tracker_reply(actor=teammate, tracker_id=tracker.pk, body="   ")


def test_tracker_reply_reaches_every_linked_conversation_and_customer_ticket_once(teammate, apply_outbox):
    first, second = ConversationFactory(), ConversationFactory()
    customer_ticket = CustomerTicketFactory(actor=teammate)
    tracker = linked_tracker(teammate, first, second, customer_ticket)
    resolve(tracker, teammate)

    actions.send_tracker_reply(actor=teammate, tracker_id=tracker.pk, body="The outage is fixed.")
    apply_outbox()

    for conversation in (first, second, customer_ticket.thread):
        assert replies_in(conversation) == ["The outage is fixed."]
        reply = Part.objects.get(conversation=conversation, kind=PartKind.REPLY)
        assert reply.author == teammate
    assert TrackerReplyDelivery.objects.filter(part__isnull=True).count() == 0


def test_tracker_reply_is_delivered_after_commit_one_event_per_conversation(
    teammate, django_capture_on_commit_callbacks
):
    tracker = linked_tracker(teammate, ConversationFactory(), ConversationFactory())
    resolve(tracker, teammate)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.send_tracker_reply(actor=teammate, tracker_id=tracker.pk, body="Fixed.")
        assert not Part.objects.filter(kind=PartKind.REPLY).exists()  # nothing posted inside the transaction

    queued = OutboxEvent.objects.filter(kind="TrackerReplyQueued")
    assert queued.count() == 2
    enqueued = [event_id for callback in callbacks for event_id in callback.args[0]]
    assert set(queued.values_list("pk", flat=True)) <= set(enqueued)


def test_tracker_reply_delivered_twice_posts_once(teammate, conversation):
    tracker = linked_tracker(teammate, conversation)
    resolve(tracker, teammate)
    actions.send_tracker_reply(actor=teammate, tracker_id=tracker.pk, body="Fixed.")
    event = OutboxEvent.objects.get(kind="TrackerReplyQueued")

    assert apply_event(event.pk)
    assert not apply_event(event.pk)
    deliver_tracker_reply(event)  # a handler run again, as a redelivered task past the outbox would

    assert replies_in(conversation) == ["Fixed."]


def test_tracker_reply_counts_delivered_and_pending(teammate):
    first, second = ConversationFactory(), ConversationFactory()
    tracker = linked_tracker(teammate, first, second)
    resolve(tracker, teammate)
    reply = actions.send_tracker_reply(actor=teammate, tracker_id=tracker.pk, body="Fixed.")

    apply_event(OutboxEvent.objects.filter(kind="TrackerReplyQueued").order_by("pk").first().pk)

    deliveries = TrackerReplyDelivery.objects.filter(reply=reply)
    assert (deliveries.filter(part__isnull=False).count(), deliveries.filter(part__isnull=True).count()) == (1, 1)


def test_tracker_reply_only_once_per_resolution(teammate, conversation):
    tracker = linked_tracker(teammate, conversation)
    resolve(tracker, teammate)
    actions.send_tracker_reply(actor=teammate, tracker_id=tracker.pk, body="Fixed.")

    with pytest.raises(RuleViolation, match="already got a reply"):
        actions.send_tracker_reply(actor=teammate, tracker_id=tracker.pk, body="Fixed, really.")

    assert TrackerReply.objects.count() == 1


def test_tracker_resolved_again_can_reply_again(teammate, conversation):
    tracker = linked_tracker(teammate, conversation)
    resolve(tracker, teammate)
    actions.send_tracker_reply(actor=teammate, tracker_id=tracker.pk, body="Fixed.")
    actions.change_ticket_state(actor=teammate, ticket_id=tracker.pk, state_id=state(StateCategory.IN_PROGRESS).pk)
    resolve(tracker, teammate)

    actions.send_tracker_reply(actor=teammate, tracker_id=tracker.pk, body="Fixed again.")

    assert TrackerReply.objects.count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("round_", range(3))
def test_tracker_reply_sent_by_two_teammates_at_once_goes_out_once(round_):
    actor, other = TeammateFactory(), TeammateFactory()
    tracker = linked_tracker(actor, ConversationFactory(), ConversationFactory())
    resolve(tracker, actor)

    outcomes = run_at_once(
        *(
            lambda who=who: actions.send_tracker_reply(actor=who, tracker_id=tracker.pk, body="Fixed.")
            for who in (actor, other)
        )
    )

    refusals = [o for o in outcomes if isinstance(o, RuleViolation)]
    assert len(refusals) == 1, outcomes
    assert "already got a reply" in refusals[0].message
    assert TrackerReply.objects.count() == 1
    assert TrackerReplyDelivery.objects.count() == 2
    assert OutboxEvent.objects.filter(kind="TrackerReplyQueued").count() == 2
