"""The inbox views: which conversations each lists, by keyset pages, and the nav's counts."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet, Sum

from helpdesk.errors import NotFound
from helpdesk.pagination import Cursor, Key, Page, paginate
from inbox.live import inbox_view_topic
from inbox.models import (
    Conversation,
    ConversationCount,
    ConversationState,
    OwnerCount,
    OwnerKind,
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


def slug_team_id(slug: str) -> int | None:
    """The id in a `team-<id>` view slug (inbox and ticket views), None for any other slug."""
    team_id = slug.removeprefix("team-")
    return int(team_id) if slug.startswith("team-") and team_id.isdigit() else None


def get_slug_team(slug: str) -> Team | None:
    """The team a `team-<id>` view slug names, None for any other slug or an unknown team."""
    team_id = slug_team_id(slug)
    return Team.objects.filter(pk=team_id).first() if team_id is not None else None


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


def list_expired_snooze_ids(*, now: datetime, limit: int) -> list[int]:
    """Snoozed conversations whose deadline has passed, earliest first."""
    return list(
        Conversation.objects.filter(state=ConversationState.SNOOZED, snoozed_until__lte=now)
        .order_by("snoozed_until")
        .values_list("pk", flat=True)[:limit]
    )
