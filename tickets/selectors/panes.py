"""The teammates' ticket pages: the ticket side of a conversation, the ticket pane, the create, form and
convert choices."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import (
    Max,
    Prefetch,
    Q,
    prefetch_related_objects,
)
from django.utils import timezone

from helpdesk.errors import NotFound
from inbox.models import Conversation, Teammate
from inbox.selectors import change_version
from tickets import rules
from tickets.attributes import show_value
from tickets.models import (
    ResponseTarget,
    StateCategory,
    Ticket,
    TicketAttachment,
    TicketAttribute,
    TicketAudit,
    TicketCategory,
    TicketFollower,
    TicketFormRequest,
    TicketPart,
    TicketState,
    TicketType,
    TrackerLink,
)


@dataclass(frozen=True, slots=True)
class AttributeValue:
    """One custom attribute of a ticket, ready to show: `display` is empty when the ticket has no value."""

    attribute: TicketAttribute
    value: object
    display: str


@dataclass(frozen=True, slots=True)
class TicketPane:
    ticket: Ticket
    attributes: list[AttributeValue]
    parts: list[TicketPart]
    states: list[TicketState]
    context_conversation_id: int | None

    @property
    def last_part_id(self) -> int:
        return self.parts[-1].pk if self.parts else 0

    @property
    def version(self) -> str:
        return change_version(self.ticket.updated_at)


# A pane's type attributes and live states, and the ticket's response targets, read for the ticket row(s) loaded.
PANE_PREFETCHES = (
    Prefetch("ticket_type__attributes", queryset=TicketAttribute.objects.filter(archived=False)),
    Prefetch("ticket_type__states", queryset=TicketState.objects.filter(archived=False).order_by("position", "pk")),
    Prefetch("targets", queryset=ResponseTarget.objects.order_by("kind")),
)


def get_ticket_pane(*, ticket_id: int, timeline: bool = True) -> TicketPane:
    """A ticket with its type, state, assignee, team, attributes, timeline (authors loaded; left empty with
    `timeline=False`), the type's live states and the ticket's response targets. Five queries, whatever the size of
    the timeline. Raises NotFound."""
    related = ("ticket_type", "state", "assignee", "team", "linked_ticket")
    ticket = Ticket.objects.select_related(*related).prefetch_related(*PANE_PREFETCHES).filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound(f"Ticket #{ticket_id} does not exist.")
    return _pane(ticket, timeline=timeline, context_id=context_conversation_id(ticket))


def get_side_ticket_pane(*, linked: "ConversationTickets", ticket_id: int) -> TicketPane:
    """The pane of one of the tickets beside a conversation, from the row list_conversation_tickets read (its type,
    state, assignee and team loaded): four queries, not five. Its context conversation is the one it is beside
    (a tracker, which links many, has none). Raises NotFound for a ticket not among them."""
    ticket = next((ticket for ticket in linked.tickets if ticket.pk == ticket_id), None)
    if ticket is None:
        raise NotFound(f"Ticket #{ticket_id} is not linked to this conversation.")
    prefetch_related_objects([ticket], *PANE_PREFETCHES)
    context_id = None if ticket.category == TicketCategory.TRACKER else linked.conversation_id
    return _pane(ticket, timeline=True, context_id=context_id)


def _pane(ticket: Ticket, *, timeline: bool, context_id: int | None) -> TicketPane:
    return TicketPane(
        ticket=ticket,
        attributes=ticket_attribute_values(ticket),
        parts=list_ticket_timeline(ticket_id=ticket.pk) if timeline else [],
        states=list(ticket.ticket_type.states.all()),
        context_conversation_id=context_id,
    )


def list_ticket_timeline(*, ticket_id: int) -> list[TicketPart]:
    """A ticket's notes and events, oldest first, with their authors and attachments. Two queries (one without
    parts)."""
    parts = (
        TicketPart.objects.filter(ticket_id=ticket_id)
        .select_related("author", "delivery_event")
        .prefetch_related("attachments")
    )
    return list(parts.order_by("created_at", "pk"))


def get_ticket_attachment(*, attachment_id: int) -> TicketAttachment:
    """A ticket part's attachment, for a teammate (who may read every ticket). Raises NotFound."""
    attachment = TicketAttachment.objects.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound("That file does not exist.")
    return attachment


def get_ticket_versions(*, ticket_id: int) -> tuple[str, int]:
    """The ticket's last change and its newest timeline part id, so a live part can answer 204 when
    nothing it shows changed. One query. Raises NotFound."""
    row = Ticket.objects.filter(pk=ticket_id).annotate(last_part=Max("parts__pk")).values("updated_at", "last_part")
    if not row:
        raise NotFound(f"Ticket #{ticket_id} does not exist.")
    return change_version(row[0]["updated_at"]), row[0]["last_part"] or 0


def context_conversation_id(ticket: Ticket) -> int | None:
    """The conversation shown beside a ticket: the linked conversation, the linked customer ticket's thread,
    or a customer ticket's own thread. None for trackers, which link many."""
    if ticket.linked_conversation_id:
        return ticket.linked_conversation_id
    if ticket.linked_ticket is not None:
        return ticket.linked_ticket.thread_id
    return ticket.thread_id


def ticket_attribute_values(ticket: Ticket) -> list[AttributeValue]:
    """The type's live attributes (prefetched) with the ticket's values, formatted for a teammate."""
    values = []
    for attribute in ticket.ticket_type.attributes.all():
        value = ticket.attributes.get(attribute.key)
        values.append(AttributeValue(attribute, value, show_value(attribute, value)))
    return values


@dataclass(frozen=True, slots=True)
class ConversationTickets:
    """The tickets beside a conversation: its back-office tickets (linked to it, or to the customer ticket it is
    the thread of), newest first, then the trackers it or its customer ticket is linked to, newest first."""

    conversation_id: int
    customer_ticket_id: int | None
    tickets: list[Ticket]

    @property
    def version(self) -> str:
        latest = max((ticket.updated_at for ticket in self.tickets), default=None)
        linked = sum(ticket.pk for ticket in self.tickets)
        return f"{len(self.tickets)}-{linked}-{change_version(latest) if latest else 0}"

    @property
    def tracker_ids(self) -> set[int]:
        return {ticket.pk for ticket in self.tickets if ticket.category == TicketCategory.TRACKER}


def list_conversation_tickets(*, conversation_id: int) -> ConversationTickets:
    """The back-office tickets and trackers linked to the conversation, with type, state, assignee and team.
    Three queries. Raises NotFound."""
    customer_ticket_id = get_customer_ticket_id(conversation_id=conversation_id)
    # By the customer ticket's id, not `linked_ticket__thread_id`: an OR across a join cannot use the two
    # link indexes and scanned every ticket (about 60 ms at 200,000 tickets, bench/).
    linked = Q(linked_conversation_id=conversation_id)
    tracked = Q(conversation_id=conversation_id)
    if customer_ticket_id is not None:
        linked |= Q(linked_ticket_id=customer_ticket_id)
        tracked |= Q(customer_ticket_id=customer_ticket_id)
    related = ("ticket_type", "state", "assignee", "team")
    back_office = Ticket.objects.filter(linked, category=TicketCategory.BACK_OFFICE)
    trackers = Ticket.objects.filter(pk__in=TrackerLink.objects.filter(tracked).values("tracker_id"))
    tickets = [
        *back_office.select_related(*related).order_by("-pk"),
        *trackers.select_related(*related).order_by("-pk"),
    ]
    return ConversationTickets(conversation_id, customer_ticket_id, tickets)


def get_customer_ticket_id(*, conversation_id: int) -> int | None:
    """The customer ticket whose thread the conversation is, if any. One query. Raises NotFound."""
    row = Conversation.objects.filter(pk=conversation_id).values("customer_ticket__pk").first()
    if row is None:
        raise NotFound("That conversation does not exist.")
    return row["customer_ticket__pk"]


@dataclass(frozen=True, slots=True)
class TicketCreateChoices:
    """What a create form offers: the live types of its category (back-office or tracker) and the chosen one's
    attributes (teams and teammates are chosen with pickers, helpdesk.forms.PickerField)."""

    category: str
    ticket_types: list[TicketType]
    ticket_type: TicketType | None
    attributes: list[TicketAttribute]


def get_ticket_create_choices(*, category: str, ticket_type_id: int | None) -> TicketCreateChoices:
    """The create form's choices; `ticket_type_id` picks the type whose live attributes visible on create are
    shown (an unknown or archived one picks none). Two queries."""
    types = list_live_types_with_attributes(category=category)
    chosen = next((t for t in types if t.pk == ticket_type_id), None)
    return TicketCreateChoices(
        category=category,
        ticket_types=types,
        ticket_type=chosen,
        attributes=attributes_on_create(chosen),
    )


def list_live_types_with_attributes(*, category: str) -> list[TicketType]:
    """The live types of `category` by name, each with its default team and live attributes. Two queries."""
    return list(
        TicketType.objects.filter(category=category, archived=False)
        .select_related("default_team")
        .prefetch_related(Prefetch("attributes", queryset=TicketAttribute.objects.filter(archived=False)))
        .order_by("name")
    )


def attributes_on_create(ticket_type: TicketType | None) -> list[TicketAttribute]:
    """The prefetched live attributes of a type that a teammate fills on creating a ticket of it."""
    return (
        [attribute for attribute in ticket_type.attributes.all() if attribute.visible_on_create] if ticket_type else []
    )


@dataclass(frozen=True, slots=True)
class FormTypeChoice:
    """A type a teammate may send as a ticket form, with why it cannot go into this conversation (None: it can)."""

    ticket_type: TicketType
    refusal: str | None


def list_form_type_choices(*, conversation_id: int) -> list[FormTypeChoice]:
    """The types rule 10 offers as ticket forms (live customer types, then live back-office types whose sharing is
    `optional`, each by name) with `rules.form_type_refusal`'s reason for this conversation. At most six queries,
    whatever the number of types. Raises NotFound."""
    if not Conversation.objects.filter(pk=conversation_id).exists():
        raise NotFound("That conversation does not exist.")
    types = sorted(
        TicketType.objects.filter(rules.OFFERED_AS_FORMS, archived=False),
        key=lambda t: (t.category != TicketCategory.CUSTOMER, t.name.casefold()),
    )
    # form_type_refusal reads only these fields of a type (its other reads are of the conversation), so types
    # alike in them get the same answer: ask once per kind of type (two here), not once per type.
    reasons: dict[tuple[str, str, bool], str | None] = {}
    choices = []
    for ticket_type in types:
        key = (ticket_type.category, ticket_type.sharing_policy, ticket_type.archived)
        if key not in reasons:
            reasons[key] = rules.form_type_refusal(ticket_type=ticket_type, conversation_id=conversation_id)
        choices.append(FormTypeChoice(ticket_type, reasons[key]))
    return choices


@dataclass(frozen=True, slots=True)
class ConvertChoices:
    """What "Convert to customer ticket" offers: the conversation's subject (the title it suggests), why it cannot
    be converted (None: it can), live customer types and the chosen one's attributes."""

    subject: str
    refusal: str | None
    ticket_types: list[TicketType]
    ticket_type: TicketType | None
    attributes: list[TicketAttribute]


def get_convert_choices(*, conversation_id: int, ticket_type_id: int | None) -> ConvertChoices:
    """The convert form's choices; `ticket_type_id` picks the customer type whose attributes visible on create
    are shown (an unknown, archived or other type picks none). At most six queries. Raises NotFound."""
    subject = Conversation.objects.filter(pk=conversation_id).values_list("subject", flat=True).first()
    if subject is None:
        raise NotFound("That conversation does not exist.")
    types = list_live_types_with_attributes(category=TicketCategory.CUSTOMER)
    chosen = next((t for t in types if t.pk == ticket_type_id), None)
    refusal = rules.conversion_refusal(conversation_id=conversation_id)
    return ConvertChoices(subject, refusal, types, chosen, attributes_on_create(chosen))


@dataclass(frozen=True, slots=True)
class ConversationTicketForms:
    """The ticket forms sent into a conversation (newest first, at most FORMS_SHOWN) and the customer ticket it
    is, for the ticket side; `version` changes exactly when what it shows does."""

    conversation_id: int
    customer_ticket_id: int | None
    forms: list[TicketFormRequest]

    @property
    def version(self) -> str:
        newest = self.forms[0].pk if self.forms else 0
        submitted = sum(1 for form in self.forms if form.ticket_id)
        return f"{self.customer_ticket_id or 0}-{newest}-{submitted}"


FORMS_SHOWN = 10


def list_conversation_ticket_forms(*, conversation_id: int, customer_ticket_id: int | None) -> ConversationTicketForms:
    """The newest ticket forms of the conversation with their type and sender. One query."""
    forms = (
        TicketFormRequest.objects.filter(conversation_id=conversation_id)
        .select_related("ticket_type", "sent_by")
        .order_by("-created_at", "-pk")[:FORMS_SHOWN]
    )
    return ConversationTicketForms(conversation_id, customer_ticket_id, list(forms))


AUDIT_SHOWN = 200


@dataclass(frozen=True, slots=True)
class TicketAuditTrail:
    rows: list[TicketAudit]
    more: bool  # older rows than these exist


def get_ticket_audit(*, ticket_id: int) -> TicketAuditTrail:
    """The ticket's audit, its latest AUDIT_SHOWN rows oldest first. Two queries. Raises NotFound."""
    if not Ticket.objects.filter(pk=ticket_id).exists():
        raise NotFound(f"Ticket #{ticket_id} does not exist.")
    latest = list(TicketAudit.objects.filter(ticket_id=ticket_id).order_by("-created_at", "-pk")[: AUDIT_SHOWN + 1])
    return TicketAuditTrail(rows=latest[:AUDIT_SHOWN][::-1], more=len(latest) > AUDIT_SHOWN)


def is_following(*, teammate: Teammate, ticket_id: int) -> bool:
    """Whether the teammate follows the ticket. Two queries. Raises NotFound."""
    if not Ticket.objects.filter(pk=ticket_id).exists():
        raise NotFound(f"Ticket #{ticket_id} does not exist.")
    return TicketFollower.objects.filter(ticket_id=ticket_id, teammate=teammate).exists()


DUE_SOON_SHOWN = 100


def list_due_soon(*, within: timedelta, scope: Q | None = None, limit: int = DUE_SOON_SHOWN) -> list[ResponseTarget]:
    """The running response targets of unresolved tickets (of those in `scope`) due within `within` or already
    missed, soonest first, with their tickets (type, state, assignee, team). One query."""
    targets = ResponseTarget.objects.filter(met_at__isnull=True, paused_at__isnull=True)
    if scope:
        targets = targets.filter(ticket__in=Ticket.objects.filter(scope).values("pk"))
    return list(
        targets.filter(due_at__lte=timezone.now() + within)
        .exclude(ticket__state__category=StateCategory.RESOLVED)
        .select_related("ticket__ticket_type", "ticket__state", "ticket__assignee", "ticket__team")
        .order_by("due_at", "pk")[:limit]
    )
