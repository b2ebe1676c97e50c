"""Reads of tickets for views and tasks."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from helpdesk.errors import NotFound
from tickets.models import Ticket, TicketCategory, TicketPart, TicketPartKind, TicketState


def list_delivery_conversation_ids(ticket: Ticket) -> list[int]:
    """The conversations a ticket's cross-posts and state events go to: its linked conversation or customer
    ticket's thread (back-office), or every linked conversation and customer ticket thread (tracker)."""
    if ticket.category == TicketCategory.BACK_OFFICE:
        if ticket.linked_conversation_id:
            return [ticket.linked_conversation_id]
        return list(Ticket.objects.filter(pk=ticket.linked_ticket_id).values_list("thread_id", flat=True))
    if ticket.category == TicketCategory.TRACKER:
        links = ticket.tracker_links.select_related("customer_ticket")
        # Sorted, so two trackers cross-posting into the same conversations lock them in the same order.
        return sorted(link.conversation_id or link.customer_ticket.thread_id for link in links)
    return []


def list_customer_facing_tickets_of_conversation(conversation_id: int) -> list[Ticket]:
    """The customer ticket owning this conversation and the back-office ticket shared in it, if any."""
    return list(
        Ticket.objects.filter(Q(thread_id=conversation_id) | Q(linked_conversation_id=conversation_id, is_shared=True))
        .select_related("state", "ticket_type")
        .order_by("pk")
    )


def get_first_state(ticket: Ticket, category: str) -> TicketState | None:
    """The first live state of the ticket's type in `category`."""
    return (
        TicketState.objects.filter(ticket_types=ticket.ticket_type_id, category=category, archived=False)
        .order_by("position", "pk")
        .first()
    )


@dataclass(frozen=True, slots=True)
class CustomerTicketView:
    """A ticket as its customer sees it (rule 6): the same shape for a customer ticket and a shared
    back-office ticket, built only from customer-facing fields."""

    number: int
    title: str
    type_name: str
    icon: str
    state_label: str
    attributes: list[tuple[str, str]]
    history: list[tuple[datetime, str]]


def get_customer_ticket(*, contact_id: int, ticket_id: int) -> CustomerTicketView:
    """One of the contact's customer tickets or shared back-office tickets. Raises NotFound for anything else."""
    ticket = (
        Ticket.objects.filter(pk=ticket_id)
        .filter(Q(thread__contact_id=contact_id) | Q(is_shared=True, linked_conversation__contact_id=contact_id))
        .select_related("ticket_type", "state")
        .first()
    )
    if ticket is None:
        raise NotFound("That ticket does not exist.")
    attributes = ticket.ticket_type.attributes.filter(visible_to_customers=True, archived=False)
    state_moves = list(
        TicketPart.objects.filter(
            ticket=ticket, kind=TicketPartKind.EVENT, event_type__in=["created", "state_changed"]
        ).order_by("created_at", "pk")
    )
    state_ids = {move.data.get("to_state_id") for move in state_moves}
    labels = dict(TicketState.objects.filter(pk__in=state_ids).values_list("pk", "customer_label"))
    return CustomerTicketView(
        number=ticket.pk,
        title=ticket.title,
        type_name=ticket.ticket_type.name,
        icon=ticket.ticket_type.icon,
        state_label=ticket.state.customer_label,
        attributes=[
            (attribute.name, customer_value(ticket.attributes[attribute.key]))
            for attribute in attributes
            if attribute.key in ticket.attributes
        ],
        history=[(move.created_at, labels.get(move.data.get("to_state_id"), "")) for move in state_moves],
    )


def customer_value(value: object) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)
