"""The inbox's part of the JSON API (mounted by helpdesk/api.py): conversations (list, get, parts, reply, note,
assign, snooze, close, reopen) and contacts. Every write is an inbox action."""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from helpdesk.api import (
    BY_PK,
    ERRORS,
    UPDATED_ORDERINGS,
    ErrorOut,
    ListOut,
    PageQuery,
    Ref,
    TeammateRef,
    TokenAuth,
    UpdatedListQuery,
    actor,
    as_json,
    page_of,
)
from helpdesk.models import ApiScope
from inbox import actions, selectors
from inbox.api_selectors import (
    ConversationFilters,
    get_api_conversation,
    get_api_part,
    list_api_contacts,
    list_api_conversations,
    list_api_parts,
    list_api_teammates,
    list_api_teams,
)
from inbox.models import Channel, ConversationState

router = Router(tags=["Conversations"])
READ, WRITE = TokenAuth(ApiScope.CONVERSATIONS_READ), TokenAuth(ApiScope.CONVERSATIONS_WRITE)
CONTACTS_READ = TokenAuth(ApiScope.CONTACTS_READ)
# Whom to assign to: any token that reads tickets or conversations.
DIRECTORY = TokenAuth(ApiScope.TICKETS_READ, ApiScope.CONVERSATIONS_READ)


class ConversationOut(Schema):
    type: Literal["conversation"] = "conversation"
    id: int
    contact_id: int = Field(description="The contact (GET /contacts/{id} with the contacts:read scope).")
    channel: Channel
    subject: str
    state: ConversationState
    snoozed_until: datetime | None
    assignee: TeammateRef | None
    team: Ref | None
    waiting_since: datetime | None = Field(description="Since when the customer waits for an answer, if they do.")
    created_at: datetime
    updated_at: datetime


class PartOut(Schema):
    type: Literal["conversation_part"] = "conversation_part"
    id: int
    conversation_id: int
    kind: str = Field(description="customer_message, reply, note (internal), event, or cross_post (from a ticket).")
    event_type: str
    body: str
    author: TeammateRef | None = Field(description="The teammate who wrote it; null for the customer and the system.")
    created_at: datetime


class ContactOut(Schema):
    type: Literal["contact"] = "contact"
    id: int
    name: str
    email: str
    external_id: str
    attributes: dict[str, Any]
    created_at: datetime


class ConversationList(ListOut):
    data: list[ConversationOut]


class PartList(ListOut):
    data: list[PartOut]


class ContactList(ListOut):
    data: list[ContactOut]


def conversation_payload(conversation_id: int) -> dict[str, Any]:
    """A conversation as GET /api/v1/conversations/{id} shows it (for webhooks)."""
    return as_json(ConversationOut, get_api_conversation(conversation_id=conversation_id))


def part_payload(part_id: int) -> dict[str, Any]:
    """A conversation part as GET /api/v1/conversations/{id}/parts shows it (for webhooks)."""
    return as_json(PartOut, get_api_part(part_id=part_id))


class ConversationListQuery(UpdatedListQuery):
    state: ConversationState | None = None
    assignee_id: int | None = None
    team_id: int | None = None
    contact_id: int | None = None


@router.get("/conversations", response={200: ConversationList, ERRORS: ErrorOut}, auth=READ)
def list_conversations(request: HttpRequest, query: Query[ConversationListQuery]) -> dict[str, Any]:
    """Conversations by state, assignee, team, contact and last update, newest (or oldest) first."""
    conversations = list_api_conversations(filters=ConversationFilters(**query.filters()))
    return page_of(conversations, keys=UPDATED_ORDERINGS[query.sort], query=query)


CONVERSATION = {200: ConversationOut, ERRORS: ErrorOut}
NEW_PART = {201: PartOut, ERRORS: ErrorOut}


@router.get("/conversations/{conversation_id}", response=CONVERSATION, auth=READ)
def get_conversation(request: HttpRequest, conversation_id: int) -> Any:
    return get_api_conversation(conversation_id=conversation_id)


@router.get(
    "/conversations/{conversation_id}/parts",
    response={200: PartList, ERRORS: ErrorOut},
    auth=READ,
)
def list_conversation_parts(request: HttpRequest, conversation_id: int, query: Query[PageQuery]) -> dict[str, Any]:
    """The conversation's timeline, oldest first: messages, replies, internal notes, events and cross-posts."""
    return page_of(list_api_parts(conversation_id=conversation_id), keys=BY_PK, query=query)


class BodyIn(Schema):
    body: str = Field(max_length=50_000)


@router.post("/conversations/{conversation_id}/reply", response=NEW_PART, auth=WRITE)
def reply_to_conversation(request: HttpRequest, conversation_id: int, message: BodyIn) -> Status[Any]:
    """A reply the customer sees (and receives by email in an email conversation)."""
    part = actions.post_reply(actor=actor(request), conversation_id=conversation_id, body=message.body)
    return Status(201, get_api_part(part_id=part.pk))


@router.post("/conversations/{conversation_id}/notes", response=NEW_PART, auth=WRITE)
def post_conversation_note(request: HttpRequest, conversation_id: int, note: BodyIn) -> Status[Any]:
    """An internal note: teammates only, never the customer."""
    part = actions.post_note(actor=actor(request), conversation_id=conversation_id, body=note.body)
    return Status(201, get_api_part(part_id=part.pk))


class Assignment(Schema):
    assignee_id: int | None = Field(description="A teammate, or null for nobody.")
    team_id: int | None = Field(description="A team, or null for none.")


@router.post("/conversations/{conversation_id}/assign", response=CONVERSATION, auth=WRITE)
def assign_conversation(request: HttpRequest, conversation_id: int, assignment: Assignment) -> Any:
    actions.assign_conversation(actor=actor(request), conversation_id=conversation_id, **assignment.dict())
    return get_api_conversation(conversation_id=conversation_id)


class SnoozeIn(Schema):
    until: datetime = Field(description="When it wakes by itself; a customer message or a ticket update may wake it.")


@router.post("/conversations/{conversation_id}/snooze", response=CONVERSATION, auth=WRITE)
def snooze_conversation(request: HttpRequest, conversation_id: int, snooze: SnoozeIn) -> Any:
    actions.snooze_conversation(actor=actor(request), conversation_id=conversation_id, until=snooze.until)
    return get_api_conversation(conversation_id=conversation_id)


@router.post("/conversations/{conversation_id}/close", response=CONVERSATION, auth=WRITE)
def close_conversation(request: HttpRequest, conversation_id: int) -> Any:
    actions.close_conversation(actor=actor(request), conversation_id=conversation_id)
    return get_api_conversation(conversation_id=conversation_id)


@router.post("/conversations/{conversation_id}/reopen", response=CONVERSATION, auth=WRITE)
def reopen_conversation(request: HttpRequest, conversation_id: int) -> Any:
    actions.reopen_conversation(actor=actor(request), conversation_id=conversation_id)
    return get_api_conversation(conversation_id=conversation_id)


class ContactListQuery(PageQuery):
    email: str | None = Field(None, max_length=254, description="Exactly this address (any case).")
    external_id: str | None = Field(None, max_length=100, description="Your own id of the contact.")


@router.get("/contacts", response={200: ContactList, ERRORS: ErrorOut}, auth=CONTACTS_READ, tags=["Contacts"])
def list_contacts(request: HttpRequest, query: Query[ContactListQuery]) -> dict[str, Any]:
    return page_of(list_api_contacts(email=query.email, external_id=query.external_id), keys=BY_PK, query=query)


@router.get(
    "/contacts/{contact_id}", response={200: ContactOut, ERRORS: ErrorOut}, auth=CONTACTS_READ, tags=["Contacts"]
)
def get_contact(request: HttpRequest, contact_id: int) -> Any:
    return selectors.get_contact(contact_id=contact_id)


class RefList(ListOut):
    data: list[Ref]


class TeammateList(ListOut):
    data: list[TeammateRef]


@router.get("/teams", response={200: RefList, ERRORS: ErrorOut}, auth=DIRECTORY, tags=["Teams and teammates"])
def list_teams(request: HttpRequest, query: Query[PageQuery]) -> dict[str, Any]:
    """The teams, for `team_id` in assignments and list filters."""
    return page_of(list_api_teams(), keys=BY_PK, query=query)


@router.get("/teammates", response={200: TeammateList, ERRORS: ErrorOut}, auth=DIRECTORY, tags=["Teams and teammates"])
def list_teammates(request: HttpRequest, query: Query[PageQuery]) -> dict[str, Any]:
    """The teammates who can work (active accounts with staff status), for `assignee_id`."""
    return page_of(list_api_teammates(), keys=BY_PK, query=query)
