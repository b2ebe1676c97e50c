"""Tracker tickets: one bug or outage that many conversations and customer tickets link to.

A tracker is never shared and never reaches a customer; its notes and state changes reach every linked
conversation (tickets.handlers). Once resolved, it can send one customer-facing reply to all of them.
"""

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from helpdesk.errors import InvalidInput, NotFound, RuleViolation
from helpdesk.outbox import record
from inbox import actions as inbox_actions
from inbox.models import Conversation, Teammate
from tickets import events, rules
from tickets.actions.common import actor_id, actor_name, get_live_type, insert_ticket, lock_ticket
from tickets.models import (
    Ticket,
    TicketCategory,
    TicketPart,
    TicketPartKind,
    TrackerLink,
    TrackerReply,
    TrackerReplyDelivery,
)
from tickets.selectors import list_delivery_conversation_ids


def resolve_link_target(
    *, conversation_id: int | None, customer_ticket_id: int | None
) -> tuple[int, int | None, int | None]:
    """(the thread to lock, conversation_id, customer_ticket_id) of a tracker link. A conversation that is a customer
    ticket's thread links that customer ticket, the valid link for it (DESIGN.md section 2). Raises NotFound."""
    if (conversation_id is None) == (customer_ticket_id is None):
        raise InvalidInput("Link the tracker to one conversation or one customer ticket.")
    if conversation_id is not None:
        row = Conversation.objects.filter(pk=conversation_id).values("customer_ticket__pk").first()
        if row is None:
            raise NotFound("That conversation does not exist.")
        if row["customer_ticket__pk"] is None:
            return conversation_id, conversation_id, None
        customer_ticket_id = row["customer_ticket__pk"]
    thread_id = (
        Ticket.objects.filter(pk=customer_ticket_id or 0, category=TicketCategory.CUSTOMER)
        .values_list("thread_id", flat=True)
        .first()
    )
    if thread_id is None:
        raise NotFound(f"Customer ticket #{customer_ticket_id} does not exist.")
    return thread_id, None, customer_ticket_id


@transaction.atomic
def create_tracker_ticket(
    *,
    actor: Teammate | None,
    ticket_type_id: int,
    title: str,
    description: str = "",
    attributes: dict[str, Any] | None = None,
    assignee_id: int | None = None,
    team_id: int | None = None,
    conversation_id: int | None = None,
    customer_ticket_id: int | None = None,
) -> Ticket:
    """Create a tracker ticket (one bug, one outage) for `team_id` or its type's default team; with a conversation
    or customer ticket, linked to it at once. Locks that conversation first. Emits TicketCreated."""
    target = None
    if conversation_id is not None or customer_ticket_id is not None:
        target = lock_link_target(conversation_id=conversation_id, customer_ticket_id=customer_ticket_id)
    ticket_type = get_live_type(ticket_type_id, category=TicketCategory.TRACKER)
    tracker = insert_ticket(
        ticket_type=ticket_type,
        actor=actor,
        audience="teammate",
        title=title,
        description=description,
        attributes=attributes,
        assignee_id=assignee_id,
        team_id=team_id,
    )
    if target is not None:
        _link(target, tracker, actor=actor)
    return tracker


@transaction.atomic
def link_to_tracker(
    *,
    actor: Teammate | None,
    tracker_id: int,
    conversation_id: int | None = None,
    customer_ticket_id: int | None = None,
) -> TrackerLink:
    """Link a conversation or a customer ticket to a tracker; linking twice returns the existing link.

    Locks the conversation (the customer ticket's thread), then the tracker. Raises NotFound, RuleViolation.
    Emits TicketLinkedToTracker; adds an event to the conversation and to the tracker.
    """
    target = lock_link_target(conversation_id=conversation_id, customer_ticket_id=customer_ticket_id)
    tracker = lock_tracker(tracker_id)
    return TrackerLink.objects.filter(tracker=tracker, **target.fields).first() or _link(target, tracker, actor=actor)


def lock_tracker(tracker_id: int) -> Ticket:
    tracker = lock_ticket(tracker_id)
    if refusal := rules.not_a_tracker(tracker):
        raise RuleViolation(refusal)
    return tracker


@dataclass(frozen=True, slots=True)
class LinkTarget:
    """What a tracker links: a conversation, or a customer ticket; `thread` is the conversation, locked."""

    thread: Conversation
    conversation_id: int | None
    customer_ticket_id: int | None

    @property
    def fields(self) -> dict[str, int | None]:
        return {"conversation_id": self.conversation_id, "customer_ticket_id": self.customer_ticket_id}

    @property
    def label(self) -> str:
        if self.conversation_id:
            return f"conversation #{self.conversation_id}"
        return f"customer ticket #{self.customer_ticket_id}"


def lock_link_target(*, conversation_id: int | None, customer_ticket_id: int | None) -> LinkTarget:
    """The link target, its conversation locked: before the tracker, as the lock order says."""
    thread_id, conversation_id, customer_ticket_id = resolve_link_target(
        conversation_id=conversation_id, customer_ticket_id=customer_ticket_id
    )
    return LinkTarget(inbox_actions.lock_conversation(thread_id), conversation_id, customer_ticket_id)


def _link(target: LinkTarget, tracker: Ticket, *, actor: Teammate | None) -> TrackerLink:
    link = TrackerLink.objects.create(tracker=tracker, **target.fields)
    _record_link_change(target, tracker, actor=actor, linked=True)
    return link


@transaction.atomic
def unlink_from_tracker(
    *,
    actor: Teammate | None,
    tracker_id: int,
    conversation_id: int | None = None,
    customer_ticket_id: int | None = None,
) -> bool:
    """Remove a conversation's or customer ticket's link to a tracker. Returns False if it was not linked.

    Locks the conversation (the customer ticket's thread), then the tracker. Emits TicketUnlinkedFromTracker.
    """
    target = lock_link_target(conversation_id=conversation_id, customer_ticket_id=customer_ticket_id)
    tracker = lock_tracker(tracker_id)
    deleted, _ = TrackerLink.objects.filter(tracker=tracker, **target.fields).delete()
    if deleted:
        _record_link_change(target, tracker, actor=actor, linked=False)
    return bool(deleted)


def _record_link_change(target: LinkTarget, tracker: Ticket, *, actor: Teammate | None, linked: bool) -> None:
    """The events of a link made or removed: in the conversation, in the tracker's timeline, in the outbox."""
    verb = "linked" if linked else "unlinked"
    inbox_actions.add_event_part(
        target.thread,
        event_type=f"ticket_{verb}",
        body=f"{actor_name(actor)} {verb} tracker ticket #{tracker.pk} {tracker.title}.",
        actor=actor,
        ticket_id=tracker.pk,
    )
    _tracker_event(tracker, actor, verb, f"{actor_name(actor)} {verb} {target.label}.")
    event_class = events.TicketLinkedToTracker if linked else events.TicketUnlinkedFromTracker
    record(event_class(tracker_id=tracker.pk, **target.fields, actor_id=actor_id(actor)))


@transaction.atomic
def send_tracker_reply(*, actor: Teammate, tracker_id: int, body: str) -> TrackerReply:
    """Once a tracker is resolved, send one customer-facing reply to every conversation and customer ticket it
    links: each copy is an outbox event, posted after commit exactly once (TrackerReplyDelivery). One reply per
    resolution: a second is a RuleViolation, also when two teammates send at the same instant (unique row).

    Locks the tracker. Emits TrackerReplySent and one TrackerReplyQueued per conversation.
    """
    body = inbox_actions.clean_body(body)
    tracker = lock_tracker(tracker_id)
    resolution = rules.current_resolution(tracker)
    if refusal := rules.tracker_reply_refusal(tracker=tracker):
        raise RuleViolation(refusal)
    assert resolution is not None  # tracker_reply_refusal refuses a tracker without one
    try:
        with transaction.atomic():
            reply = TrackerReply.objects.create(tracker=tracker, resolution=resolution, body=body, author=actor)
    except IntegrityError as error:
        raise RuleViolation(rules.ALREADY_REPLIED) from error
    conversation_ids = list_delivery_conversation_ids(tracker)
    deliveries = TrackerReplyDelivery.objects.bulk_create(
        TrackerReplyDelivery(reply=reply, conversation_id=conversation_id) for conversation_id in conversation_ids
    )
    count = len(deliveries)
    _tracker_event(
        tracker,
        actor,
        "replied_to_customers",
        f"{actor_name(actor)} replied to the {count} linked customer{'s' if count != 1 else ''}.",
        reply_id=reply.pk,
    )
    record(
        events.TrackerReplySent(tracker_id=tracker.pk, reply_id=reply.pk, deliveries=count, actor_id=actor.pk),
        *(
            events.TrackerReplyQueued(delivery_id=delivery.pk, conversation_id=delivery.conversation_id)
            for delivery in deliveries
        ),
    )
    return reply


def _tracker_event(tracker: Ticket, actor: Teammate | None, event_type: str, body: str, **data: Any) -> None:
    """An event in the locked tracker's own timeline; the tracker counts as changed (its lists, its live pane)."""
    TicketPart.objects.create(
        ticket=tracker, kind=TicketPartKind.EVENT, event_type=event_type, body=body, author=actor, data=data
    )
    tracker.save(update_fields=["updated_at"])
