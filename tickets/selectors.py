"""Reads of tickets for views and tasks."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import BooleanField, ExpressionWrapper, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime

from helpdesk.errors import NotFound
from helpdesk.pagination import Cursor, Key, Page, paginate
from inbox.models import Conversation, OwnerKind, Team, Teammate
from inbox.selectors import PAGE_SIZE, NavItem, change_version, get_slug_team, list_team_options, list_teammate_options
from tickets.models import (
    AttributeKind,
    SharingPolicy,
    StateCategory,
    Ticket,
    TicketAttribute,
    TicketCategory,
    TicketCount,
    TicketFormRequest,
    TicketPart,
    TicketPartKind,
    TicketState,
    TicketType,
)

UNRESOLVED = ~Q(state__category=StateCategory.RESOLVED)


def list_delivery_conversation_ids(ticket: Ticket) -> list[int]:
    """The conversations a ticket's cross-posts and state events go to: its linked conversation or customer
    ticket's thread (back-office), or every linked conversation and customer ticket thread (tracker)."""
    if ticket.category == TicketCategory.BACK_OFFICE:
        if ticket.linked_conversation_id:
            return [ticket.linked_conversation_id]
        return list(Ticket.objects.filter(pk=ticket.linked_ticket_id).values_list("thread_id", flat=True))
    if ticket.category == TicketCategory.TRACKER:
        links = ticket.tracker_links.select_related("customer_ticket")
        # Sorted, so two trackers cross-posting into the same conversations lock them in the same order.
        return sorted(link.conversation_id or link.customer_ticket.thread_id for link in links)
    return []


def list_customer_facing_tickets_of_conversation(conversation_id: int) -> list[Ticket]:
    """The customer ticket owning this conversation and the back-office ticket shared in it, if any."""
    return list(
        Ticket.objects.filter(Q(thread_id=conversation_id) | Q(linked_conversation_id=conversation_id, is_shared=True))
        .select_related("state", "ticket_type")
        .order_by("pk")
    )


def get_first_state(ticket: Ticket, category: str) -> TicketState | None:
    """The first live state of the ticket's type in `category`."""
    return (
        TicketState.objects.filter(ticket_types=ticket.ticket_type_id, category=category, archived=False)
        .order_by("position", "pk")
        .first()
    )


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
    attributes = ticket.ticket_type.attributes.filter(visible_to_customers=True, archived=False)
    state_moves = list(
        TicketPart.objects.filter(
            ticket=ticket, kind=TicketPartKind.EVENT, event_type__in=["created", "state_changed"]
        ).order_by("created_at", "pk")
    )
    state_ids = {move.data.get("to_state_id") for move in state_moves}
    labels = dict(TicketState.objects.filter(pk__in=state_ids).values_list("pk", "customer_label"))
    return CustomerTicketView(
        number=ticket.pk,
        title=ticket.title,
        type_name=ticket.ticket_type.name,
        icon=ticket.ticket_type.icon,
        state_label=ticket.state.customer_label,
        attributes=[
            (attribute.name, teammate_value(attribute, ticket.attributes[attribute.key]))
            for attribute in attributes
            if attribute.key in ticket.attributes
        ],
        history=customer_history(
            [(move.created_at, labels.get(move.data.get("to_state_id"), "")) for move in state_moves]
        ),
    )


def customer_history(moves: list[tuple[datetime, str]]) -> list[tuple[datetime, str]]:
    """The moves the customer can tell apart: a move between two states with the same customer label (into an
    internal state and out of it) would only tell them that something happened behind the scenes."""
    history: list[tuple[datetime, str]] = []
    for moment, label in moves:
        if not history or history[-1][1] != label:
            history.append((moment, label))
    return history


def customer_value(value: object) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def list_ticket_nav(*, teammate: Teammate) -> list[NavItem]:
    """ "Your tickets" and each team's back-office tickets, with their exact unresolved counts, read from the
    counts the database keeps (TicketCount). Two queries."""
    unresolved = TicketCount.objects.filter(
        state_id__in=TicketState.objects.exclude(category=StateCategory.RESOLVED).values("pk")
    )
    mine = unresolved.filter(owner_kind=OwnerKind.ASSIGNEE, owner_id=teammate.pk).aggregate(
        total=Coalesce(Sum("total"), 0)
    )["total"]
    team_totals = (
        unresolved.filter(owner_kind=OwnerKind.TEAM, owner_id=OuterRef("pk"), category=TicketCategory.BACK_OFFICE)
        .values("owner_id")
        .annotate(sum=Sum("total"))
        .values("sum")
    )
    teams = Team.objects.annotate(open_count=Coalesce(Subquery(team_totals), 0)).order_by("name")
    return [NavItem("mine", "Your tickets", mine)] + [
        NavItem(f"team-{team.pk}", f"{team.name} tickets", team.open_count) for team in teams
    ]


# --- The teammates' ticket pages: the ticket side of a conversation, the ticket pane, the ticket views ---


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
    teammates: list[tuple[int, str]]  # (id, name): inbox.selectors.list_teammate_options
    teams: list[tuple[int, str]]
    context_conversation_id: int | None

    @property
    def last_part_id(self) -> int:
        return self.parts[-1].pk if self.parts else 0

    @property
    def version(self) -> str:
        return change_version(self.ticket.updated_at)


def _pane_queryset() -> QuerySet[Ticket]:
    return Ticket.objects.select_related("ticket_type", "state", "assignee", "team", "linked_ticket").prefetch_related(
        Prefetch("ticket_type__attributes", queryset=TicketAttribute.objects.filter(archived=False)),
        Prefetch("ticket_type__states", queryset=TicketState.objects.filter(archived=False).order_by("position", "pk")),
    )


def get_ticket_pane(*, ticket_id: int, timeline: bool = True, choices: bool = True) -> TicketPane:
    """A ticket with its type, state, assignee, team, attributes, timeline (authors loaded; left empty with
    `timeline=False`), the type's live states and the assign form's choices (left empty with `choices=False`).
    Six queries, whatever the size of the timeline. Raises NotFound."""
    ticket = _pane_queryset().filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound(f"Ticket #{ticket_id} does not exist.")
    return TicketPane(
        ticket=ticket,
        attributes=ticket_attribute_values(ticket),
        parts=list_ticket_timeline(ticket_id=ticket.pk) if timeline else [],
        states=list(ticket.ticket_type.states.all()),
        # With `choices=False` (a partial without the assign form) the 500 teammates are not loaded.
        teammates=list_teammate_options() if choices else [],
        teams=list_team_options() if choices else [],
        context_conversation_id=context_conversation_id(ticket),
    )


def list_ticket_timeline(*, ticket_id: int) -> list[TicketPart]:
    """A ticket's notes and events, oldest first, with their authors. One query."""
    return list(TicketPart.objects.filter(ticket_id=ticket_id).select_related("author").order_by("created_at", "pk"))


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
    if ticket.linked_ticket_id:
        return ticket.linked_ticket.thread_id
    return ticket.thread_id


def ticket_attribute_values(ticket: Ticket) -> list[AttributeValue]:
    """The type's live attributes (prefetched) with the ticket's values, formatted for a teammate."""
    values = []
    for attribute in ticket.ticket_type.attributes.all():
        value = ticket.attributes.get(attribute.key)
        values.append(AttributeValue(attribute, value, teammate_value(attribute, value)))
    return values


def teammate_value(attribute: TicketAttribute, value: object) -> str:
    if value is None or value == "":
        return ""
    if attribute.kind == AttributeKind.DATETIME:
        moment = parse_datetime(str(value))
        return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else str(value)
    return customer_value(value)


@dataclass(frozen=True, slots=True)
class ConversationTickets:
    """The back-office tickets linked to a conversation (directly, or to the customer ticket it is the
    thread of), newest first."""

    conversation_id: int
    customer_ticket_id: int | None
    tickets: list[Ticket]

    @property
    def version(self) -> str:
        latest = max((ticket.updated_at for ticket in self.tickets), default=None)
        return f"{len(self.tickets)}-{change_version(latest) if latest else 0}"


def list_conversation_tickets(*, conversation_id: int) -> ConversationTickets:
    """The back-office tickets linked to the conversation, with type, state, assignee and team. Two queries.
    Raises NotFound."""
    customer_ticket_id = get_customer_ticket_id(conversation_id=conversation_id)
    # By the customer ticket's id, not `linked_ticket__thread_id`: an OR across a join cannot use the two
    # link indexes and scanned every ticket (about 60 ms at 200,000 tickets, bench/).
    linked = Q(linked_conversation_id=conversation_id)
    if customer_ticket_id is not None:
        linked |= Q(linked_ticket_id=customer_ticket_id)
    tickets = (
        Ticket.objects.filter(linked, category=TicketCategory.BACK_OFFICE)
        .select_related("ticket_type", "state", "assignee", "team")
        .order_by("-pk")
    )
    return ConversationTickets(conversation_id, customer_ticket_id, list(tickets))


def get_customer_ticket_id(*, conversation_id: int) -> int | None:
    """The customer ticket whose thread the conversation is, if any. One query. Raises NotFound."""
    row = Conversation.objects.filter(pk=conversation_id).values("customer_ticket__pk").first()
    if row is None:
        raise NotFound("That conversation does not exist.")
    return row["customer_ticket__pk"]


@dataclass(frozen=True, slots=True)
class TicketCreateChoices:
    """What the create form offers: live back-office types, the chosen one's attributes, teammates, teams."""

    ticket_types: list[TicketType]
    ticket_type: TicketType | None
    attributes: list[TicketAttribute]
    teammates: list[tuple[int, str]]
    teams: list[tuple[int, str]]


def get_ticket_create_choices(*, ticket_type_id: int | None) -> TicketCreateChoices:
    """The create form's choices; `ticket_type_id` picks the type whose live attributes visible on create are
    shown (an unknown or archived one picks none). Four queries."""
    types = list_live_types_with_attributes(category=TicketCategory.BACK_OFFICE)
    chosen = next((t for t in types if t.pk == ticket_type_id), None)
    return TicketCreateChoices(
        ticket_types=types,
        ticket_type=chosen,
        attributes=attributes_on_create(chosen),
        teammates=list_teammate_options(),
        teams=list_team_options(),
    )


def list_live_types_with_attributes(*, category: str) -> list[TicketType]:
    """The live types of `category` by name, each with its live attributes. Two queries."""
    return list(
        TicketType.objects.filter(category=category, archived=False)
        .prefetch_related(Prefetch("attributes", queryset=TicketAttribute.objects.filter(archived=False)))
        .order_by("name")
    )


def attributes_on_create(ticket_type: TicketType | None) -> list[TicketAttribute]:
    """The prefetched live attributes of a type that a teammate fills on creating a ticket of it."""
    return (
        [attribute for attribute in ticket_type.attributes.all() if attribute.visible_on_create] if ticket_type else []
    )


# --- Ticket forms and customer tickets made from a conversation (rule 10) ---


@dataclass(frozen=True, slots=True)
class FormTypeChoice:
    """A type a teammate may send as a ticket form, with why it cannot go into this conversation (None: it can)."""

    ticket_type: TicketType
    refusal: str | None


def list_form_type_choices(*, conversation_id: int) -> list[FormTypeChoice]:
    """The types rule 10 offers as ticket forms (live customer types, then live back-office types whose sharing is
    `optional`, each by name) with `form_type_refusal`'s reason for this conversation. At most six queries,
    whatever the number of types. Raises NotFound."""
    from tickets.actions import form_type_refusal  # the action's own judgement, so the two never disagree

    if not Conversation.objects.filter(pk=conversation_id).exists():
        raise NotFound("That conversation does not exist.")
    offered = Q(category=TicketCategory.CUSTOMER) | Q(
        category=TicketCategory.BACK_OFFICE, sharing_policy=SharingPolicy.OPTIONAL
    )
    types = TicketType.objects.filter(offered, archived=False)
    types = sorted(types, key=lambda t: (t.category != TicketCategory.CUSTOMER, t.name.casefold()))
    # form_type_refusal reads only these fields of a type (its other reads are of the conversation), so types
    # alike in them get the same answer: ask once per kind of type (two here), not once per type.
    reasons: dict[tuple[str, str, bool], str | None] = {}
    choices = []
    for ticket_type in types:
        key = (ticket_type.category, ticket_type.sharing_policy, ticket_type.archived)
        if key not in reasons:
            reasons[key] = form_type_refusal(ticket_type=ticket_type, conversation_id=conversation_id)
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
    are shown (an unknown, archived or other type picks none). At most five queries. Raises NotFound."""
    from tickets.actions import conversion_refusal  # the action's own judgement, so the two never disagree

    subject = Conversation.objects.filter(pk=conversation_id).values_list("subject", flat=True).first()
    if subject is None:
        raise NotFound("That conversation does not exist.")
    types = list_live_types_with_attributes(category=TicketCategory.CUSTOMER)
    chosen = next((t for t in types if t.pk == ticket_type_id), None)
    refusal = conversion_refusal(conversation_id=conversation_id)
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


class TicketStatus:
    OPEN = "open"
    RESOLVED = "resolved"
    ALL = "all"
    CHOICES = [(OPEN, "Open"), (RESOLVED, "Resolved"), (ALL, "All")]


class TicketSort:
    NEWEST = "newest"
    OLDEST = "oldest"
    CHOICES = [(NEWEST, "Newest updated"), (OLDEST, "Oldest updated")]


TICKET_ORDERINGS = {
    TicketSort.NEWEST: [Key("updated_at", descending=True), Key("pk", descending=True)],
    TicketSort.OLDEST: [Key("updated_at"), Key("pk")],
}
# "All" lists unresolved tickets first. Only there: in "Open" or "Resolved" it is the same for every ticket, and
# sorting by it anyway cost a sort of the whole view (10 ms instead of 3 for a 2,000-ticket team, bench/).
RESOLVED_LAST = Key(
    "resolved_last",
    expression=ExpressionWrapper(Q(state__category=StateCategory.RESOLVED), output_field=BooleanField()),
)
STATUS_CONDITIONS = {
    TicketStatus.OPEN: UNRESOLVED,
    TicketStatus.RESOLVED: Q(state__category=StateCategory.RESOLVED),
    TicketStatus.ALL: Q(),
}


@dataclass(frozen=True, slots=True)
class TicketView:
    """One of the ticket views: `mine` (assigned to the teammate, any category) or `team-<id>`."""

    slug: str
    label: str
    condition: Q


def get_ticket_view(*, teammate: Teammate, slug: str) -> TicketView:
    """The ticket view named by `slug`. Raises NotFound for an unknown slug or team."""
    if slug == "mine":
        return TicketView(slug, "Your tickets", Q(assignee=teammate))
    team = get_slug_team(slug)
    if team is None:
        raise NotFound("That ticket view does not exist.")
    return TicketView(slug, f"{team.name} tickets", Q(team=team, category=TicketCategory.BACK_OFFICE))


def ticket_list_keys(*, status: str, sort: str) -> list[Key]:
    """The order of a ticket list: unresolved first (in "All"), then `sort`, then the pk."""
    return ([RESOLVED_LAST] if status == TicketStatus.ALL else []) + TICKET_ORDERINGS[sort]


def list_tickets(*, view: TicketView, status: str, sort: str, cursor: Cursor | None) -> Page:
    """The first page of the view's tickets with `status` (unresolved first), sorted, or the page after or
    before `cursor`. One query (two on the page of "All" where resolved tickets begin, or that ends the list):
    by keyset, never OFFSET or COUNT."""
    return paginate(
        Ticket.objects.filter(view.condition, STATUS_CONDITIONS[status]).select_related(
            "ticket_type", "state", "assignee", "team"
        ),
        keys=ticket_list_keys(status=status, sort=sort),
        cursor=cursor,
        page_size=PAGE_SIZE,
    )


def get_ticket_home(*, ticket_id: int) -> str:
    """The ticket view a ticket opens in: its team's, else the teammate's own. Raises NotFound."""
    team_id = Ticket.objects.filter(pk=ticket_id).values_list("team_id", flat=True)
    if not team_id:
        raise NotFound(f"Ticket #{ticket_id} does not exist.")
    return f"team-{team_id[0]}" if team_id[0] else "mine"


# --- The customer side (messenger): a contact's tickets and the forms sent to them (DESIGN.md section 4) ---


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
    tickets = contact_tickets(contact_id)
    if conversation_id is not None:
        tickets = tickets.filter(Q(thread_id=conversation_id) | Q(linked_conversation_id=conversation_id))
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
    forms = TicketFormRequest.objects.filter(
        conversation__contact_id=contact_id, ticket__isnull=True, ticket_type__archived=False
    )
    if conversation_id is not None:
        forms = forms.filter(conversation_id=conversation_id)
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
    attributes. `ticket_id` is set once it was submitted; `available` is False once its type is archived."""

    id: int
    type_name: str
    icon: str
    conversation_id: int
    conversation_subject: str
    ticket_id: int | None
    available: bool
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
        available=not form.ticket_type.archived,
        attributes=list(attributes),
    )
