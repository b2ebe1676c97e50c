"""The live scenario (issue 12): open tabs, each holding a real server-sent-events stream to uvicorn for the topics
its page shows, while changes are committed through the domain actions at a steady rate and published through
the outbox by a real Celery worker, as in production. For each tab count it measures what an idle tab costs,
how long a change takes from its commit to the tabs that show it, that no other tab hears of it, and the server
CPU each change costs.

The tabs (bench/live_tabs.py, a process of its own) are real pages: each one's page is rendered once, with what
its load triggers fetch, and its topics and regions are read from the HTML (bench/hx.py) as live.js reads them.
The first `min(BENCH_LIVE_TABS)` tabs show what the changes touch, spread over the views as teammates' tabs are
(All, Your inbox, Unassigned, team inboxes with a conversation open; team and own tickets with a ticket open); the
others show the lists and conversations of other teams, which the changes never touch. So the runs differ only by
tabs that do not show the changes: their CPU per change should be the same.

Env: BENCH_LIVE_TABS (default 500,100), BENCH_LIVE_RATE (changes/s, 20), BENCH_LIVE_SECONDS (60),
     BENCH_LIVE_IDLE_SECONDS (60), BENCH_LIVE_WORKERS (uvicorn processes, 2), BENCH_LIVE_FETCH_EVERY (every n-th
     tab showing changes performs its region fetches through gunicorn, 10; 0: none, they are only counted).
"""

import json
import os
import random
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import hx
import owned
from common import BENCH, ROOT
from live_figures import figures
from procs import LOG_DIR, Process, gunicorn, uvicorn, wait_for

TAB_COUNTS = [int(n) for n in os.environ.get("BENCH_LIVE_TABS", "500,100").split(",")]
RATE = float(os.environ.get("BENCH_LIVE_RATE", "20"))
LOAD_SECONDS = float(os.environ.get("BENCH_LIVE_SECONDS", "60"))
IDLE_SECONDS = float(os.environ.get("BENCH_LIVE_IDLE_SECONDS", "60"))
# Two: one per core of the machine the bench was written on, and more than one so that every publication must
# reach the streams through each process's hub (the Redis channel), as with any number of web processes.
WORKERS = int(os.environ.get("BENCH_LIVE_WORKERS", "2"))
FETCH_EVERY = int(os.environ.get("BENCH_LIVE_FETCH_EVERY", "10"))

HOT_TEAMS = list(range(1, 26))  # the teams whose lists and conversations the changes touch
COLD_TEAMS = list(range(26, 51))
SPACING_S = 3.0  # the same conversation or ticket changes at most this often: each publication is then one change's
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
SHOWN_SHARE = 0.6  # of the changes, to a conversation or ticket open in a tab; the others, to one only in lists


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


@dataclass
class Change:
    target: Target
    action: str
    committed: float = 0.0  # wall clock, at the commit


def cpu_seconds(*, groups: list[int] = (), pids: list[int] = ()) -> float:
    """utime + stime of the processes in these process groups (a server and its workers) and of these processes."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            rest = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone since the listing
        if int(rest[2]) in groups or int(stat.parent.name) in pids:
            total += int(rest[11]) + int(rest[12])
    return total / ticks


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


def act(change: Change, actor) -> None:
    """One committed change through its domain action; `committed` is stamped at the commit itself (the first
    on-commit callback, before the action's own enqueue to the broker)."""
    from django.db import transaction

    from inbox.actions import post_note, record_customer_message
    from tickets.actions import post_ticket_note

    def stamp() -> None:
        change.committed = time.time()

    with transaction.atomic():
        transaction.on_commit(stamp)
        pk = change.target.pk
        if change.action == "note":
            post_note(actor=actor, conversation_id=pk, body="Live bench: a note.")
        elif change.action == "customer message":
            record_customer_message(conversation_id=pk, body="Live bench: the customer writes again.")
        else:
            post_ticket_note(actor=actor, ticket_id=pk, body="Live bench: a ticket note.")


def make_changes(pool: list[Target], shown: set[str], rng: random.Random) -> list[Change]:
    """RATE changes a second for LOAD_SECONDS, on schedule (late ones are made at once); a conversation or ticket is
    changed again only SPACING_S later, so that each publication is one change's."""
    from inbox.models import Teammate

    actor = Teammate.objects.get(pk=1)
    in_tabs = [t for t in pool if t.keys & shown]
    busy: dict[str, float] = {}
    changes = []
    started = time.monotonic()
    for k in range(int(RATE * LOAD_SECONDS)):
        time.sleep(max(0.0, started + k / RATE - time.monotonic()))
        now = time.monotonic()
        for _ in range(100):
            target = rng.choice(in_tabs if rng.random() < SHOWN_SHARE else pool)
            if all(busy.get(key, 0) <= now for key in target.keys):
                break
        for key in target.keys:
            busy[key] = now + SPACING_S
        if target.kind == "ticket":
            action = "ticket note"
        else:
            action = rng.choice(["note", "customer message"]) if target.customer_writes else "note"
        change = Change(target, action)
        act(change, actor)
        changes.append(change)
    return changes


class TabsProcess(Process):
    """bench/live_tabs.py: the tabs, in a process of their own."""

    def __init__(self, spec_path: Path, out_path: Path):
        super().__init__(
            "live-tabs", [sys.executable, str(ROOT / "bench" / "live_tabs.py"), str(spec_path), str(out_path)]
        )
        self.out_path = out_path

    def start(self, *, timeout: float = 300) -> "TabsProcess":
        self.process = subprocess.Popen(
            self.args, cwd=ROOT, env=self.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self.log_path.open("a"), text=True, start_new_session=True,
        )  # fmt: skip
        line = self.process.stdout.readline().strip()
        if line != "ready":
            self.kill()
            raise RuntimeError(f"the tabs did not open their streams (see {self.log_path}): {line!r}")
        return self

    def finish(self) -> dict:
        self.process.stdin.write("stop\n")
        self.process.stdin.flush()
        self.process.wait(timeout=120)
        return json.loads(self.out_path.read_text())


def spec_for(tabs: list[Tab], *, since: int) -> dict:
    from django.conf import settings

    return {
        "host": BENCH.web_host,
        "port": BENCH.stream_port,
        "web": {"host": BENCH.web_host, "port": BENCH.web_port},
        "redis": {"host": BENCH.redis.host, "port": BENCH.redis.port},
        "channel": f"{settings.LIVE_PREFIX}:changes",
        "stream_path": "/live/stream/",
        "open_timeout": 120,
        "tabs": [
            {
                "id": i,
                "cookie": tab.cookie,
                # As if each page had just been rendered: every topic known up to now.
                "sinces": dict.fromkeys(sorted(tab.topics), since),
                "regions": [
                    {"topics": r.topics, "url": r.url, "target": r.target, "throttle_ms": r.throttle_ms}
                    for r in tab.regions
                ],
                "fetch": bool(FETCH_EVERY) and tab.hot and i % FETCH_EVERY == 0,
            }
            for i, tab in enumerate(tabs)
        ],
    }


def run(tabs: list[Tab], pool: list[Target], celery: Process) -> dict:
    """One tab count: open the tabs' streams, stay idle IDLE_SECONDS, then make the changes; measure."""
    from helpdesk.live import backend
    from helpdesk.models import OutboxEvent

    fetching = any(FETCH_EVERY and tab.hot and i % FETCH_EVERY == 0 for i, tab in enumerate(tabs))
    for port in (BENCH.stream_port, *([BENCH.web_port] if fetching else [])):
        if owned.port_in_use(BENCH.web_host, port):
            sys.exit(f"bench: {BENCH.web_host}:{port} is in use by something the bench did not start: set BENCH_PORT")
    streams = uvicorn(host=BENCH.web_host, port=BENCH.stream_port, workers=WORKERS).start()
    web = gunicorn(host=BENCH.web_host, port=BENCH.web_port, workers=2).start() if fetching else None
    redis_pid = BENCH.redis.recorded_pid() or 0
    spec_path, out_path = LOG_DIR / f"live-spec-{len(tabs)}.json", LOG_DIR / f"live-tabs-{len(tabs)}.json"
    spec_path.write_text(json.dumps(spec_for(tabs, since=backend().current())))
    sim = TabsProcess(spec_path, out_path)
    try:
        print(f"  {len(tabs)} tabs open their streams ...", file=sys.stderr)
        opening = time.monotonic()
        sim.start()
        opened_s = time.monotonic() - opening

        def cpu() -> dict[str, float]:
            return {
                "uvicorn": cpu_seconds(groups=[streams.process.pid]),
                "celery": cpu_seconds(groups=[celery.process.pid]),
                "redis": cpu_seconds(pids=[redis_pid]),
                "tabs": cpu_seconds(groups=[sim.process.pid]),
                "gunicorn": cpu_seconds(groups=[web.process.pid]) if web else 0.0,
                "bench": time.process_time(),  # this process: the changes themselves, through the actions
            }

        print(f"  idle for {IDLE_SECONDS:.0f} s ...", file=sys.stderr)
        cpu0, t0 = cpu(), time.time()
        time.sleep(IDLE_SECONDS)
        cpu1, t1 = cpu(), time.time()
        print(f"  {RATE:g} changes/s for {LOAD_SECONDS:.0f} s ...", file=sys.stderr)
        last_event = OutboxEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        shown = set().union(*(tab.topics for tab in tabs))
        changes = make_changes(pool, shown, random.Random(12))
        t2 = time.time()
        changes_path = LOG_DIR / f"live-changes-{len(tabs)}.json"  # with the tabs' record, to look into a run
        changes_path.write_text(json.dumps([[c.action, c.target.kind, c.target.pk, c.committed] for c in changes]))
        pending = OutboxEvent.objects.filter(pk__gt=last_event, done_at__isnull=True)
        wait_for(lambda: not pending.exists(), timeout=300, interval=0.1, what="outbox drained")
        time.sleep(2)  # the last publications on their way to the tabs
        cpu2, t3 = cpu(), time.time()
        record = sim.finish()
    finally:
        sim.kill()
        streams.stop()
        if web:
            web.stop()
    windows = {"opened_s": opened_s, "idle": (t0, t1), "load": (t1, t3), "changes_s": t2 - t1}
    return {"uvicorn_workers": WORKERS} | figures(tabs, changes, record, windows, cpu=(cpu0, cpu1, cpu2))


def measure_live(celery: Process) -> dict:
    """Every tab count of BENCH_LIVE_TABS, on the same tabs: the first min(BENCH_LIVE_TABS) show the changes."""
    from django.conf import settings

    if not settings.LIVE_REDIS_URL:
        sys.exit("bench: the live scenario needs Redis (LIVE_REDIS_URL or a redis:// broker)")
    rng = random.Random(12)
    n_hot, n_all = min(TAB_COUNTS), max(TAB_COUNTS)
    print(f"live updates: {n_all} tabs ({n_hot} showing what changes) ...", file=sys.stderr)
    tabs, pool = pick_tabs(n_hot, n_all - n_hot, rng, Pages())
    results = {}
    for count in TAB_COUNTS:
        print(f" {count} tabs:", file=sys.stderr)
        result = results[str(count)] = run(tabs[:count], pool, celery)
        screen = result["change_to_screen_ms"]
        print(
            f"  {result['changes_per_s']} changes/s, change to screen p50 {screen['p50']} p95 {screen['p95']} "
            f"p99 {screen['p99']} ms over {screen['n']} deliveries ({result['deliveries_missed']} missed), "
            f"{result['events_to_tabs_not_showing_it']} events to tabs not showing it, "
            f"{result['server_cpu_ms_per_change']} ms server CPU per change, idle requests/tab/min "
            f"{result['idle_requests_per_tab_per_min']}",
            file=sys.stderr,
        )
    return results
