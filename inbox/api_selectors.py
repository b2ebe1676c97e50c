"""Reads of the JSON API (inbox/api.py): conversations, their parts, contacts. Each takes a fixed number of queries,
whatever the size of the data."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from helpdesk.errors import NotFound
from inbox.models import Contact, Conversation, Part, Team, Teammate

CONVERSATION_RELATED = ("assignee", "team")


def get_api_conversation(*, conversation_id: int) -> Conversation:
    """One conversation with its assignee and team. One query. Raises NotFound."""
    conversation = Conversation.objects.select_related(*CONVERSATION_RELATED).filter(pk=conversation_id).first()
    if conversation is None:
        raise NotFound(f"Conversation #{conversation_id} does not exist.")
    return conversation


@dataclass(frozen=True, slots=True)
class ConversationFilters:
    """What a list of conversations is narrowed to; None leaves a field out."""

    state: str | None = None
    assignee_id: int | None = None
    team_id: int | None = None
    contact_id: int | None = None
    updated_since: datetime | None = None

    def condition(self) -> Q:
        fields = {
            "state": self.state,
            "assignee_id": self.assignee_id,
            "team_id": self.team_id,
            "contact_id": self.contact_id,
            "updated_at__gte": self.updated_since,
        }
        return Q(**{name: value for name, value in fields.items() if value is not None})


def list_api_conversations(*, filters: ConversationFilters) -> QuerySet[Conversation]:
    """The conversations matching `filters`; the caller pages it (helpdesk.api.page_of)."""
    return Conversation.objects.filter(filters.condition()).select_related(*CONVERSATION_RELATED)


def list_api_parts(*, conversation_id: int) -> QuerySet[Part]:
    """A conversation's timeline, internal notes and events included, with authors; the caller pages it. Raises
    NotFound."""
    if not Conversation.objects.filter(pk=conversation_id).exists():
        raise NotFound(f"Conversation #{conversation_id} does not exist.")
    return Part.objects.filter(conversation_id=conversation_id).select_related("author")


def get_api_part(*, part_id: int) -> Part:
    """One part of a conversation with its author. One query. Raises NotFound."""
    part = Part.objects.select_related("author").filter(pk=part_id).first()
    if part is None:
        raise NotFound("That conversation part does not exist.")
    return part


def list_api_contacts(*, email: str | None, external_id: str | None) -> QuerySet[Contact]:
    """Contacts, by exact email address or external id where given; the caller pages it."""
    contacts = Contact.objects.all()
    if email:
        contacts = contacts.filter(email__iexact=email)
    if external_id:
        contacts = contacts.filter(external_id=external_id)
    return contacts


def list_api_teams() -> QuerySet[Team]:
    """Every team; the caller pages it."""
    return Team.objects.all()


def list_api_teammates() -> QuerySet[Teammate]:
    """The teammates who can work (active, staff): whom tickets and conversations can be assigned to."""
    return Teammate.objects.filter(is_active=True, is_staff=True)
