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
from pathlib import Path

import owned
from common import BENCH, ROOT
from live_changes import LOAD_SECONDS, RATE, make_changes
from live_figures import figures
from live_pages import Pages, Tab, Target, pick_tabs
from procs import LOG_DIR, Process, cpu_seconds, gunicorn, uvicorn, wait_for

TAB_COUNTS = [int(n) for n in os.environ.get("BENCH_LIVE_TABS", "500,100").split(",")]
IDLE_SECONDS = float(os.environ.get("BENCH_LIVE_IDLE_SECONDS", "60"))
# Two: one per core of the machine the bench was written on, and more than one so that every publication must
# reach the streams through each process's hub (the Redis channel), as with any number of web processes.
WORKERS = int(os.environ.get("BENCH_LIVE_WORKERS", "2"))
FETCH_EVERY = int(os.environ.get("BENCH_LIVE_FETCH_EVERY", "10"))


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
