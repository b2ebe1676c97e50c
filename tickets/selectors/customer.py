"""The customer side (messenger): a contact's tickets and the forms sent to them (DESIGN.md section 4)."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import (
    BigIntegerField,
    CharField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import Combinable
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from helpdesk.errors import NotFound
from inbox.models import Contact, Conversation
from inbox.selectors import (
    content_version,
)
from tickets import rules
from tickets.attributes import show_value
from tickets.models import (
    Ticket,
    TicketAttribute,
    TicketCategory,
    TicketFormRequest,
    TicketPart,
    TicketPartKind,
    TicketState,
)
from tickets.selectors.common import STATE_MOVES


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
    return customer_view(ticket)


def customer_view(ticket: Ticket) -> CustomerTicketView:
    """The ticket as its customer sees it, from customer-facing fields only. Three queries."""
    attributes = ticket.ticket_type.attributes.filter(visible_to_customers=True, archived=False)
    moves = TicketPart.objects.filter(ticket=ticket, kind=TicketPartKind.EVENT, event_type__in=STATE_MOVES)
    state_moves = list(moves.order_by("created_at", "pk"))
    state_ids = {move.data.get("to_state_id") for move in state_moves}
    labels = dict(TicketState.objects.filter(pk__in=state_ids).values_list("pk", "customer_label"))
    return CustomerTicketView(
        number=ticket.pk,
        title=ticket.title,
        type_name=ticket.ticket_type.name,
        icon=ticket.ticket_type.icon,
        state_label=ticket.state.customer_label,
        attributes=[
            (attribute.name, show_value(attribute, ticket.attributes[attribute.key]))
            for attribute in attributes
            if attribute.key in ticket.attributes
        ],
        history=customer_history(
            [(move.created_at, labels.get(move.data.get("to_state_id"), "")) for move in state_moves]
        ),
    )


@dataclass(frozen=True, slots=True)
class SharePreview:
    """A back-office ticket as its customer would see it once shared (the same CustomerTicketView the messenger
    shows), or why it cannot be shared."""

    ticket_id: int
    customer_ticket: CustomerTicketView
    contact_name: str
    conversation_id: int | None
    refusal: str | None


def get_share_preview(*, ticket_id: int) -> SharePreview:
    """What sharing a back-office ticket would show its customer, and the rule that refuses it, if one does (rules
    3-5, or already shared). Raises NotFound for a ticket that is not back-office."""
    ticket = (
        Ticket.objects.filter(pk=ticket_id, category=TicketCategory.BACK_OFFICE)
        .select_related("ticket_type", "state", "linked_conversation__contact")
        .first()
    )
    if ticket is None:
        raise NotFound(f"Back-office ticket #{ticket_id} does not exist.")
    refusal = (
        "This ticket is already shared with the customer."
        if ticket.is_shared
        else rules.sharing_refusal(
            sharing_policy=ticket.sharing_policy,
            linked_ticket_id=ticket.linked_ticket_id,
            conversation_id=ticket.linked_conversation_id,
            ticket_id=ticket.pk,
        )
    )
    conversation = ticket.linked_conversation
    return SharePreview(
        ticket_id=ticket.pk,
        customer_ticket=customer_view(ticket),
        contact_name=str(conversation.contact) if conversation else "",
        conversation_id=ticket.linked_conversation_id,
        refusal=refusal,
    )


def customer_history(moves: list[tuple[datetime, str]]) -> list[tuple[datetime, str]]:
    """The moves the customer can tell apart: a move between two states with the same customer label (into an
    internal state and out of it) would only tell them that something happened behind the scenes."""
    history: list[tuple[datetime, str]] = []
    for moment, label in moves:
        if not history or history[-1][1] != label:
            history.append((moment, label))
    return history


def contact_tickets(contact_id: int) -> QuerySet[Ticket]:
    """The only tickets a contact may see: their customer tickets and the back-office tickets shared in their
    conversations (rule 6). Never trackers, never unshared back-office tickets, never another contact's."""
    return Ticket.objects.filter(
        Q(category=TicketCategory.CUSTOMER, thread__contact_id=contact_id)
        | Q(category=TicketCategory.BACK_OFFICE, is_shared=True, linked_conversation__contact_id=contact_id)
    )


@dataclass(frozen=True, slots=True)
class CustomerTicketRow:
    """A ticket in the customer's list: the fields of CustomerTicketView that a list shows, the same shape
    for a customer ticket and a shared back-office ticket."""

    number: int
    title: str
    type_name: str
    icon: str
    state_label: str


def list_customer_tickets(
    *, contact_id: int, conversation_id: int | None = None, limit: int = 100
) -> list[CustomerTicketRow]:
    """The contact's customer tickets and shared back-office tickets, newest first; with `conversation_id`, only
    the one(s) of that conversation. One query. Ordered by number, not by last change: an internal note also
    changes a ticket, and the order must not tell the customer that something happened behind the scenes."""
    tickets = _contact_tickets_of(contact_id, conversation_id)
    rows = tickets.select_related("ticket_type", "state").order_by("-pk")[:limit]
    return [
        CustomerTicketRow(
            number=ticket.pk,
            title=ticket.title,
            type_name=ticket.ticket_type.name,
            icon=ticket.ticket_type.icon,
            state_label=ticket.state.customer_label,
        )
        for ticket in rows
    ]


def get_customer_ticket_conversation_id(*, contact_id: int, ticket_id: int) -> int:
    """The conversation in which the contact writes about one of their tickets: a customer ticket's thread, or
    the conversation a shared ticket is linked to. One query. Raises NotFound for anything else."""
    row = contact_tickets(contact_id).filter(pk=ticket_id).values("thread_id", "linked_conversation_id").first()
    if row is None:
        raise NotFound("That ticket does not exist.")
    return row["thread_id"] or row["linked_conversation_id"]


def _contact_tickets_of(contact_id: int, conversation_id: int | None) -> QuerySet[Ticket]:
    tickets = contact_tickets(contact_id)
    if conversation_id is not None:
        tickets = tickets.filter(Q(thread_id=conversation_id) | Q(linked_conversation_id=conversation_id))
    return tickets


def _pending_forms(contact_id: int, conversation_id: int | None) -> QuerySet[TicketFormRequest]:
    # A form whose type was archived since is left out: it can no longer be sent.
    forms = TicketFormRequest.objects.filter(
        conversation__contact_id=contact_id, ticket__isnull=True, ticket_type__archived=False
    )
    if conversation_id is not None:
        forms = forms.filter(conversation_id=conversation_id)
    return forms


BLANK = Value("", output_field=CharField())


def _union_part(queryset: QuerySet[Any], kind: str, columns: Sequence[Combinable]) -> QuerySet[Any, Any]:
    """One SELECT of a version's UNION: the row's kind, its id, then `columns` (the same number in every part),
    without ordering (SQLite refuses an ORDER BY inside a compound statement)."""
    named = {f"column{n}": column for n, column in enumerate(columns)}
    rows: QuerySet[Any, Any] = (
        queryset.order_by()
        .annotate(row_kind=Value(kind, output_field=CharField()), **named)
        .values_list("row_kind", "pk", *named)
    )
    return rows


def get_customer_tickets_version(*, contact_id: int, conversation_id: int | None = None) -> str:
    """The version of a contact's tickets and forms to fill (the ticket list, or with `conversation_id` that
    conversation's forms and tickets): content_version of the fields they show. It moves when a form is sent,
    submitted or withdrawn, or a ticket appears or shows another title or customer-facing state label; never on
    a note or a move between two states of the same customer label. One query (a UNION). With
    `conversation_id`, raises NotFound for a conversation that is not the contact's."""
    forms = _union_part(
        _pending_forms(contact_id, conversation_id),
        "form",
        [F("ticket_type__name"), F("ticket_type__icon"), F("conversation__subject"), BLANK],
    )
    tickets = _union_part(
        _contact_tickets_of(contact_id, conversation_id),
        "ticket",
        [F("title"), F("state__customer_label"), F("ticket_type__name"), F("ticket_type__icon")],
    )
    parts = [tickets]
    if conversation_id is not None:
        own = Conversation.objects.filter(pk=conversation_id, contact_id=contact_id)
        parts.append(_union_part(own, "conversation", [BLANK, BLANK, BLANK, BLANK]))
    rows = list(forms.union(*parts, all=True).order_by())
    if conversation_id is not None and not any(row[0] == "conversation" for row in rows):
        raise NotFound("That conversation does not exist.")
    return content_version(row for row in rows if row[0] != "conversation")


def get_customer_ticket_status_version(*, contact_id: int, ticket_id: int) -> str:
    """The version of a customer ticket page's status: content_version of its customer-facing state label and
    of the history the customer sees (customer_history), so a move between two states of the same customer
    label, a note or an assignment never moves it. One query (a UNION). Raises NotFound for a ticket that is not
    the contact's, before anything of it is used."""
    to_state = Cast(KT("data__to_state_id"), BigIntegerField())
    label = TicketState.objects.filter(pk=OuterRef("to_state")).order_by().values("customer_label")[:1]
    moves = TicketPart.objects.filter(ticket_id=ticket_id, kind=TicketPartKind.EVENT, event_type__in=STATE_MOVES)
    moves = _union_part(moves.annotate(to_state=to_state), "move", [Subquery(label), F("created_at")])
    ticket = _union_part(
        contact_tickets(contact_id).filter(pk=ticket_id), "ticket", [F("state__customer_label"), F("created_at")]
    )
    rows = list(ticket.union(moves, all=True).order_by())
    current = [row[2] for row in rows if row[0] == "ticket"]
    if not current:
        raise NotFound("That ticket does not exist.")
    # Ordered as get_customer_ticket orders them, with an unknown state's label blank as there.
    moved = sorted((at, pk, label or "") for kind, pk, label, at in rows if kind == "move")
    return content_version([(current[0],), *customer_history([(at, label) for at, _, label in moved])])


@dataclass(frozen=True, slots=True)
class PendingForm:
    """A ticket form sent to the contact and not submitted yet, as the customer sees it listed."""

    id: int
    type_name: str
    icon: str
    conversation_id: int
    conversation_subject: str
    sent_at: datetime


def list_pending_forms(*, contact_id: int, conversation_id: int | None = None) -> list[PendingForm]:
    """Ticket forms sent into the contact's conversations (or into one of them) and not submitted yet, oldest
    first. A form whose type was archived since is left out: it can no longer be sent. One query."""
    forms = _pending_forms(contact_id, conversation_id)
    return [
        PendingForm(
            id=form.pk,
            type_name=form.ticket_type.name,
            icon=form.ticket_type.icon,
            conversation_id=form.conversation_id,
            conversation_subject=form.conversation.subject,
            sent_at=form.created_at,
        )
        for form in forms.select_related("ticket_type", "conversation").order_by("created_at", "pk")
    ]


@dataclass(frozen=True, slots=True)
class CustomerForm:
    """A ticket form sent to the contact, with what the customer may fill: the type's live, customer-visible
    attributes. `ticket_id` is set once it was submitted; `unavailable` says why it can no longer be filled (its
    type was archived), None while it can."""

    id: int
    type_name: str
    icon: str
    conversation_id: int
    conversation_subject: str
    ticket_id: int | None
    unavailable: str | None
    attributes: list[TicketAttribute]


def get_customer_form(*, contact_id: int, form_id: int) -> CustomerForm:
    """One of the ticket forms sent to the contact, submitted or not. Two queries. Raises NotFound for a form
    sent to anyone else, exactly as for one that does not exist."""
    form = (
        TicketFormRequest.objects.filter(pk=form_id, conversation__contact_id=contact_id)
        .select_related("ticket_type", "conversation")
        .first()
    )
    if form is None:
        raise NotFound("That form does not exist.")
    attributes = TicketAttribute.objects.filter(
        ticket_type_id=form.ticket_type_id, visible_to_customers=True, archived=False
    ).order_by("position", "pk")
    return CustomerForm(
        id=form.pk,
        type_name=form.ticket_type.name,
        icon=form.ticket_type.icon,
        conversation_id=form.conversation_id,
        conversation_subject=form.conversation.subject,
        ticket_id=form.ticket_id,
        unavailable=rules.form_submission_refusal(submitted=False, type_archived=form.ticket_type.archived),
        attributes=list(attributes),
    )


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who is told about a ticket or a form by email, and the conversation the email belongs to (its replies
    continue it)."""

    contact: Contact
    conversation: Conversation


def get_ticket_recipient(*, ticket_id: int) -> Recipient | None:
    """The customer who follows a ticket: a customer ticket's contact (its thread), a shared back-office ticket's
    (its conversation). None for a ticket no customer sees (unshared back-office, tracker) or that does not exist.
    One query."""
    ticket = (
        Ticket.objects.filter(pk=ticket_id)
        .filter(Q(category=TicketCategory.CUSTOMER) | Q(category=TicketCategory.BACK_OFFICE, is_shared=True))
        .select_related("thread__contact", "linked_conversation__contact")
        .first()
    )
    conversation = ticket and (ticket.thread or ticket.linked_conversation)
    return Recipient(conversation.contact, conversation) if conversation else None


def get_form_recipient(*, form_id: int) -> Recipient | None:
    """The customer a ticket form was sent to, and its conversation. None if it does not exist. One query."""
    form = TicketFormRequest.objects.filter(pk=form_id).select_related("conversation__contact").first()
    return Recipient(form.conversation.contact, form.conversation) if form else None


def get_customer_labels(*, state_ids: Collection[int]) -> dict[int, str]:
    """The customer-facing label of each of these states (never their internal label). One query."""
    return dict(TicketState.objects.filter(pk__in=state_ids).values_list("pk", "customer_label"))
