"""Reads shared by the teammates' and the customers' pages and by the tasks."""

from collections.abc import Iterable

from django.db.models import (
    Q,
)

from tickets.attributes import show_value
from tickets.models import (
    StateCategory,
    Ticket,
    TicketCategory,
    TicketState,
)

UNRESOLVED = ~Q(state__category=StateCategory.RESOLVED)
# The ticket events that record a move into a state (its `data["to_state_id"]`): a customer's history is made of them.
STATE_MOVES = ["created", "state_changed"]


def list_delivery_conversation_ids(ticket: Ticket) -> list[int]:
    """The conversations a ticket's cross-posts and state events go to: its linked conversation or customer
    ticket's thread (back-office), or every linked conversation and customer ticket thread (tracker)."""
    if ticket.category == TicketCategory.BACK_OFFICE:
        if ticket.linked_conversation_id:
            return [ticket.linked_conversation_id]
        return thread_ids(Ticket.objects.filter(pk=ticket.linked_ticket_id or 0).values_list("thread_id", flat=True))
    if ticket.category == TicketCategory.TRACKER:
        links = ticket.tracker_links.values_list("conversation_id", "customer_ticket__thread_id")
        # Sorted, so two trackers cross-posting into the same conversations lock them in the same order.
        return sorted(thread_ids(conversation_id or thread_id for conversation_id, thread_id in links))
    return []


def thread_ids(ids: Iterable[int | None]) -> list[int]:
    """Conversation ids read through nullable columns that the rows' constraints say are set here."""
    return [conversation_id for conversation_id in ids if conversation_id is not None]


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


def get_resolution_card(ticket: Ticket, *, state_id: int) -> list[dict[str, str]]:
    """What a ticket moved to `state_id` sends its conversations as the resolution card: when that state resolves
    it, the attributes its type requires to resolve, with their values as people read them. Two queries."""
    if not TicketState.objects.filter(pk=state_id, category=StateCategory.RESOLVED).exists():
        return []
    required = ticket.ticket_type.attributes.filter(required_to_resolve=True, archived=False).order_by("position", "pk")
    return [
        {"name": attribute.name, "value": show_value(attribute, ticket.attributes[attribute.key])}
        for attribute in required
        if ticket.attributes.get(attribute.key) not in (None, "")
    ]
