"""Search over tickets (number, title, description, attribute values, notes), for teammates only. How:
helpdesk/search.py."""

from django.db.models import Expression, F, FloatField, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Greatest

from helpdesk.pagination import Cursor, Page
from helpdesk.search import (
    SearchFilters,
    SearchQuery,
    best_part_rank,
    document_matches,
    document_rank,
    full_text,
    marked,
    matching,
    newest_matching_headlines,
    plain_snippet,
    search_page,
    words_like,
)
from inbox.search import Snippet
from tickets.models import Ticket, TicketAttribute, TicketPart, TicketPartKind, TicketType
from tickets.selectors.lists import STATUS_CONDITIONS, TicketStatus


def matching_tickets(*, query: SearchQuery, filters: SearchFilters) -> QuerySet[Ticket]:
    rows = Ticket.objects.filter(filters.owners_and_dates(), STATUS_CONDITIONS[filters.state or TicketStatus.ALL])
    if filters.ticket_type_id is not None:
        rows = rows.filter(ticket_type_id=filters.ticket_type_id)
    found = query.number
    if found is not None and query.only_number:
        return rows.filter(pk=found)
    number = Q(pk=found) if found is not None else Q(pk__in=[])
    notes = TicketPart.objects.filter(kind=TicketPartKind.NOTE)
    if not full_text():
        own = words_like(["title", "description", "attributes"], query)
        return rows.filter(Q(pk__in=notes.filter(words_like(["body"], query)).values("ticket_id")) | own | number)

    def matching_notes(words: SearchQuery) -> QuerySet[TicketPart]:
        return notes.filter(document_matches(words)).annotate(owner_id=F("ticket_id"))

    return matching(rows, parts=matching_notes, own=Q(document_matches(query)) | number, query=query)


def search_tickets(
    *, query: SearchQuery, filters: SearchFilters, sort: str, cursor: Cursor | None
) -> tuple[Page, dict[int, Snippet]]:
    """A page of the tickets that match, with each one's snippet: its newest matching note's, else the description or
    attribute value holding a word. Three queries on PostgreSQL (the plan's estimate, the page, the snippets), two on
    SQLite, and one more for the attributes' names when an attribute value holds a word."""
    rows = matching_tickets(query=query, filters=filters).select_related("ticket_type", "state", "assignee", "team")
    page = search_page(rows, sort=sort, rank=ticket_rank(query), cursor=cursor)
    return page, ticket_snippets(query=query, tickets=page.rows)


def ticket_rank(query: SearchQuery) -> Expression:
    """How well a ticket matches: its own fields' rank (the title weighs most), or its best note's."""
    if not full_text():
        return Value(0.0, output_field=FloatField())
    return Greatest(document_rank(query), best_part_rank(TicketPart.objects.filter(ticket_id=OuterRef("pk")), query))


def ticket_snippets(*, query: SearchQuery, tickets: list[Ticket]) -> dict[int, Snippet]:
    if not tickets or not query.words or query.only_number:
        return {}
    notes = TicketPart.objects.filter(ticket_id__in=[ticket.pk for ticket in tickets], kind=TicketPartKind.NOTE)
    found: dict[int, Snippet] = {}
    if full_text():
        newest = newest_matching_headlines(notes, owner="ticket_id", query=query)
        found = {ticket_id: Snippet(kind, marked(text)) for ticket_id, kind, text in newest}
    else:
        for note in notes.filter(words_like(["body"], query)).order_by("-created_at"):
            found.setdefault(note.ticket_id, Snippet(TicketPartKind.NOTE, plain_snippet(note.body, query)))
    rest = [ticket for ticket in tickets if ticket.pk not in found]
    names = attribute_names(rest, query)
    for ticket in rest:  # no note matched: the description holding a word, else an attribute, else the description
        values = ticket.attributes or {}
        matched = [(name, values[key]) for key, name in names.get(ticket.ticket_type_id, {}).items() if key in values]
        matched = [(name, value) for name, value in matched if holds(value, query)]
        if matched and not holds(ticket.description, query):
            name, value = matched[0]
            found[ticket.pk] = Snippet("attribute", plain_snippet(str(value), query), name=name)
        elif ticket.description:
            found[ticket.pk] = Snippet("description", plain_snippet(ticket.description, query))
    return found


def holds(value: object, query: SearchQuery) -> bool:
    text = str(value).lower()
    return any(word.lower() in text for word in query.words)


def attribute_names(tickets: list[Ticket], query: SearchQuery) -> dict[int, dict[str, str]]:
    """The names of the attributes whose values hold a word of the query, by ticket type and key. One query, and
    only when there are some."""
    keys = {key for ticket in tickets for key, value in (ticket.attributes or {}).items() if holds(value, query)}
    if not keys:
        return {}
    names: dict[int, dict[str, str]] = {}
    types = {ticket.ticket_type_id for ticket in tickets}
    rows = TicketAttribute.objects.filter(ticket_type_id__in=types, key__in=keys)
    for type_id, key, name in rows.order_by("position", "pk").values_list("ticket_type_id", "key", "name"):
        names.setdefault(type_id, {})[key] = name
    return names


def list_ticket_type_options() -> list[tuple[int, str]]:
    """Every ticket type, archived ones too (their tickets are still found), by name. One query."""
    return list(TicketType.objects.order_by("name").values_list("pk", "name"))
