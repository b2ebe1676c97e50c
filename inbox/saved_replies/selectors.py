"""Reads of saved replies: a teammate sees the shared ones and their own, never another teammate's."""

from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from helpdesk.errors import NotFound, RuleViolation
from inbox.models import Contact, Conversation, Teammate
from inbox.saved_replies.models import SavedReply, SavedReplyKind
from inbox.saved_replies.placeholders import TicketFacts, fill, placeholder_values, ticket_source

# The composer's list shows this many at a time: typing narrows them.
SHOWN = 8


def _visible(teammate: Teammate) -> QuerySet[SavedReply]:
    return SavedReply.objects.filter(Q(owner__isnull=True) | Q(owner=teammate)).select_related(
        "assign_teammate", "assign_team"
    )


def list_saved_replies(
    *, teammate: Teammate, search: str = "", limit: int = SHOWN, kind: SavedReplyKind | None = None
) -> list[SavedReply]:
    """The shared saved replies and the teammate's own whose name holds every word of `search` (any case), those
    whose name starts with it first, then by name; of `kind` only if given; at most `limit`. With their effects'
    teammate and team (`effects_label`). One query. The command palette lists them through this too."""
    rows = _visible(teammate)
    for word in search.split():
        rows = rows.filter(name__icontains=word)
    if kind:
        rows = rows.filter(kind=kind)
    starts = Case(When(name__istartswith=search.strip(), then=Value(0)), default=Value(1), output_field=IntegerField())
    return list(rows.order_by(starts, "name", "pk")[:limit])


def list_editable_saved_replies(*, teammate: Teammate) -> list[SavedReply]:
    """Every saved reply the teammate sees, for their saved replies page: their own first, then the shared ones, by
    name. One query."""
    return list(_visible(teammate).order_by(Case(When(owner__isnull=True, then=Value(1)), default=Value(0)), "name"))


def get_saved_reply(*, teammate: Teammate, saved_reply_id: int) -> SavedReply:
    """A shared saved reply or one of the teammate's own, with its effects' teammate and team. One query. Raises
    NotFound for any other, exactly like one that does not exist."""
    saved_reply = _visible(teammate).filter(pk=saved_reply_id).first()
    if saved_reply is None:
        raise NotFound("That saved reply does not exist, or is another teammate's.")
    return saved_reply


def get_effects_label(*, teammate: Teammate, saved_reply_id: int | None) -> str:
    """What a message written from this saved reply also does ("close · assign to me"); empty for none, or for one
    the teammate does not see. One query (none without an id)."""
    saved_reply = _visible(teammate).filter(pk=saved_reply_id).first() if saved_reply_id else None
    return saved_reply.effects_label if saved_reply else ""


@dataclass(frozen=True, slots=True)
class RenderedReply:
    """A saved reply filled in for one conversation or ticket: what the composer inserts and carries."""

    saved_reply: SavedReply
    body: str
    ticket_number: int | None  # the ticket `{{ticket.…}}` was read from

    def as_json(self) -> dict[str, object]:
        reply = self.saved_reply
        return {
            "id": reply.pk,
            "name": reply.name,
            "kind": reply.kind,
            "body": self.body,
            "effects": reply.effects_label,
            "ticket": self.ticket_number,
        }


def render_saved_reply(
    *, teammate: Teammate, saved_reply_id: int, conversation_id: int | None = None, ticket_id: int | None = None
) -> RenderedReply:
    """The saved reply's body with its placeholders filled for the conversation (its contact, its ticket: see
    tickets.placeholders) or for the ticket (a note on it; its conversation's contact). At most five queries.
    Raises NotFound (the saved reply, conversation or ticket), RuleViolation for a reply inserted into a ticket's
    note."""
    saved_reply = get_saved_reply(teammate=teammate, saved_reply_id=saved_reply_id)
    source = ticket_source()
    ticket: TicketFacts | None = None
    contact: Contact | None = None
    if ticket_id is not None:
        if saved_reply.kind != SavedReplyKind.NOTE:
            raise RuleViolation(f"“{saved_reply.name}” is a reply to the customer; a ticket takes internal notes only.")
        ticket = source.of_ticket(ticket_id) if source else None
        contact = _contact(ticket.conversation_id) if ticket and ticket.conversation_id else None
    elif conversation_id is not None:
        contact = _contact(conversation_id)
        ticket = source.of_conversation(conversation_id) if source else None
    values = placeholder_values(contact=contact, teammate=teammate, ticket=ticket)
    return RenderedReply(saved_reply, fill(saved_reply.body, values), ticket.number if ticket else None)


def _contact(conversation_id: int) -> Contact:
    conversation = Conversation.objects.select_related("contact").filter(pk=conversation_id).first()
    if conversation is None:
        raise NotFound("That conversation does not exist.")
    return conversation.contact
