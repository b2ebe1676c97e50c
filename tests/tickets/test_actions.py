"""Rules 1-11 of DESIGN.md section 3, held by the ticket actions and their outbox handlers on PostgreSQL.

Follow-up work (cross-posts, state events, un-snoozes) is applied with `apply_outbox`, which calls
`helpdesk.outbox.apply_event` for each pending event as the Celery worker would.
"""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from helpdesk import outbox
from helpdesk.errors import InvalidInput, NotFound, RuleViolation
from helpdesk.models import OutboxEvent
from helpdesk.outbox import apply_event
from inbox import actions as inbox_actions
from inbox.models import Conversation, ConversationState, Part, PartKind
from inbox.tasks import wake_snoozed_conversations
from tests.concurrency import run_at_once
from tests.factories import (
    BackOfficeTicketFactory,
    ConversationFactory,
    CustomerTicketFactory,
    TeamFactory,
    TeammateFactory,
    TicketAttributeFactory,
    TicketStateFactory,
    TicketTypeFactory,
    TrackerTicketFactory,
    default_states,
    state,
)
from tickets import actions
from tickets.handlers import cross_post_note, cross_post_state_change
from tickets.models import AttributeKind, StateCategory, Ticket, TicketPart, TicketPartKind

pytestmark = pytest.mark.django_db

ONE_SHARED_TICKET = "already has a shared ticket"


def refreshed(obj):
    obj.refresh_from_db()
    return obj


def written() -> dict[str, int]:
    """How many rows an action could have written, to show that a refused one wrote none."""
    return {
        "tickets": Ticket.objects.count(),
        "parts": Part.objects.count(),
        "ticket_parts": TicketPart.objects.count(),
        "events": OutboxEvent.objects.count(),
    }


def parts_of(conversation: Conversation, **filters) -> list[Part]:
    return list(Part.objects.filter(conversation=conversation, **filters).order_by("pk"))


def cross_posts_in(conversation: Conversation) -> list[Part]:
    return parts_of(conversation, kind=PartKind.CROSS_POST)


def unsnoozed_events_in(conversation: Conversation) -> list[Part]:
    return parts_of(conversation, kind=PartKind.EVENT, event_type="unsnoozed")


def in_progress():
    return state(StateCategory.IN_PROGRESS)


def create(actor, ticket_type, conversation, **kwargs) -> Ticket:
    return actions.create_back_office_ticket(
        actor=actor, ticket_type_id=ticket_type.pk, conversation_id=conversation.pk, **kwargs
    )


def tracker_linked_to(conversation: Conversation, customer_ticket: Ticket, *, actor) -> Ticket:
    tracker = TrackerTicketFactory(actor=actor)
    actions.link_to_tracker(actor=actor, tracker_id=tracker.pk, conversation_id=conversation.pk)
    actions.link_to_tracker(actor=actor, tracker_id=tracker.pk, customer_ticket_id=customer_ticket.pk)
    return tracker


# create_back_office_ticket


def test_create_back_office_ticket_links_the_conversation(teammate, conversation):
    ticket = create(teammate, TicketTypeFactory(), conversation, title="Refund the duplicate charge")

    ticket = refreshed(ticket)
    assert (ticket.category, ticket.linked_conversation, ticket.linked_ticket) == ("back_office", conversation, None)


def test_create_back_office_ticket_adds_ticket_linked_event_to_the_conversation(teammate, conversation):
    ticket = create(teammate, TicketTypeFactory(), conversation, title="Refund the duplicate charge")

    [part] = parts_of(conversation)
    assert (part.kind, part.event_type, part.author, part.data) == (
        PartKind.EVENT,
        "ticket_linked",
        teammate,
        {"ticket_id": ticket.pk},
    )
    assert f"#{ticket.pk} Refund the duplicate charge" in part.body


def test_create_back_office_ticket_starts_in_first_submitted_state_of_its_type(teammate, conversation):
    triage = TicketStateFactory(category=StateCategory.SUBMITTED, position=5)
    archived = TicketStateFactory(category=StateCategory.SUBMITTED, position=1, archived=True)
    ticket_type = TicketTypeFactory(states=[*default_states(), triage, archived])

    ticket = create(teammate, ticket_type, conversation, title="Refund")

    assert refreshed(ticket).state == triage


def test_create_back_office_ticket_refuses_archived_type(teammate, conversation):
    archived = TicketTypeFactory(archived=True)

    with pytest.raises(InvalidInput) as raised:
        create(teammate, archived, conversation, title="Refund")

    assert raised.value.errors == {"ticket_type": ["This ticket type is archived."]}
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("category", ["customer", "tracker"])
def test_create_back_office_ticket_refuses_customer_and_tracker_types(teammate, conversation, category):
    with pytest.raises(InvalidInput) as raised:
        create(teammate, TicketTypeFactory(**{category: True}), conversation, title="Refund")

    assert list(raised.value.errors) == ["ticket_type"]
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("title", ["", "   "])
def test_create_back_office_ticket_refuses_missing_title(teammate, conversation, title):
    with pytest.raises(InvalidInput) as raised:
        create(teammate, TicketTypeFactory(), conversation, title=title)

    assert raised.value.errors == {"title": ["This field is required."]}
    assert not Ticket.objects.exists()
    assert parts_of(conversation) == []


def test_create_back_office_ticket_refuses_invalid_attributes_with_a_message_per_field(teammate, conversation):
    ticket_type = TicketTypeFactory()
    TicketAttributeFactory(ticket_type=ticket_type, key="amount", name="Amount", kind=AttributeKind.DECIMAL)
    TicketAttributeFactory(ticket_type=ticket_type, key="order", name="Order", required_to_create=True)

    with pytest.raises(InvalidInput) as raised:
        create(teammate, ticket_type, conversation, title="Refund", attributes={"amount": "lots"})

    assert raised.value.errors == {
        "amount": ["Amount must be a number, such as 12.50."],
        "order": ["Order is required."],
    }
    assert not Ticket.objects.exists()


def test_create_back_office_ticket_stores_cleaned_attributes(teammate, conversation):
    ticket_type = TicketTypeFactory()
    TicketAttributeFactory(ticket_type=ticket_type, key="amount", name="Amount", kind=AttributeKind.DECIMAL)

    ticket = create(teammate, ticket_type, conversation, title="Refund", attributes={"amount": " 12.50 "})

    assert refreshed(ticket).attributes == {"amount": "12.50"}


def test_create_back_office_ticket_refuses_nonexistent_conversation(teammate):
    with pytest.raises(NotFound):
        actions.create_back_office_ticket(
            actor=teammate, ticket_type_id=TicketTypeFactory().pk, conversation_id=999_999, title="Refund"
        )

    assert not Ticket.objects.exists()


@pytest.mark.parametrize("links", ["neither", "both"])
def test_create_back_office_ticket_refuses_anything_but_one_link(teammate, conversation, links):
    customer_ticket_id = CustomerTicketFactory().pk if links == "both" else None
    conversation_id = conversation.pk if links == "both" else None

    with pytest.raises(InvalidInput, match="Link the ticket to one conversation or one customer ticket"):
        actions.create_back_office_ticket(
            actor=teammate,
            ticket_type_id=TicketTypeFactory().pk,
            conversation_id=conversation_id,
            customer_ticket_id=customer_ticket_id,
            title="Refund",
        )

    assert not Ticket.objects.filter(category="back_office").exists()


def test_create_back_office_ticket_from_customer_ticket_thread_links_the_customer_ticket(teammate):
    customer_ticket = CustomerTicketFactory()

    ticket = create(teammate, TicketTypeFactory(), customer_ticket.thread, title="Check the refund")

    ticket = refreshed(ticket)
    assert (ticket.linked_ticket, ticket.linked_conversation) == (customer_ticket, None)
    assert parts_of(customer_ticket.thread, event_type="ticket_linked")


# Rule 2: a back-office ticket stays linked, and its conversation is reachable from it


def test_create_customer_ticket_opens_its_thread_with_a_created_event(teammate, contact):
    ticket = CustomerTicketFactory(actor=teammate, contact=contact, title="Parcel never arrived")

    assert ticket.thread.contact == contact
    event = ticket.thread.parts.get()
    assert (event.event_type, event.data["ticket_id"]) == ("ticket_created", ticket.pk)
    assert event.body == f"{teammate} created customer ticket #{ticket.pk} Parcel never arrived."


def test_back_office_ticket_link_cannot_be_removed(teammate):
    ticket = BackOfficeTicketFactory(actor=teammate)

    with pytest.raises(IntegrityError, match="ticket_back_office_linked_once"), transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk).update(linked_conversation=None)


def test_back_office_ticket_conversation_cannot_be_deleted(teammate, conversation):
    BackOfficeTicketFactory(actor=teammate, conversation=conversation)

    with pytest.raises(ProtectedError), transaction.atomic():
        conversation.delete()


def test_back_office_ticket_reaches_its_conversation(teammate, conversation):
    ticket = BackOfficeTicketFactory(actor=teammate, conversation=conversation)

    assert Ticket.objects.select_related("linked_conversation").get(pk=ticket.pk).linked_conversation == conversation


def test_back_office_ticket_reaches_its_customer_ticket_thread(teammate):
    customer_ticket = CustomerTicketFactory()
    ticket = BackOfficeTicketFactory(actor=teammate, customer_ticket=customer_ticket)

    assert Ticket.objects.get(pk=ticket.pk).linked_ticket.thread == customer_ticket.thread


# Rule 3: sharing


def test_create_back_office_ticket_shares_optional_type_when_asked(teammate, conversation):
    ticket = create(teammate, TicketTypeFactory(), conversation, title="Refund", share=True)

    assert refreshed(ticket).is_shared


def test_create_back_office_ticket_does_not_share_by_default(teammate, conversation):
    ticket = create(teammate, TicketTypeFactory(), conversation, title="Refund")

    assert not refreshed(ticket).is_shared


def test_create_back_office_ticket_refuses_to_share_never_type(teammate, conversation):
    before = written()

    with pytest.raises(RuleViolation, match="never shared with the customer"):
        create(teammate, TicketTypeFactory(never_shared=True), conversation, title="Fraud check", share=True)

    assert written() == before


def test_share_ticket_shares_optional_ticket(teammate, conversation):
    ticket = BackOfficeTicketFactory(actor=teammate, conversation=conversation)

    actions.share_ticket(actor=teammate, ticket_id=ticket.pk)

    assert refreshed(ticket).is_shared
    assert TicketPart.objects.filter(ticket=ticket, event_type="shared").count() == 1
    assert len(parts_of(conversation, event_type="ticket_shared")) == 1


def test_share_ticket_refuses_never_type(teammate):
    ticket = BackOfficeTicketFactory(actor=teammate, ticket_type=TicketTypeFactory(never_shared=True))
    before = written()

    with pytest.raises(RuleViolation, match="never shared with the customer"):
        actions.share_ticket(actor=teammate, ticket_id=ticket.pk)

    assert not refreshed(ticket).is_shared
    assert written() == before


def test_share_ticket_twice_is_a_no_op(teammate):
    ticket = BackOfficeTicketFactory(actor=teammate, share=True)
    before = written()

    assert actions.share_ticket(actor=teammate, ticket_id=ticket.pk) == []
    assert written() == before


# Rule 4: at most one shared back-office ticket per conversation


def test_create_back_office_ticket_refuses_second_shared_ticket_on_a_conversation(teammate, conversation):
    first = BackOfficeTicketFactory(actor=teammate, conversation=conversation, share=True)
    before = written()

    with pytest.raises(RuleViolation) as raised:
        create(teammate, TicketTypeFactory(), conversation, title="Second", share=True)

    assert raised.value.message == (
        f"This conversation already has a shared ticket (#{first.pk}); "
        "only one back-office ticket per conversation can be shared with the customer."
    )
    assert written() == before


def test_share_ticket_refuses_second_shared_ticket_on_a_conversation(teammate, conversation):
    first = BackOfficeTicketFactory(actor=teammate, conversation=conversation, share=True)
    second = BackOfficeTicketFactory(actor=teammate, conversation=conversation)
    before = written()

    with pytest.raises(RuleViolation, match=rf"already has a shared ticket \(#{first.pk}\)"):
        actions.share_ticket(actor=teammate, ticket_id=second.pk)

    assert not refreshed(second).is_shared
    assert written() == before


def test_create_back_office_ticket_allows_unshared_tickets_beside_a_shared_one(teammate, conversation):
    BackOfficeTicketFactory(actor=teammate, conversation=conversation, share=True)

    create(teammate, TicketTypeFactory(), conversation, title="Second team")

    assert Ticket.objects.filter(linked_conversation=conversation).count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("round_", range(5))
def test_share_ticket_concurrent_shares_of_one_conversation_share_exactly_one(round_):
    actor = TeammateFactory()
    conversation = ConversationFactory()
    tickets = BackOfficeTicketFactory.create_batch(2, actor=actor, conversation=conversation)

    outcomes = run_at_once(*(lambda t=t: actions.share_ticket(actor=actor, ticket_id=t.pk) for t in tickets))

    refusals = [o for o in outcomes if isinstance(o, RuleViolation)]
    successes = [o for o in outcomes if not isinstance(o, Exception)]
    assert (len(successes), len(refusals)) == (1, 1), outcomes
    assert ONE_SHARED_TICKET in refusals[0].message
    assert Ticket.objects.filter(linked_conversation=conversation, is_shared=True).count() == 1
    assert len(parts_of(conversation, event_type="ticket_shared")) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("round_", range(5))
def test_create_back_office_ticket_concurrent_shared_creates_share_exactly_one(round_):
    actor = TeammateFactory()
    conversation = ConversationFactory()
    ticket_type = TicketTypeFactory()

    outcomes = run_at_once(
        *(lambda n=n: create(actor, ticket_type, conversation, title=f"Shared {n}", share=True) for n in range(2))
    )

    refusals = [o for o in outcomes if isinstance(o, RuleViolation)]
    successes = [o for o in outcomes if not isinstance(o, Exception)]
    assert (len(successes), len(refusals)) == (1, 1), outcomes
    assert ONE_SHARED_TICKET in refusals[0].message
    assert Ticket.objects.filter(linked_conversation=conversation).count() == 1
    assert Ticket.objects.get(linked_conversation=conversation).is_shared
    assert len(parts_of(conversation, event_type="ticket_linked")) == 1


# Rule 5: a back-office ticket linked to a customer ticket cannot be shared


def test_create_back_office_ticket_refuses_to_share_when_linked_to_customer_ticket(teammate):
    customer_ticket = CustomerTicketFactory()
    before = written()

    with pytest.raises(RuleViolation, match="linked to a customer ticket cannot be shared"):
        actions.create_back_office_ticket(
            actor=teammate,
            ticket_type_id=TicketTypeFactory().pk,
            customer_ticket_id=customer_ticket.pk,
            title="Check",
            share=True,
        )

    assert written() == before


def test_create_back_office_ticket_refuses_to_share_from_customer_ticket_thread(teammate):
    customer_ticket = CustomerTicketFactory()
    before = written()

    with pytest.raises(RuleViolation, match="linked to a customer ticket cannot be shared"):
        create(teammate, TicketTypeFactory(), customer_ticket.thread, title="Check", share=True)

    assert written() == before


def test_share_ticket_refuses_ticket_linked_to_customer_ticket(teammate):
    ticket = BackOfficeTicketFactory(actor=teammate, customer_ticket=CustomerTicketFactory())
    before = written()

    with pytest.raises(RuleViolation, match="linked to a customer ticket cannot be shared"):
        actions.share_ticket(actor=teammate, ticket_id=ticket.pk)

    assert not refreshed(ticket).is_shared
    assert written() == before


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

    event = OutboxEvent.objects.get(kind="TicketNoteCrossPosted", done_at__isnull=True)
    assert [(c.func, c.args) for c in callbacks] == [(outbox.enqueue, (event.pk,))]


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


# Rule 10 (what exists before ticket forms): what a customer may fill


def customer_form_type():
    ticket_type = TicketTypeFactory()
    TicketAttributeFactory(ticket_type=ticket_type, key="order", name="Order", visible_to_customers=True)
    TicketAttributeFactory(
        ticket_type=ticket_type, key="device", name="Device", visible_to_customers=True, required_for_customers=True
    )
    TicketAttributeFactory(ticket_type=ticket_type, key="risk", name="Risk score", required_to_create=True)
    return ticket_type


def test_create_back_office_ticket_for_customer_stores_customer_visible_attributes(conversation):
    values = {"order": "1234", "device": "Phone"}

    ticket = create(None, customer_form_type(), conversation, title="Refund", audience="customer", attributes=values)

    assert refreshed(ticket).attributes == values


def test_create_back_office_ticket_for_customer_refuses_internal_attribute(conversation):
    values = {"device": "Phone", "risk": "high"}

    with pytest.raises(InvalidInput) as raised:
        create(None, customer_form_type(), conversation, title="Refund", audience="customer", attributes=values)

    assert raised.value.errors == {"risk": ["This field cannot be set here."]}
    assert not Ticket.objects.exists()


def test_create_back_office_ticket_for_customer_requires_required_for_customers(conversation):
    with pytest.raises(InvalidInput) as raised:
        create(None, customer_form_type(), conversation, title="Refund", audience="customer", attributes={})

    assert raised.value.errors == {"device": ["Device is required."]}
    assert not Ticket.objects.exists()


# Rule 11: a delivery applied twice posts once


def test_apply_event_twice_cross_posts_once(teammate, conversation):
    ticket = BackOfficeTicketFactory(actor=teammate, conversation=conversation)
    actions.post_ticket_note(actor=teammate, ticket_id=ticket.pk, body="Refund sent.", cross_post=True)
    event = OutboxEvent.objects.get(kind="TicketNoteCrossPosted")

    assert apply_event(event.pk) is True
    assert apply_event(event.pk) is False

    assert len(cross_posts_in(conversation)) == 1


def test_cross_post_note_handler_run_twice_posts_once(teammate, conversation):
    ticket = BackOfficeTicketFactory(actor=teammate, conversation=conversation)
    actions.post_ticket_note(actor=teammate, ticket_id=ticket.pk, body="Refund sent.", cross_post=True)
    event = OutboxEvent.objects.get(kind="TicketNoteCrossPosted")

    cross_post_note(event)
    cross_post_note(event)

    assert len(cross_posts_in(conversation)) == 1


def test_cross_post_state_change_handler_run_twice_posts_once(teammate, conversation):
    ticket = BackOfficeTicketFactory(actor=teammate, conversation=conversation)
    actions.change_ticket_state(actor=teammate, ticket_id=ticket.pk, state_id=in_progress().pk)
    event = OutboxEvent.objects.get(kind="TicketStateChanged", handler="tickets.handlers.cross_post_state_change")

    cross_post_state_change(event)
    cross_post_state_change(event)

    assert len(parts_of(conversation, event_type="ticket_state_changed")) == 1


# State categories: a customer reply resumes a ticket that waits on the customer


def test_customer_message_moves_shared_ticket_waiting_on_customer_to_first_in_progress_state(teammate, apply_outbox):
    triaged = TicketStateFactory(category=StateCategory.IN_PROGRESS, position=15)
    ticket_type = TicketTypeFactory(states=[*default_states(), triaged])
    conversation = ConversationFactory()
    ticket = BackOfficeTicketFactory(actor=teammate, conversation=conversation, ticket_type=ticket_type, share=True)
    actions.change_ticket_state(
        actor=teammate, ticket_id=ticket.pk, state_id=state(StateCategory.WAITING_ON_CUSTOMER).pk
    )
    apply_outbox()

    inbox_actions.record_customer_message(conversation_id=conversation.pk, body="Here is the receipt.")
    apply_outbox()

    assert refreshed(ticket).state == triaged


def test_customer_message_leaves_shared_ticket_that_is_not_waiting_on_customer(teammate, apply_outbox):
    conversation = ConversationFactory()
    ticket = BackOfficeTicketFactory(actor=teammate, conversation=conversation, share=True)

    inbox_actions.record_customer_message(conversation_id=conversation.pk, body="Any news?")
    apply_outbox()

    assert refreshed(ticket).state == state(StateCategory.SUBMITTED)


# assign_ticket


def test_assign_ticket_sets_assignee_and_team(teammate, other_teammate, team):
    ticket = BackOfficeTicketFactory(actor=teammate)

    actions.assign_ticket(actor=teammate, ticket_id=ticket.pk, assignee_id=other_teammate.pk, team_id=team.pk)

    ticket = refreshed(ticket)
    assert (ticket.assignee, ticket.team) == (other_teammate, team)


def test_assign_ticket_adds_an_assigned_event(teammate, other_teammate):
    ticket = BackOfficeTicketFactory(actor=teammate)

    actions.assign_ticket(actor=teammate, ticket_id=ticket.pk, assignee_id=other_teammate.pk, team_id=ticket.team_id)

    part = TicketPart.objects.get(ticket=ticket, event_type="assigned")
    assert (part.kind, part.author, part.body) == (
        TicketPartKind.EVENT,
        teammate,
        f"{teammate} assigned this ticket to {other_teammate}.",
    )


def test_assign_ticket_clears_assignee(teammate):
    team = TeamFactory()
    ticket = BackOfficeTicketFactory(actor=teammate, assignee_id=teammate.pk, team_id=team.pk)

    actions.assign_ticket(actor=teammate, ticket_id=ticket.pk, assignee_id=None, team_id=team.pk)

    ticket = refreshed(ticket)
    assert (ticket.assignee, ticket.team) == (None, team)
    part = TicketPart.objects.get(ticket=ticket, event_type="assigned")
    assert part.body == f"{teammate} assigned this ticket to nobody."


@pytest.mark.parametrize("factory", [BackOfficeTicketFactory, TrackerTicketFactory])
def test_assign_ticket_refuses_taking_the_team_of_a_back_office_or_tracker_ticket(teammate, factory):
    ticket = factory(actor=teammate)
    before = written()

    with pytest.raises(InvalidInput) as raised:
        actions.assign_ticket(actor=teammate, ticket_id=ticket.pk, assignee_id=teammate.pk, team_id=None)

    assert "always belongs to a team" in raised.value.message
    assert raised.value.errors == {"team": ["Choose a team."]}
    assert written() == before
    assert refreshed(ticket).team_id == ticket.team_id


def test_assign_ticket_lets_a_customer_ticket_have_no_team(teammate):
    ticket = CustomerTicketFactory(actor=teammate, team_id=TeamFactory().pk)

    actions.assign_ticket(actor=teammate, ticket_id=ticket.pk, assignee_id=None, team_id=None)

    assert refreshed(ticket).team is None


def test_assign_ticket_refuses_unknown_teammate(teammate):
    ticket = BackOfficeTicketFactory(actor=teammate)
    before = written()

    with pytest.raises(InvalidInput) as raised:
        actions.assign_ticket(actor=teammate, ticket_id=ticket.pk, assignee_id=999_999, team_id=None)

    assert list(raised.value.errors) == ["assignee"]
    assert refreshed(ticket).assignee is None
    assert written() == before


def test_assign_ticket_to_same_assignee_is_a_no_op(teammate):
    ticket = BackOfficeTicketFactory(actor=teammate, assignee_id=teammate.pk)
    before = written()

    assert (
        actions.assign_ticket(actor=teammate, ticket_id=ticket.pk, assignee_id=teammate.pk, team_id=ticket.team_id)
        == []
    )
    assert written() == before
