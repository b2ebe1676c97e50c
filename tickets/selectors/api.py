"""Reads of the JSON API (tickets/api.py): a ticket, a filtered list of tickets, a ticket's parts, the ticket types.
Each takes a fixed number of queries, whatever the size of the data."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet

from helpdesk.errors import NotFound
from tickets.models import Ticket, TicketAttribute, TicketPart, TicketState, TicketType

TICKET_RELATED = ("ticket_type", "state", "assignee", "team")


def get_api_ticket(*, ticket_id: int) -> Ticket:
    """One ticket with its type, state, assignee and team. One query. Raises NotFound."""
    ticket = Ticket.objects.select_related(*TICKET_RELATED).filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound(f"Ticket #{ticket_id} does not exist.")
    return ticket


@dataclass(frozen=True, slots=True)
class TicketFilters:
    """What a list of tickets is narrowed to; None leaves a field out."""

    category: str | None = None
    ticket_type_id: int | None = None
    state_id: int | None = None
    state_category: str | None = None
    team_id: int | None = None
    assignee_id: int | None = None
    updated_since: datetime | None = None

    def condition(self) -> Q:
        fields = {
            "category": self.category,
            "ticket_type_id": self.ticket_type_id,
            "state_id": self.state_id,
            "state__category": self.state_category,
            "team_id": self.team_id,
            "assignee_id": self.assignee_id,
            "updated_at__gte": self.updated_since,
        }
        return Q(**{name: value for name, value in fields.items() if value is not None})


def list_api_tickets(*, filters: TicketFilters) -> QuerySet[Ticket]:
    """The tickets matching `filters`, with what each row shows; the caller pages it (helpdesk.api.page_of)."""
    return Ticket.objects.filter(filters.condition()).select_related(*TICKET_RELATED)


def list_api_ticket_parts(*, ticket_id: int) -> QuerySet[TicketPart]:
    """A ticket's timeline (notes and events), with authors; the caller pages it. Raises NotFound."""
    if not Ticket.objects.filter(pk=ticket_id).exists():
        raise NotFound(f"Ticket #{ticket_id} does not exist.")
    return TicketPart.objects.filter(ticket_id=ticket_id).select_related("author")


def get_api_ticket_part(*, part_id: int) -> TicketPart:
    """One part of a ticket's timeline with its author. One query. Raises NotFound."""
    part = TicketPart.objects.select_related("author").filter(pk=part_id).first()
    if part is None:
        raise NotFound("That ticket part does not exist.")
    return part


def _types() -> QuerySet[TicketType]:
    return TicketType.objects.order_by("name").prefetch_related(
        Prefetch("states", queryset=TicketState.objects.order_by("position", "pk")),
        Prefetch("attributes", queryset=TicketAttribute.objects.order_by("position", "pk")),
    )


def list_api_ticket_types() -> list[TicketType]:
    """Every ticket type, archived ones included, with its states and attributes. Three queries."""
    return list(_types())


def get_api_ticket_type(*, ticket_type_id: int) -> TicketType:
    """One ticket type with its states and attributes. Three queries. Raises NotFound."""
    ticket_type = _types().filter(pk=ticket_type_id).first()
    if ticket_type is None:
        raise NotFound("That ticket type does not exist.")
    return ticket_type


def get_ticket_type_category(*, ticket_type_id: int) -> str:
    """The category of a ticket type (which action creates its tickets). Raises NotFound."""
    category = TicketType.objects.filter(pk=ticket_type_id).values_list("category", flat=True).first()
    if category is None:
        raise NotFound("That ticket type does not exist.")
    return category
