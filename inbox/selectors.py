"""Reads of the inbox for views and tasks. Each page's reads take a fixed number of queries."""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.fields.files import FieldFile
from django.db.models.functions import Coalesce, Concat, NullIf, Trim

from helpdesk.errors import NotFound
from helpdesk.pagination import Cursor, Key, Page, paginate
from inbox.live import inbox_view_topic
from inbox.models import (
    CUSTOMER_VISIBLE_PART_KINDS,
    WORKING,
    Attachment,
    Contact,
    Conversation,
    ConversationCount,
    ConversationState,
    DeliveryStatus,
    MessengerInstallation,
    OutboundEmail,
    OwnerCount,
    OwnerKind,
    Part,
    Team,
    Teammate,
)

PAGE_SIZE = 25


class Sort:
    NEWEST = "newest"
    OLDEST = "oldest"
    WAITING_LONGEST = "waiting"
    CHOICES = [(NEWEST, "Newest"), (OLDEST, "Oldest"), (WAITING_LONGEST, "Waiting longest")]


# Each ends with the pk, so that every conversation has one place in the list and a cursor names it.
ORDERINGS = {
    Sort.NEWEST: [Key("updated_at", descending=True), Key("pk", descending=True)],
    Sort.OLDEST: [Key("updated_at"), Key("pk")],
    Sort.WAITING_LONGEST: [Key("waiting_since", nulls_last=True), Key("updated_at"), Key("pk")],
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
    team = get_slug_team(slug)
    if team is None:
        raise NotFound("That inbox view does not exist.")
    return InboxView(slug, team.name, Q(team=team))


def get_slug_team(slug: str) -> Team | None:
    """The team a `team-<id>` view slug names (inbox and ticket views), None for any other slug."""
    team_id = slug.removeprefix("team-")
    return Team.objects.filter(pk=int(team_id)).first() if slug.startswith("team-") and team_id.isdigit() else None


@dataclass(frozen=True, slots=True)
class NavItem:
    slug: str
    label: str
    count: int
    topic: str  # its list's live topic, which its count is published under (inbox/live.py, tickets/live.py)

    @property
    def display(self) -> str:
        return f"{self.count:,}"


def list_inbox_nav(*, teammate: Teammate, teams: list[tuple[int, str]]) -> tuple[list[NavItem], list[NavItem]]:
    """Exact open-conversation counts of the fixed views and of each of `teams`' inboxes (list_team_options), read
    from the counts the database keeps (ConversationCount): a few dozen rows whatever the number of conversations.
    One query."""
    open_counts = ConversationCount.objects.filter(state=ConversationState.OPEN)
    totals, team_totals = count_by_owner(open_counts, teammate=teammate, teams=teams)
    fixed = [("mine", "Your inbox"), ("unassigned", "Unassigned"), ("all", "All")]
    return [
        NavItem(slug, label, totals[slug], inbox_view_topic(slug, teammate_id=teammate.pk)) for slug, label in fixed
    ], [NavItem(f"team-{team_id}", name, total, f"inbox-team-{team_id}") for team_id, name, total in team_totals]


def count_by_owner[C: OwnerCount](
    counts: QuerySet[C],
    *,
    teammate: Teammate,
    teams: list[tuple[int, str]],
    split_by: str | None = None,
    **team_subsets: str,
) -> tuple[dict[str, int], list[tuple[int, str, int]]]:
    """Totals of counter rows (helpdesk/counters.py): `mine`, `unassigned` and `all`, one per `team_subsets` entry
    (the team rows whose `split_by` column has that value, e.g. trackers="tracker" with split_by="category"), and
    the (id, name, total) of each of `teams` (id, name). Every counted row is under exactly one team (0: none) and
    one assignee (0: nobody), so the team rows add up to all of them. One query: the rows grouped by owner.
    Summed here rather than by SQL aggregates with FILTER and a subquery per team, which Django took about 2 ms to
    build for each of the nav's counts, where PostgreSQL answered in 0.3 ms (bench/, full size)."""
    mine_or_nobody = Q(owner_kind=OwnerKind.ASSIGNEE, owner_id__in=[teammate.pk, 0])
    columns = ["owner_kind", "owner_id", *([split_by] if split_by else [])]
    rows = counts.filter(Q(owner_kind=OwnerKind.TEAM) | mine_or_nobody).values_list(*columns).annotate(Sum("total"))
    totals = dict.fromkeys(["mine", "unassigned", "all", *team_subsets], 0)
    by_team: dict[int, int] = {}
    for kind, owner_id, *split, total in rows.order_by():
        if kind == OwnerKind.ASSIGNEE:
            totals["mine" if owner_id else "unassigned"] += total
            continue
        totals["all"] += total
        by_team[owner_id] = by_team.get(owner_id, 0) + total
        for name, value in team_subsets.items():
            totals[name] += total if split[0] == value else 0
    return totals, [(team_id, name, by_team.get(team_id, 0)) for team_id, name in teams]


def list_inbox_conversations(*, view: InboxView, state: str, sort: str, cursor: Cursor | None) -> Page:
    """The first page of the view's conversations in `state`, sorted, or the page after or before `cursor`.
    One query (two on the page where NULL `waiting_since` begins): by keyset, never OFFSET or COUNT."""
    return paginate(
        Conversation.objects.filter(view.condition, state=state).select_related("contact", "assignee", "team"),
        keys=ORDERINGS[sort],
        cursor=cursor,
        page_size=PAGE_SIZE,
    )


@dataclass(frozen=True, slots=True)
class ConversationPane:
    conversation: Conversation
    parts: list[Part]

    @property
    def timeline_version(self) -> str:
        return timeline_version(self.parts)


def timeline_version(parts: list[Part]) -> str:
    """What the live timeline compares to know whether it changed: its newest part, and the delivery of the emails
    that carried its replies (their attempts, and failures), which change without a new part."""
    delivery = sum(_delivery_marker(part.outbound_email) for part in parts if hasattr(part, "outbound_email"))
    return f"{parts[-1].pk if parts else 0}.{delivery}"


def _delivery_marker(email: OutboundEmail) -> int:
    return email.attempts + (1000 if email.status == DeliveryStatus.FAILED else 0)


def change_version(updated_at: datetime) -> str:
    """What a live part compares to know whether its row changed: the row's last change, to the microsecond."""
    return f"{updated_at.timestamp():.6f}"


def get_conversation_versions(*, conversation_id: int) -> tuple[str, str]:
    """The conversation's last change and its timeline's version (timeline_version), so that its live header and
    timeline can answer 204 while nothing they show changed. One query. Raises NotFound."""
    emails = OutboundEmail.objects.filter(conversation=OuterRef("pk"), part__isnull=False).values("conversation")
    marker = emails.annotate(
        marker=Sum("attempts") + 1000 * Count("pk", filter=Q(status=DeliveryStatus.FAILED))
    ).values("marker")
    row = (
        Conversation.objects.filter(pk=conversation_id)
        .annotate(last_part=Max("parts__pk"), delivery=Subquery(marker))
        .values("updated_at", "last_part", "delivery")
        .first()
    )
    if row is None:
        raise NotFound("That conversation does not exist.")
    return change_version(row["updated_at"]), f"{row['last_part'] or 0}.{row['delivery'] or 0}"


def get_conversation(*, conversation_id: int) -> Conversation:
    """The conversation with its contact, assignee and team. Raises NotFound."""
    conversation = Conversation.objects.select_related("contact", "assignee", "team").filter(pk=conversation_id).first()
    if conversation is None:
        raise NotFound("That conversation does not exist.")
    return conversation


def list_timeline(*, conversation_id: int) -> list[Part]:
    """Every part of the conversation's timeline, oldest first, with authors and attachments loaded. Two queries
    (one when it has no parts)."""
    parts = (
        Part.objects.filter(conversation_id=conversation_id)
        .select_related("author", "outbound_email", "inbound_email")
        .defer("inbound_email__raw")
    )
    return list(parts.prefetch_related("attachments").order_by("created_at", "pk"))


def get_attachment(*, attachment_id: int) -> Attachment:
    """A conversation part's attachment, for a teammate (who may read every conversation). Raises NotFound."""
    attachment = Attachment.objects.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound("That file does not exist.")
    return attachment


def get_conversation_pane(*, conversation_id: int) -> ConversationPane:
    """The conversation and its timeline. Two queries."""
    return ConversationPane(
        conversation=get_conversation(conversation_id=conversation_id),
        parts=list_timeline(conversation_id=conversation_id),
    )


# A picker (assignee, team) shows this many options at a time: typing narrows them (static/js/app.js).
OPTIONS_SHOWN = 20


def _holding_words(field: str, search: str) -> Q:
    """The rows whose `field` holds every word of `search`, as the picker filters the options it has loaded."""
    condition = Q()
    for word in search.split():
        condition &= Q(**{f"{field}__icontains": word})
    return condition


# Teammate.__str__ in SQL: the full name, or the username.
TEAMMATE_LABEL = Coalesce(NullIf(Trim(Concat("first_name", Value(" "), "last_name")), Value("")), "username")


def list_teammate_options(*, search: str = "", limit: int = OPTIONS_SHOWN) -> list[tuple[int, str]]:
    """The active teammates the assignee picker offers whose name (or username) holds every word of `search`, as
    (id, name) by name, at most `limit`. One query."""
    rows = (
        Teammate.objects.filter(WORKING)
        .annotate(label=TEAMMATE_LABEL)
        .filter(_holding_words("label", search))
        .order_by("first_name", "last_name", "username", "pk")
    )
    return list(rows.values_list("pk", "label")[:limit])


def get_teammate_option(*, teammate_id: int) -> str | None:
    """The name of an active teammate the assignee picker may submit; None for any other id. One query."""
    rows = Teammate.objects.filter(WORKING, pk=teammate_id).annotate(label=TEAMMATE_LABEL)
    return rows.values_list("label", flat=True).first()


def list_team_options(
    *, search: str = "", limit: int | None = OPTIONS_SHOWN, member: Teammate | None = None
) -> list[tuple[int, str]]:
    """The teams the team picker offers whose name holds every word of `search` (and that have `member`), as (id,
    name) by name, at most `limit` (None: all of them, as the nav lists them). One query."""
    rows = Team.objects.filter(_holding_words("name", search)).order_by("name", "pk")
    if member is not None:
        rows = rows.filter(members=member)
    return list(rows.values_list("pk", "name")[:limit])


def get_team_option(*, team_id: int) -> str | None:
    """The name of the team a team picker may submit; None for an unknown id. One query."""
    return Team.objects.filter(pk=team_id).values_list("name", flat=True).first()


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


def get_contact_session_version(*, contact_id: int) -> int | None:
    """The contact's current messenger session version (None: no such contact); one query by primary key, made on
    every messenger request so that "Sign out everywhere" takes effect at once."""
    return Contact.objects.filter(pk=contact_id).values_list("session_version", flat=True).first()


def content_version(rows: Iterable[tuple[object, ...]]) -> str:
    """A customer live region's version: a short digest of exactly the fields it shows, so that it moves on a
    change the customer can see and on nothing else. A timestamp or a newest event id would also move on an
    internal note, an assignment or a move between two states of the same customer label, and the version is in
    the customer's page: it must not tell them that something happened behind the scenes."""
    text = "\n".join(sorted(repr(row) for row in rows))
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def _contact_conversations(contact_id: int) -> QuerySet[Conversation]:
    # By the last message or reply, not `updated_at`: a note, an event or an assignment also changes that.
    last_visible = Max("parts__created_at", filter=Q(parts__kind__in=CUSTOMER_VISIBLE_PART_KINDS))
    return (
        Conversation.objects.filter(contact_id=contact_id)
        .annotate(last_visible_at=Coalesce(last_visible, "created_at"))
        .order_by("-last_visible_at", "-pk")
    )


def list_contact_conversations(*, contact_id: int, limit: int = 50) -> list[Conversation]:
    """The contact's own conversations, the one with the latest message or reply (`last_visible_at`) first."""
    return list(_contact_conversations(contact_id)[:limit])


def get_contact_conversations_version(*, contact_id: int, limit: int = 50) -> str:
    """The version of the contact's conversation list (content_version of what it shows). One query."""
    # The stubs cannot see the annotation through the helper's return type.
    rows = _contact_conversations(contact_id).values_list("pk", "subject", "last_visible_at")[:limit]  # type: ignore[misc]
    return content_version(rows)


def get_contact_conversation(*, contact_id: int, conversation_id: int) -> Conversation:
    """One of the contact's conversations; anyone else's is NotFound, exactly like one that does not exist."""
    conversation = Conversation.objects.filter(pk=conversation_id, contact_id=contact_id).first()
    if conversation is None:
        raise NotFound("That conversation does not exist.")
    return conversation


def get_customer_thread_version(*, contact_id: int, conversation_id: int) -> int:
    """The newest message or reply of one of the contact's conversations (0: none), the version of its thread in
    the messenger: a note, an event or a cross-post never moves it. One query. Raises NotFound for anyone
    else's conversation, exactly like one that does not exist."""
    row = (
        Conversation.objects.filter(pk=conversation_id, contact_id=contact_id)
        .annotate(last=Max("parts__pk", filter=Q(parts__kind__in=CUSTOMER_VISIBLE_PART_KINDS)))
        .values("last")
        .first()
    )
    if row is None:
        raise NotFound("That conversation does not exist.")
    return row["last"] or 0


def list_customer_visible_parts(*, conversation_id: int) -> list[Part]:
    """The contact's messages and teammates' replies, oldest first, with their attachments: never notes, events or
    cross-posts. Two queries (one without parts)."""
    return list(
        Part.objects.filter(conversation_id=conversation_id, kind__in=CUSTOMER_VISIBLE_PART_KINDS)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("created_at", "pk")
    )


def get_messenger_installation() -> MessengerInstallation:
    """The website messenger's settings (one row, made by migration); without the row, an unsaved one with no
    secret and no origins, which verifies nobody and may be framed nowhere."""
    return MessengerInstallation.objects.filter(pk=1).first() or MessengerInstallation(secret="", allowed_origins="")


def get_lead_session_version(*, contact_id: int) -> int | None:
    """The session version of the lead `contact_id` (None: no such lead), for its cookie (inbox.embed)."""
    return Contact.objects.filter(pk=contact_id, is_lead=True).values_list("session_version", flat=True).first()


@dataclass(frozen=True, slots=True)
class CustomerAttachment:
    """A file as its customer may download it: only what serving it needs, of a part they can see."""

    id: int
    name: str
    content_type: str
    size: int
    file: FieldFile


def get_customer_attachment(*, contact_id: int, attachment_id: int) -> CustomerAttachment:
    """An attachment of one of the contact's own messages or of a reply to them (DESIGN.md section 4): never of a
    note, a cross-post or an event, never of another contact's conversation. Anything else is NotFound, exactly
    like a file that does not exist. One query."""
    attachment = Attachment.objects.filter(
        pk=attachment_id, part__kind__in=CUSTOMER_VISIBLE_PART_KINDS, part__conversation__contact_id=contact_id
    ).first()
    if attachment is None:
        raise NotFound("That file does not exist.")
    return CustomerAttachment(
        id=attachment.pk,
        name=attachment.name,
        content_type=attachment.content_type,
        size=attachment.size,
        file=attachment.file,
    )
