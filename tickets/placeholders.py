"""What `{{ticket.…}}` in a saved reply reads (inbox.saved_replies.placeholders), registered from TicketsConfig.ready:
the inbox never imports the tickets app.

In a conversation's composer, the ticket is the customer ticket the conversation is the thread of; otherwise its
shared back-office ticket (rule 4: at most one); otherwise its most recently created back-office ticket. Never a
tracker, which links many conversations. In a ticket's note composer, that ticket.
"""

from django.db.models import Case, IntegerField, Prefetch, Q, Value, When

from helpdesk.errors import NotFound
from inbox.saved_replies.placeholders import TicketFacts, TicketSource, register_ticket_source
from tickets.attributes import show_value
from tickets.models import Ticket, TicketAttribute
from tickets.selectors.panes import context_conversation_id

LIVE_ATTRIBUTES = Prefetch("ticket_type__attributes", queryset=TicketAttribute.objects.filter(archived=False))


def attribute_keys() -> set[str]:
    """The keys of every live attribute of every ticket type. One query."""
    return set(TicketAttribute.objects.filter(archived=False).values_list("key", flat=True))


def ticket_of_conversation(conversation_id: int) -> TicketFacts | None:
    """The ticket a conversation's saved replies use (the module's docstring says which), or None. Two queries (one
    when there is none)."""
    preference = Case(
        When(thread_id=conversation_id, then=Value(0)),
        When(is_shared=True, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    ticket = (
        Ticket.objects.filter(Q(thread_id=conversation_id) | Q(linked_conversation_id=conversation_id))
        .select_related("ticket_type")
        .prefetch_related(LIVE_ATTRIBUTES)
        .order_by(preference, "-pk")
        .first()
    )
    return _facts(ticket, conversation_id=conversation_id) if ticket else None


def ticket_by_id(ticket_id: int) -> TicketFacts:
    """A ticket's facts, with the conversation shown beside it (its contact's). Two queries. Raises NotFound."""
    ticket = (
        Ticket.objects.select_related("ticket_type", "linked_ticket")
        .prefetch_related(LIVE_ATTRIBUTES)
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        raise NotFound(f"Ticket #{ticket_id} does not exist.")
    return _facts(ticket, conversation_id=context_conversation_id(ticket))


def _facts(ticket: Ticket, *, conversation_id: int | None) -> TicketFacts:
    values = {
        attribute.key: show_value(attribute, ticket.attributes.get(attribute.key))
        for attribute in ticket.ticket_type.attributes.all()
    }
    return TicketFacts(number=ticket.pk, title=ticket.title, attributes=values, conversation_id=conversation_id)


register_ticket_source(
    TicketSource(attribute_keys=attribute_keys, of_conversation=ticket_of_conversation, of_ticket=ticket_by_id)
)
