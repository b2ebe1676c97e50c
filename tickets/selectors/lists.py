"""The ticket views: the nav's counts, each view's tickets by keyset pages, where a ticket opens."""

from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    Q,
)

from helpdesk.errors import NotFound
from helpdesk.pagination import Cursor, Key, Page, paginate
from inbox.models import Teammate
from inbox.selectors import (
    PAGE_SIZE,
    NavItem,
    count_by_owner,
    get_slug_team,
)
from tickets.live import ticket_view_topic
from tickets.models import (
    StateCategory,
    Ticket,
    TicketCategory,
    TicketCount,
    TicketState,
)
from tickets.selectors.common import UNRESOLVED


def list_ticket_nav(*, teammate: Teammate, teams: list[tuple[int, str]]) -> list[NavItem]:
    """The fixed ticket views (TICKET_VIEWS) and each of `teams`' tickets (inbox.selectors.list_team_options), with
    their exact unresolved counts, read from the counts the database keeps (TicketCount). One query."""
    unresolved = TicketCount.objects.filter(
        state_id__in=TicketState.objects.exclude(category=StateCategory.RESOLVED).values("pk")
    )
    totals, team_totals = count_by_owner(
        unresolved, teammate=teammate, teams=teams, split_by="category", trackers=TicketCategory.TRACKER
    )
    return [
        NavItem(slug, label, totals[slug], ticket_view_topic(slug, teammate_id=teammate.pk))
        for slug, (label, _condition) in TICKET_VIEWS.items()
    ] + [
        NavItem(f"team-{team_id}", f"{name} tickets", total, f"tickets-team-{team_id}")
        for team_id, name, total in team_totals
    ]


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
    """One of the ticket views: a fixed one (TICKET_VIEWS) or `team-<id>`, every ticket of that team."""

    slug: str
    label: str
    condition: Q


# The ticket views every teammate has, by slug; "mine" reads the teammate's own id.
TICKET_VIEWS: dict[str, tuple[str, Q]] = {
    "mine": ("Your tickets", Q()),
    "all": ("All tickets", Q()),
    "unassigned": ("Unassigned tickets", Q(assignee__isnull=True)),
    "trackers": ("Trackers", Q(category=TicketCategory.TRACKER)),
}


def get_ticket_view(*, teammate: Teammate, slug: str) -> TicketView:
    """The ticket view named by `slug`. Raises NotFound for an unknown slug or team."""
    if slug == "mine":
        return TicketView(slug, "Your tickets", Q(assignee=teammate))
    if slug in TICKET_VIEWS:
        return TicketView(slug, *TICKET_VIEWS[slug])
    team = get_slug_team(slug)
    if team is None:
        raise NotFound("That ticket view does not exist.")
    return TicketView(slug, f"{team.name} tickets", Q(team=team))


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


def get_ticket_home(*, ticket_id: int, teammate: Teammate | None = None) -> str:
    """The ticket view a ticket opens in: its team's, else All tickets; for a back-office-only `teammate`, "Your
    tickets" when the team is not one of its own (the ticket is assigned to it). Raises NotFound."""
    team_id = Ticket.objects.filter(pk=ticket_id).values_list("team_id", flat=True)
    if not team_id:
        raise NotFound(f"Ticket #{ticket_id} does not exist.")
    if teammate is not None and teammate.back_office_only and not teammate.teams.filter(pk=team_id[0]).exists():
        return "mine"
    return f"team-{team_id[0]}" if team_id[0] else "all"
