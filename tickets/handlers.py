"""Follow-up work of ticket and inbox events, run by `helpdesk.tasks.dispatch_events` after commit.

Each handler runs inside the transaction that marks its outbox event done, and every delivery is
keyed by the event id, so a redelivered task changes nothing (rule 11).
"""

from helpdesk.models import OutboxEvent
from helpdesk.outbox import record, subscribe
from inbox import actions as inbox_actions
from inbox import events as inbox_events
from inbox.attachments import StoredFile
from inbox.models import PartKind, Teammate
from tickets import actions, events
from tickets.models import StateCategory, Ticket, TicketPart, TrackerReplyDelivery
from tickets.selectors import (
    get_first_state,
    get_resolution_card,
    list_customer_facing_tickets_of_conversation,
    list_delivery_conversation_ids,
)


@subscribe(events.TicketNoteCrossPosted)
def cross_post_note(event: OutboxEvent) -> None:
    """Copy a ticket note into each conversation the ticket is linked to, marked with the ticket (rule 7)."""
    note = TicketPart.objects.select_related("ticket").prefetch_related("attachments").get(pk=event.payload["part_id"])
    ticket = note.ticket
    # The same stored files, with rows of their own on each cross-post: a cross-post is internal, and so are they.
    files = [StoredFile.of(attachment) for attachment in note.attachments.all()]
    for conversation_id in list_delivery_conversation_ids(ticket):
        inbox_actions.deliver_ticket_update(
            conversation_id=conversation_id,
            source_key=f"event:{event.pk}:{conversation_id}",
            kind=PartKind.CROSS_POST,
            body=note.body,
            ticket_id=ticket.pk,
            ticket_assignee_id=ticket.assignee_id,
            author_id=note.author_id,
            data={"ticket_title": ticket.title, "ticket_part_id": note.pk},
            files=files,
        )


@subscribe(events.TicketStateChanged)
def cross_post_state_change(event: OutboxEvent) -> None:
    """Post "Ticket #N moved from A to B" into each linked conversation (rule 8)."""
    payload = event.payload
    ticket = Ticket.objects.get(pk=payload["ticket_id"])
    actor = Teammate.objects.filter(pk=payload["actor_id"]).first() if payload["actor_id"] else None
    body = f"Ticket #{ticket.pk} moved from {payload['from_label']} to {payload['to_label']}" + (
        f" by {actor}." if actor else "."
    )
    card = get_resolution_card(ticket, state_id=payload["to_state_id"])  # resolved: what the front office tells
    for conversation_id in list_delivery_conversation_ids(ticket):
        inbox_actions.deliver_ticket_update(
            conversation_id=conversation_id,
            source_key=f"event:{event.pk}:{conversation_id}",
            kind=PartKind.EVENT,
            event_type="ticket_state_changed",
            body=body,
            ticket_id=ticket.pk,
            ticket_assignee_id=ticket.assignee_id,
            author_id=actor.pk if actor else None,
            data={"from_state_id": payload["from_state_id"], "to_state_id": payload["to_state_id"]}
            | ({"resolution": card} if card else {}),
        )


@subscribe(inbox_events.CustomerMessageReceived)
def resume_waiting_tickets(event: OutboxEvent) -> None:
    """A customer replied: move their customer-facing tickets that wait on them back to in progress."""
    for ticket in list_customer_facing_tickets_of_conversation(event.payload["conversation_id"]):
        if ticket.state.category != StateCategory.WAITING_ON_CUSTOMER:
            continue
        if state := get_first_state(ticket, StateCategory.IN_PROGRESS):
            actions.change_ticket_state(actor=None, ticket_id=ticket.pk, state_id=state.pk)


@subscribe(events.TrackerReplyQueued)
def deliver_tracker_reply(event: OutboxEvent) -> None:
    """Post one copy of a resolved tracker's reply to its customers into one linked conversation."""
    delivery = TrackerReplyDelivery.objects.select_related("reply__author").get(pk=event.payload["delivery_id"])
    if delivery.part_id:
        return
    part = inbox_actions.post_reply(
        actor=delivery.reply.author,
        conversation_id=delivery.conversation_id,
        body=delivery.reply.body,
        source_key=f"tracker-reply:{delivery.pk}",
    )
    delivery.part, delivery.delivered_at = part, part.created_at
    delivery.save(update_fields=["part", "delivered_at"])
    record(
        events.TrackerReplyDelivered(
            tracker_id=delivery.reply.tracker_id, delivery_id=delivery.pk, conversation_id=delivery.conversation_id
        )
    )
