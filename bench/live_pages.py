"""The live scenario's tabs (bench/live.py): which pages are open, as whose, and what each shows. Each tab's page
is rendered once, in-process, and its topics and regions read from its HTML (bench/hx.py) as live.js reads them;
the conversations and tickets the changes go to are chosen among those the tabs show (and some only in lists)."""

import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field

import hx

HOT_TEAMS = list(range(1, 26))  # the teams whose lists and conversations the changes touch
COLD_TEAMS = list(range(26, 51))
# Views of the tabs that show the changes, with their share; the tabs that do not show them are team views.
HOT_VIEWS = {
    "inbox: All": 0.25,
    "inbox: Your inbox": 0.15,
    "inbox: Unassigned": 0.10,
    "inbox: team": 0.25,
    "tickets: team": 0.15,
    "tickets: Your tickets": 0.10,
}
COLD_VIEWS = {"inbox: other team": 0.75, "tickets: other team": 0.25}


@dataclass
class Tab:
    view: str
    url: str
    user_id: int
    hot: bool
    cookie: str = ""
    topics: set[str] = field(default_factory=set)
    regions: list[hx.Region] = field(default_factory=list)
    requests: int = 0  # to render the page, with what its load triggers fetch


@dataclass(frozen=True)
class Target:
    kind: str  # "conversation" or "ticket"
    pk: int
    touched: frozenset[str]  # the topics a note on it touches (its app's topics_of function)
    customer_writes: bool = False  # a conversation whose customer may write in it (see pick_tabs)

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(t for t in self.touched if t.startswith(("conversation-", "ticket-")))


class Pages:
    """Renders pages in-process as each tab's teammate, to read what the tab follows."""

    def __init__(self) -> None:
        self.clients: dict[int, object] = {}

    def client(self, user_id: int):
        from django.test import Client

        from inbox.models import Teammate

        if user_id not in self.clients:
            client = Client()
            client.force_login(Teammate.objects.get(pk=user_id))
            self.clients[user_id] = client
        return self.clients[user_id]

    def open(self, tab: Tab) -> Tab:
        from django.conf import settings

        client = self.client(tab.user_id)

        def get(url: str, target: str | None) -> tuple[int, str]:
            extra = {} if target is None else {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": target}
            response = client.get(url, **extra)
            return response.status_code, response.content.decode()

        loaded = hx.page_load(get, tab.url)
        if bad := [(url, status) for url, status, _ in loaded if status != 200]:
            raise RuntimeError(f"the page of a tab did not load: {bad}")
        sinces, tab.regions = hx.live_view([html for _, _, html in loaded])
        tab.topics, tab.requests = set(sinces), len(loaded)
        tab.cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        return tab


def touched(kind: str, pk: int) -> frozenset[str]:
    from inbox.live import conversation_touched
    from tickets.live import ticket_touched

    if kind == "conversation":
        return frozenset(conversation_touched(pk, counted=False).topics)
    return frozenset(ticket_touched(pk, counted=False).topics)


def pick_tabs(n_hot: int, n_cold: int, rng: random.Random, pages: Pages) -> tuple[list[Tab], list[Target]]:
    """The tabs (those showing the changes first) and the conversations and tickets the changes go to."""
    from inbox.models import Conversation, ConversationState, Teammate
    from tickets.models import Ticket, TicketCategory

    # Not a customer ticket's thread: the customer's message would move the ticket, waiting on them, back to in
    # progress, and a state change changes the nav's counts, which every tab shows (the changes here change no count).
    open_conversations = Conversation.objects.filter(
        state=ConversationState.OPEN, customer_ticket__isnull=True
    ).order_by("pk")
    hot_conversations = list(
        open_conversations.filter(team_id__in=HOT_TEAMS).values("pk", "team_id", "assignee_id")[:3000]
    )
    back_office = Ticket.objects.filter(category=TicketCategory.BACK_OFFICE).order_by("pk")
    hot_tickets = list(
        back_office.filter(
            team_id__in=HOT_TEAMS,
            linked_conversation__team_id__in=HOT_TEAMS,
            linked_conversation__state=ConversationState.OPEN,
        ).values("pk", "team_id", "assignee_id", "linked_conversation_id")[:1000]
    )
    members = defaultdict(list)
    for user_id, team_id in Teammate.objects.filter(is_active=True, is_staff=True).values_list("pk", "teams"):
        members[team_id].append(user_id)
    hot_users = [u for t in HOT_TEAMS for u in members[t]]

    def conversation_tab(view: str) -> Tab:
        row = rng.choice([c for c in hot_conversations if view != "inbox: Unassigned" or c["assignee_id"] is None])
        if view == "inbox: Your inbox" and row["assignee_id"] is None:
            return conversation_tab(view)
        slug = {"inbox: All": "all", "inbox: Unassigned": "unassigned", "inbox: Your inbox": "mine"}.get(view)
        slug = slug or f"team-{row['team_id']}"
        user = row["assignee_id"] if slug == "mine" else rng.choice(members[row["team_id"]] or hot_users)
        return Tab(view, f"/inbox/{slug}/{row['pk']}/", user, hot=True)

    def ticket_tab(view: str) -> Tab:
        row = rng.choice([t for t in hot_tickets if view != "tickets: Your tickets" or t["assignee_id"]])
        if view == "tickets: Your tickets":
            return Tab(view, f"/tickets/mine/{row['pk']}/", row["assignee_id"], hot=True)
        return Tab(view, f"/tickets/team-{row['team_id']}/{row['pk']}/", rng.choice(members[row["team_id"]]), hot=True)

    tabs = []
    for view, share in HOT_VIEWS.items():
        for _ in range(round(share * n_hot)):
            tabs.append(conversation_tab(view) if view.startswith("inbox") else ticket_tab(view))
    tabs = tabs[:n_hot]
    started = time.monotonic()
    for i, tab in enumerate(tabs):
        pages.open(tab)
        progress("rendering the tabs' pages", i + 1, n_hot + n_cold, started)

    # What the changes go to: the conversations and tickets open in those tabs, and others of the same teams (in
    # their lists only).
    targets = {("conversation", c["pk"]) for c in rng.sample(hot_conversations, min(600, len(hot_conversations)))}
    targets |= {("ticket", t["pk"]) for t in rng.sample(hot_tickets, min(300, len(hot_tickets)))}
    for tab in tabs:
        for topic in tab.topics:
            kind, _, pk = topic.partition("-")
            if kind in ("conversation", "ticket") and pk.isdecimal():
                targets.add((kind, int(pk)))
    # The customer writes only where no ticket shown to them waits on them: their message would move it back to in
    # progress, a state change, which changes counts that every tab's nav shows.
    conversations = [pk for kind, pk in targets if kind == "conversation"]
    shared = set(
        Ticket.objects.filter(is_shared=True, linked_conversation_id__in=conversations).values_list(
            "linked_conversation_id", flat=True
        )
    )
    pool = [
        Target(kind, pk, touched(kind, pk), customer_writes=kind == "conversation" and pk not in shared)
        for kind, pk in sorted(targets)
    ]
    reach = frozenset().union(*(target.touched for target in pool))

    # The other tabs: other teams' inboxes and tickets, each with one of them open; a page that would show any topic
    # the changes touch (it happens: a ticket's linked conversation in a team that the changes touch) is not taken.
    cold_conversations = list(open_conversations.filter(team_id__in=COLD_TEAMS).values("pk", "team_id")[:5000])
    cold_tickets = list(back_office.filter(team_id__in=COLD_TEAMS).values("pk", "team_id")[:2000])
    cold, refused = [], 0
    views = [view for view, share in COLD_VIEWS.items() for _ in range(round(share * 100))]
    while len(cold) < n_cold:
        view = views[len(cold) % len(views)]
        row = rng.choice(cold_conversations if view.startswith("inbox") else cold_tickets)
        path = "inbox" if view.startswith("inbox") else "tickets"
        tab = pages.open(
            Tab(view, f"/{path}/team-{row['team_id']}/{row['pk']}/", rng.choice(members[row["team_id"]]), hot=False)
        )
        if tab.topics & reach:
            refused += 1
            if refused > 10 * n_cold + 100:
                raise RuntimeError("could not find pages of other teams that the changes do not touch")
            continue
        cold.append(tab)
        progress("rendering the tabs' pages", n_hot + len(cold), n_hot + n_cold, started)
    return tabs + cold, pool


def progress(label: str, done: int, total: int, started: float) -> None:
    if done % 50 and done != total:
        return
    sys.stderr.write(f"\r  {label}: {done}/{total} ({time.monotonic() - started:.0f} s)")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()
