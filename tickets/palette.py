"""The tickets' options in the command palette (helpdesk/palette.py): tickets found by number or words, through the
search's own selector (tickets/search.py), and the commands the open ticket offers."""

from django.db.models import Q, QuerySet
from django.urls import reverse

from helpdesk.palette import ITEMS_SHOWN, PaletteOption, command, number_first
from helpdesk.search import SearchFilters, SearchQuery
from inbox.models import Teammate
from tickets.models import Ticket
from tickets.search import matching_tickets


def ticket_option(ticket: Ticket) -> PaletteOption:
    return PaletteOption(
        key=f"ticket-{ticket.pk}",
        label=f"#{ticket.pk} {ticket.title}",
        meta=f"{ticket.ticket_type.name} · {ticket.state.internal_label}",
        href=reverse("tickets:open", args=[ticket.pk]),
    )


def list_ticket_options(*, query: SearchQuery, scope: Q | None = None, limit: int = ITEMS_SHOWN) -> list[PaletteOption]:
    """The ticket whose number the query is first, then, unless the query is only a number, the newest that match
    its words, `limit` in all, of those in `scope`. One query for the number, and two for words (tickets.search)."""

    def matching(words: SearchQuery) -> QuerySet[Ticket]:
        filters = SearchFilters(scope=scope or Q())
        return matching_tickets(query=words, filters=filters).select_related("ticket_type", "state")

    return [ticket_option(ticket) for ticket in number_first(matching, query, limit=limit)]


def list_ticket_commands(*, teammate: Teammate, ticket_id: int | None) -> list[PaletteOption]:
    """What can be done to the ticket open in the page (beside a conversation, or in a ticket view), through its
    pane's own forms. One query; none without a ticket."""
    if ticket_id is None:
        return []
    ticket = Ticket.objects.filter(pk=ticket_id).values("assignee_id").first()
    if ticket is None:
        return []
    commands = []
    if ticket["assignee_id"] != teammate.pk:
        commands.append(command("assign-ticket-to-me", f"Assign ticket #{ticket_id} to me", "take"))
    commands.append(command("ticket-note", f"Write a note on ticket #{ticket_id}", "internal"))
    return commands
