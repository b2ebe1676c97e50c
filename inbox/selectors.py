"""Reads of the inbox for views and tasks. Each page's reads take a fixed number of queries."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, IntegerField, OuterRef, Q, QuerySet, Subquery

from helpdesk.errors import NotFound
from inbox.models import CUSTOMER_VISIBLE_PART_KINDS, Contact, Conversation, ConversationState, Part, Team, Teammate

PAGE_SIZE = 25


class Sort:
    NEWEST = "newest"
    OLDEST = "oldest"
    WAITING_LONGEST = "waiting"
    CHOICES = [(NEWEST, "Newest"), (OLDEST, "Oldest"), (WAITING_LONGEST, "Waiting longest")]


ORDERINGS = {
    Sort.NEWEST: [F("updated_at").desc(), F("pk").desc()],
    Sort.OLDEST: [F("updated_at").asc(), F("pk").asc()],
    Sort.WAITING_LONGEST: [F("waiting_since").asc(nulls_last=True), F("updated_at").asc(), F("pk").asc()],
}


@dataclass(frozen=True, slots=True)
class InboxView:
    """One of the inbox's left-hand views: `mine`, `unassigned`, `all` or `team-<id>`."""

    slug: str
    label: str
    condition: Q


def get_inbox_view(*, teammate: Teammate, slug: str) -> InboxView:
    """The view named by `slug`. Raises NotFound for an unknown slug or team."""
    fixed = {
        "mine": ("Your inbox", Q(assignee=teammate)),
        "unassigned": ("Unassigned", Q(assignee__isnull=True)),
        "all": ("All", Q()),
    }
    if slug in fixed:
        return InboxView(slug, *fixed[slug])
    team_id = slug.removeprefix("team-")
    team = Team.objects.filter(pk=int(team_id)).first() if slug.startswith("team-") and team_id.isdigit() else None
    if team is None:
        raise NotFound("That inbox view does not exist.")
    return InboxView(slug, team.name, Q(team=team))


# Nav counts stop at this many: an exact COUNT of a million-row inbox costs hundreds of milliseconds on
# every nav refresh, while "999+" tells a teammate as much (bench/README: nav counts at 1M conversations).
NAV_COUNT_CAP = 999


class CappedCount(Subquery):
    """The number of rows of `queryset`, counting no further than NAV_COUNT_CAP + 1: an index range scan
    that stops early, instead of a full count."""

    template = "(SELECT count(*) FROM (%(subquery)s) AS capped)"
    output_field = IntegerField()

    def __init__(self, queryset, **extra):
        super().__init__(queryset.order_by().values("pk")[: NAV_COUNT_CAP + 1], **extra)


@dataclass(frozen=True, slots=True)
class NavItem:
    slug: str
    label: str
    count: int

    @property
    def display(self) -> str:
        return f"{NAV_COUNT_CAP}+" if self.count > NAV_COUNT_CAP else str(self.count)


def list_inbox_nav(*, teammate: Teammate) -> tuple[list[NavItem], list[NavItem]]:
    """Open-conversation counts (capped) of the fixed views and of each team's inbox. Two queries."""
    open_conversations = Conversation.objects.filter(state=ConversationState.OPEN)
    counts = (
        Teammate.objects.filter(pk=teammate.pk)
        .annotate(
            mine=CappedCount(open_conversations.filter(assignee=teammate)),
            unassigned=CappedCount(open_conversations.filter(assignee__isnull=True)),
            all=CappedCount(open_conversations),
        )
        .values("mine", "unassigned", "all")
        .first()
    ) or {"mine": 0, "unassigned": 0, "all": 0}
    fixed = [
        NavItem("mine", "Your inbox", counts["mine"]),
        NavItem("unassigned", "Unassigned", counts["unassigned"]),
        NavItem("all", "All", counts["all"]),
    ]
    teams = Team.objects.annotate(open_count=CappedCount(open_conversations.filter(team=OuterRef("pk")))).order_by(
        "name"
    )
    return fixed, [NavItem(f"team-{team.pk}", team.name, team.open_count) for team in teams]


@dataclass(frozen=True, slots=True)
class ConversationPage:
    conversations: list[Conversation]
    page: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def list_inbox_conversations(*, view: InboxView, state: str, sort: str, page: int) -> ConversationPage:
    """One page of the view's conversations in `state`, sorted. One query: it reads one row past the page
    to know whether there is a next one, and never counts the whole table."""
    start = (page - 1) * PAGE_SIZE
    rows = list(
        Conversation.objects.filter(view.condition, state=state)
        .select_related("contact", "assignee", "team")
        .order_by(*ORDERINGS[sort])[start : start + PAGE_SIZE + 1]
    )
    return ConversationPage(rows[:PAGE_SIZE], page, len(rows) > PAGE_SIZE)


@dataclass(frozen=True, slots=True)
class ConversationPane:
    conversation: Conversation
    parts: list[Part]

    @property
    def last_part_id(self) -> int:
        return self.parts[-1].pk if self.parts else 0


def get_conversation(*, conversation_id: int) -> Conversation:
    """The conversation with its contact, assignee and team. Raises NotFound."""
    conversation = Conversation.objects.select_related("contact", "assignee", "team").filter(pk=conversation_id).first()
    if conversation is None:
        raise NotFound("That conversation does not exist.")
    return conversation


def list_timeline(*, conversation_id: int) -> list[Part]:
    """Every part of the conversation's timeline, oldest first, with authors loaded."""
    return list(
        Part.objects.filter(conversation_id=conversation_id).select_related("author").order_by("created_at", "pk")
    )


def get_conversation_pane(*, conversation_id: int) -> ConversationPane:
    """The conversation and its timeline. Two queries."""
    return ConversationPane(
        conversation=get_conversation(conversation_id=conversation_id),
        parts=list_timeline(conversation_id=conversation_id),
    )


def teammates_queryset() -> QuerySet[Teammate]:
    """The teammates an assign form offers."""
    return Teammate.objects.filter(is_active=True).order_by("first_name", "last_name", "username")


def teams_queryset() -> QuerySet[Team]:
    """The teams an assign form offers."""
    return Team.objects.order_by("name")


def list_expired_snooze_ids(*, now: datetime, limit: int) -> list[int]:
    """Snoozed conversations whose deadline has passed, earliest first."""
    return list(
        Conversation.objects.filter(state=ConversationState.SNOOZED, snoozed_until__lte=now)
        .order_by("snoozed_until")
        .values_list("pk", flat=True)[:limit]
    )


# --- The customer side (messenger): only what DESIGN.md section 4 lets a contact see ---


def get_contact(*, contact_id: int) -> Contact:
    contact = Contact.objects.filter(pk=contact_id).first()
    if contact is None:
        raise NotFound("That contact does not exist.")
    return contact


def list_contact_conversations(*, contact_id: int, limit: int = 50) -> list[Conversation]:
    """The contact's own conversations, most recent first."""
    return list(Conversation.objects.filter(contact_id=contact_id).order_by("-updated_at", "-pk")[:limit])


def get_contact_conversation(*, contact_id: int, conversation_id: int) -> Conversation:
    """One of the contact's conversations; anyone else's is NotFound, exactly like one that does not exist."""
    conversation = Conversation.objects.filter(pk=conversation_id, contact_id=contact_id).first()
    if conversation is None:
        raise NotFound("That conversation does not exist.")
    return conversation


def list_customer_visible_parts(*, conversation_id: int) -> list[Part]:
    """The contact's messages and teammates' replies, oldest first: never notes, events or cross-posts."""
    return list(
        Part.objects.filter(conversation_id=conversation_id, kind__in=CUSTOMER_VISIBLE_PART_KINDS)
        .select_related("author")
        .order_by("created_at", "pk")
    )
