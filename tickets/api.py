"""The tickets' part of the JSON API (mounted by helpdesk/api.py): ticket types, tickets, their parts and notes,
state, assignment, sharing and tracker links. Shaped like Intercom's ticket API; every write is a tickets action."""

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
from helpdesk.errors import InvalidInput, RuleViolation
from helpdesk.models import ApiScope
from tickets import actions, rules
from tickets.models import StateCategory, TicketCategory
from tickets.selectors.api import (
    TicketFilters,
    get_api_ticket,
    get_api_ticket_part,
    get_api_ticket_type,
    get_ticket_type_category,
    list_api_ticket_parts,
    list_api_ticket_types,
    list_api_tickets,
)

router = Router(tags=["Tickets"])
REQUIRED = "This field is required."
READ, WRITE = TokenAuth(ApiScope.TICKETS_READ), TokenAuth(ApiScope.TICKETS_WRITE)


class StateOut(Schema):
    id: int
    internal_label: str
    customer_label: str
    category: StateCategory
    archived: bool


class AttributeOut(Schema):
    key: str
    name: str
    description: str
    kind: str
    options: list[str]
    required_to_create: bool
    visible_on_create: bool
    visible_to_customers: bool
    required_for_customers: bool
    required_to_resolve: bool = Field(description="Must have a value before the ticket moves to a resolved state.")
    archived: bool


class TicketTypeOut(Schema):
    type: Literal["ticket_type"] = "ticket_type"
    id: int
    name: str
    description: str
    category: TicketCategory
    sharing_policy: str
    archived: bool
    default_team_id: int | None
    states: list[StateOut]
    attributes: list[AttributeOut]

    @staticmethod
    def resolve_states(ticket_type: Any) -> list[Any]:
        return list(ticket_type.states.all())

    @staticmethod
    def resolve_attributes(ticket_type: Any) -> list[Any]:
        return list(ticket_type.attributes.all())


class TicketOut(Schema):
    type: Literal["ticket"] = "ticket"
    id: int = Field(description="The ticket's number (#123).")
    category: TicketCategory
    ticket_type: Ref
    title: str
    description: str
    attributes: dict[str, Any] = Field(description="Custom attribute values by key, as the ticket type defines them.")
    state: StateOut
    assignee: TeammateRef | None
    team: Ref | None
    is_shared: bool = Field(description="A back-office ticket the customer follows like a customer ticket (rule 6).")
    linked_conversation_id: int | None = Field(description="A back-office ticket's conversation.")
    linked_ticket_id: int | None = Field(description="A back-office ticket's customer ticket.")
    conversation_id: int | None = Field(validation_alias="thread_id", description="A customer ticket's own thread.")
    created_at: datetime
    updated_at: datetime


class TicketPartOut(Schema):
    type: Literal["ticket_part"] = "ticket_part"
    id: int
    ticket_id: int
    kind: str = Field(description="`note` (internal) or `event` (created, state_changed, assigned, ...).")
    event_type: str
    body: str
    author: TeammateRef | None
    cross_posted: bool = Field(description="A note also posted into the linked conversation or customer ticket.")
    created_at: datetime


class TicketTypeList(ListOut):
    data: list[TicketTypeOut]


class TicketList(ListOut):
    data: list[TicketOut]


class TicketPartList(ListOut):
    data: list[TicketPartOut]


def ticket_payload(ticket_id: int) -> dict[str, Any]:
    """A ticket as GET /api/v1/tickets/{id} shows it (for webhooks)."""
    return as_json(TicketOut, get_api_ticket(ticket_id=ticket_id))


def ticket_part_payload(part_id: int) -> dict[str, Any]:
    """A ticket part as GET /api/v1/tickets/{id}/parts shows it (for webhooks)."""
    return as_json(TicketPartOut, get_api_ticket_part(part_id=part_id))


@router.get("/ticket_types", response={200: TicketTypeList, ERRORS: ErrorOut}, auth=READ)
def list_ticket_types(request: HttpRequest) -> dict[str, Any]:
    """Every ticket type with its states and attributes (archived ones too, flagged)."""
    return {"data": list_api_ticket_types(), "next_cursor": None}


@router.get("/ticket_types/{ticket_type_id}", response={200: TicketTypeOut, ERRORS: ErrorOut}, auth=READ)
def get_ticket_type(request: HttpRequest, ticket_type_id: int) -> Any:
    return get_api_ticket_type(ticket_type_id=ticket_type_id)


class TicketListQuery(UpdatedListQuery):
    category: TicketCategory | None = None
    ticket_type_id: int | None = None
    state_id: int | None = None
    state_category: StateCategory | None = None
    team_id: int | None = None
    assignee_id: int | None = None


@router.get("/tickets", response={200: TicketList, ERRORS: ErrorOut}, auth=READ)
def list_tickets(request: HttpRequest, query: Query[TicketListQuery]) -> dict[str, Any]:
    """Tickets by category, type, state, team, assignee and last update, newest (or oldest) first."""
    tickets = list_api_tickets(filters=TicketFilters(**query.filters()))
    return page_of(tickets, keys=UPDATED_ORDERINGS[query.sort], query=query)


class TicketIn(Schema):
    ticket_type_id: int
    title: str = Field(max_length=200)
    description: str = Field("", max_length=10_000)
    attributes: dict[str, Any] = Field({}, description="Custom attribute values by key.")
    conversation_id: int | None = Field(None, description="Back-office: the conversation it is created from.")
    customer_ticket_id: int | None = Field(None, description="Back-office: or the customer ticket.")
    contact_id: int | None = Field(None, description="Customer ticket: the contact it is for.")
    assignee_id: int | None = None
    team_id: int | None = Field(None, description="Default: the type's default team.")
    share: bool = Field(False, description="Back-office, type with optional sharing: share with the customer.")


@router.post("/tickets", response={201: TicketOut, ERRORS: ErrorOut}, auth=WRITE)
def create_ticket(request: HttpRequest, ticket: TicketIn) -> Status[Any]:
    """Create a ticket of any category. A back-office one is linked to `conversation_id` or `customer_ticket_id`
    (rule 2) and shared only where rules 3-5 allow; a customer one needs `contact_id`; a tracker may link one."""
    fields = ticket.dict(include={"ticket_type_id", "title", "description", "attributes", "assignee_id", "team_id"})
    teammate, category = actor(request), get_ticket_type_category(ticket_type_id=ticket.ticket_type_id)
    if ticket.share and category != TicketCategory.BACK_OFFICE:
        raise RuleViolation(rules.ONLY_BACK_OFFICE_SHARED)
    if category == TicketCategory.BACK_OFFICE:
        created = actions.create_back_office_ticket(
            actor=teammate,
            conversation_id=ticket.conversation_id,
            customer_ticket_id=ticket.customer_ticket_id,
            share=ticket.share,
            **fields,
        )
    elif category == TicketCategory.TRACKER:
        created = actions.create_tracker_ticket(
            actor=teammate,
            conversation_id=ticket.conversation_id,
            customer_ticket_id=ticket.customer_ticket_id,
            **fields,
        )
    elif ticket.contact_id is None:
        raise InvalidInput("A customer ticket is for a contact: give its contact_id.", {"contact_id": [REQUIRED]})
    else:
        created = actions.create_customer_ticket(actor=teammate, contact_id=ticket.contact_id, **fields)
    return Status(201, get_api_ticket(ticket_id=created.pk))


@router.get("/tickets/{ticket_id}", response={200: TicketOut, ERRORS: ErrorOut}, auth=READ)
def get_ticket(request: HttpRequest, ticket_id: int) -> Any:
    return get_api_ticket(ticket_id=ticket_id)


class TicketChange(Schema):
    title: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=10_000)
    attributes: dict[str, Any] | None = Field(None, description="Keys given replace their values; others are kept.")


@router.patch("/tickets/{ticket_id}", response={200: TicketOut, ERRORS: ErrorOut}, auth=WRITE)
def update_ticket(request: HttpRequest, ticket_id: int, change: TicketChange) -> Any:
    """Change the title, description or attribute values; what is left out stays as it is."""
    ticket = get_api_ticket(ticket_id=ticket_id)
    actions.update_ticket_attributes(
        actor=actor(request),
        ticket_id=ticket_id,
        title=ticket.title if change.title is None else change.title,
        description=ticket.description if change.description is None else change.description,
        attributes={**ticket.attributes, **(change.attributes or {})},
    )
    return get_api_ticket(ticket_id=ticket_id)


class StateChange(Schema):
    state_id: int = Field(description="One of the ticket type's states.")


@router.post("/tickets/{ticket_id}/state", response={200: TicketOut, ERRORS: ErrorOut}, auth=WRITE)
def change_ticket_state(request: HttpRequest, ticket_id: int, change: StateChange) -> Any:
    """Move the ticket to another state; the change is cross-posted to what it is linked to (rule 8)."""
    actions.change_ticket_state(actor=actor(request), ticket_id=ticket_id, state_id=change.state_id)
    return get_api_ticket(ticket_id=ticket_id)


class Assignment(Schema):
    assignee_id: int | None = Field(description="A teammate, or null for nobody.")
    team_id: int | None = Field(description="A team, or null (back-office and tracker tickets always have one).")


@router.post("/tickets/{ticket_id}/assign", response={200: TicketOut, ERRORS: ErrorOut}, auth=WRITE)
def assign_ticket(request: HttpRequest, ticket_id: int, assignment: Assignment) -> Any:
    actions.assign_ticket(actor=actor(request), ticket_id=ticket_id, **assignment.dict())
    return get_api_ticket(ticket_id=ticket_id)


@router.post("/tickets/{ticket_id}/share", response={200: TicketOut, ERRORS: ErrorOut}, auth=WRITE)
def share_ticket(request: HttpRequest, ticket_id: int) -> Any:
    """Share a back-office ticket with its conversation's customer, where rules 3-5 allow (else 422)."""
    actions.share_ticket(actor=actor(request), ticket_id=ticket_id)
    return get_api_ticket(ticket_id=ticket_id)


@router.get("/tickets/{ticket_id}/parts", response={200: TicketPartList, ERRORS: ErrorOut}, auth=READ)
def list_ticket_parts(request: HttpRequest, ticket_id: int, query: Query[PageQuery]) -> dict[str, Any]:
    """The ticket's timeline, oldest first: internal notes and events."""
    return page_of(list_api_ticket_parts(ticket_id=ticket_id), keys=BY_PK, query=query)


class NoteIn(Schema):
    body: str = Field(max_length=50_000)
    cross_post: bool = Field(False, description="Also post it into the linked conversation or customer ticket.")


@router.post("/tickets/{ticket_id}/notes", response={201: TicketPartOut, ERRORS: ErrorOut}, auth=WRITE)
def post_ticket_note(request: HttpRequest, ticket_id: int, note: NoteIn) -> Status[Any]:
    """An internal note (rule 1: a ticket takes no other kind); with `cross_post`, copied into what the ticket is
    linked to, marked as coming from it (rule 7)."""
    part = actions.post_ticket_note(
        actor=actor(request), ticket_id=ticket_id, body=note.body, cross_post=note.cross_post
    )
    return Status(201, part)  # with its author, the token's teammate: nothing more to read


class ReplyIn(Schema):
    body: str = Field(max_length=50_000)


class ReplyOut(Schema):
    type: Literal["conversation_part"] = "conversation_part"
    id: int
    conversation_id: int
    body: str
    created_at: datetime


@router.post("/tickets/{ticket_id}/reply", response={201: ReplyOut, ERRORS: ErrorOut}, auth=WRITE)
def reply_on_ticket(request: HttpRequest, ticket_id: int, message: ReplyIn) -> Status[Any]:
    """A reply to the customer on a customer ticket (in its thread). Refused on back-office and tracker tickets,
    which take internal notes only (rule 1): reply in the linked conversation instead."""
    part = actions.post_ticket_reply(actor=actor(request), ticket_id=ticket_id, body=message.body)
    return Status(201, part)


class LinkIn(Schema):
    conversation_id: int | None = None
    customer_ticket_id: int | None = None


@router.post("/tickets/{ticket_id}/links", response={200: TicketOut, ERRORS: ErrorOut}, auth=WRITE)
def link_to_tracker(request: HttpRequest, ticket_id: int, target: LinkIn) -> Any:
    """Link a conversation or a customer ticket to this tracker; linking twice is a no-op."""
    actions.link_to_tracker(actor=actor(request), tracker_id=ticket_id, **target.dict())
    return get_api_ticket(ticket_id=ticket_id)


@router.delete("/tickets/{ticket_id}/links", response={200: TicketOut, ERRORS: ErrorOut}, auth=WRITE)
def unlink_from_tracker(request: HttpRequest, ticket_id: int, target: Query[LinkIn]) -> Any:
    """Remove a conversation's or customer ticket's link to this tracker; one not linked is a no-op."""
    actions.unlink_from_tracker(actor=actor(request), tracker_id=ticket_id, **target.dict())
    return get_api_ticket(ticket_id=ticket_id)
