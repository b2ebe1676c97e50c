"""Measure the seeded help desk: server time and queries per request of the main pages, cross-post
latency through the bench's own Redis and a real Celery worker, sustained cross-posted notes per second through
gunicorn on loopback, live updates to open tabs (bench/live.py), whole page loads per second
(bench/page_loads.py), search (bench/search.py) and the JSON API (bench/api.py). Prints a table and writes
bench/results.json.

Usage: BENCH_SCALE=0.01 .venv/bin/python bench/measure.py   (run bench/seed.py first; `make bench` does both)
Env: BENCH_ONLY (some of pages,latency,throughput,live,page_loads,search,api: only those are measured again, the other
     figures of the results file are kept; default all), BENCH_REQUESTS (per page, default 200), BENCH_LATENCY_NOTES
     (default 300), BENCH_THROUGHPUT_SECONDS (default 60), BENCH_CLIENTS (default 8), BENCH_WEB_WORKERS (default 3),
     BENCH_CELERY_CONCURRENCY (default 2); BENCH_LIVE_* in bench/live.py, BENCH_PAGE_LOAD_* in bench/page_loads.py,
     BENCH_SEARCH_* in bench/search.py, BENCH_API_* in bench/api.py;
     BENCH_PORT, BENCH_REDIS_PORT, BENCH_DATABASE_URL: bench/owned.py.
"""

import http.client
import json
import os
import platform
import random
import subprocess
import sys
import threading
import time
import urllib.parse
from functools import partial

import owned
from common import (
    BENCH,
    ROOT,
    SCALE,
    SEED_VERSION,
    bench_redis_or_exit,
    percentiles,
    setup_django,
    sizes,
    time_requests,
)

setup_django()

from api import measure_api  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from live import measure_live  # noqa: E402
from page_loads import measure_page_loads  # noqa: E402
from procs import celery_worker, gunicorn, wait_for  # noqa: E402
from search import measure_search  # noqa: E402
from table import table  # noqa: E402

from helpdesk.models import OutboxEvent  # noqa: E402
from helpdesk.pagination import encode_cursor, order_by  # noqa: E402
from helpdesk.tasks import sweep_outbox  # noqa: E402
from inbox.models import Conversation, ConversationState, Part, PartKind, Teammate  # noqa: E402
from inbox.selectors import ORDERINGS, Sort  # noqa: E402
from tickets.actions import post_ticket_note  # noqa: E402
from tickets.models import Ticket, TicketCategory, TicketPart  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
LATENCY_NOTES = int(os.environ.get("BENCH_LATENCY_NOTES", "300"))
THROUGHPUT_SECONDS = float(os.environ.get("BENCH_THROUGHPUT_SECONDS", "60"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
WEB_WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "3"))
CELERY_CONCURRENCY = int(os.environ.get("BENCH_CELERY_CONCURRENCY", "2"))
PARTS = ("pages", "latency", "throughput", "live", "page_loads", "search", "api")
ONLY = [part.strip() for part in os.environ.get("BENCH_ONLY", "").split(",") if part.strip()] or list(PARTS)

rng = random.Random(6)


def machine() -> dict:
    mem = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()[1].split()[1]
    cpu = ""
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    return {
        "cores": os.cpu_count(),
        "memory": mem,
        "cpu": cpu,
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": pg,
    }


def ids() -> dict:
    size = sizes()
    bo = size["back_office"]
    return {
        "conversations": size["conversations"],
        # Conversation 10 j - 9 has back-office ticket j (bench/seed.py): the split view with a ticket beside it.
        "bo_tickets": bo,
    }


def deep_cursor(*, rows: int) -> str:
    """The cursor after the `rows`-th open conversation of All, newest first: what Next carries that deep. Found
    once, by offset; the page it opens reads by keyset."""
    keys = ORDERINGS[Sort.NEWEST]
    row = Conversation.objects.filter(state=ConversationState.OPEN).order_by(*order_by(keys))[rows - 1]
    return encode_cursor(row, keys=keys)


def measure_pages(user: Teammate, known: dict) -> dict:
    client = Client()
    client.force_login(user)
    n_bo = known["bo_tickets"]
    team = lambda: rng.randint(1, 50)  # noqa: E731
    bo_ticket = lambda: rng.randint(1, n_bo)  # noqa: E731
    htmx_list = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "conversation-list"}
    deep = urllib.parse.quote(deep_cursor(rows=1000))
    pages = {
        "inbox list: Your inbox (page)": lambda: client.get("/inbox/mine/"),
        "inbox list: Unassigned (page)": lambda: client.get("/inbox/unassigned/"),
        "inbox list: All (page)": lambda: client.get("/inbox/all/"),
        "inbox list: team inbox (page)": lambda: client.get(f"/inbox/team-{team()}/"),
        "inbox list: All, snoozed, oldest (htmx)": lambda: client.get(
            "/inbox/all/?state=snoozed&sort=oldest", **htmx_list
        ),
        "inbox list: team, waiting longest (htmx)": lambda: client.get(
            f"/inbox/team-{team()}/?sort=waiting", **htmx_list
        ),
        "inbox list: All, waiting longest (htmx)": lambda: client.get("/inbox/all/?sort=waiting", **htmx_list),
        "inbox list: Unassigned, waiting longest (htmx)": lambda: client.get(
            "/inbox/unassigned/?sort=waiting", **htmx_list
        ),
        "inbox list: All, 1,000 rows deep (htmx)": lambda: client.get(f"/inbox/all/?after={deep}", **htmx_list),
        "nav counts (/nav/)": lambda: client.get("/nav/"),
        "split view: conversation (page)": lambda: client.get(f"/inbox/all/{10 * bo_ticket() - 9}/"),
        "split view: open a conversation (htmx main pane)": lambda: client.get(
            f"/inbox/all/{10 * bo_ticket() - 9}/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="main"
        ),
        "split view: ticket side (htmx)": lambda: client.get(f"/conversations/{10 * bo_ticket() - 9}/tickets/"),
        "back-office ticket view (page)": lambda: client.get(f"/tickets/team-{team()}/{bo_ticket()}/"),
        "ticket list: team tickets (page)": lambda: client.get(f"/tickets/team-{team()}/"),
        "post note with cross-post": lambda: client.post(
            f"/tickets/{bo_ticket()}/notes/", {"body": "Bench note, cross-posted.", "cross_post": "1"}
        ),
    }
    print(f"server time per request, {REQUESTS} requests each (in-process, test client):", file=sys.stderr)
    return {label: time_requests(client, label, request, REQUESTS) for label, request in pages.items()}


def outbox_pending() -> int:
    return OutboxEvent.objects.filter(done_at__isnull=True).count()


def stamp(mark: dict) -> None:
    mark["t"] = time.perf_counter()


def measure_latency(user: Teammate, known: dict) -> dict:
    """Sequential notes: from the note's commit to its cross-post being visible (committed) in the conversation."""
    latencies = []
    print(f"cross-post latency over {LATENCY_NOTES} notes (Redis + Celery worker):", file=sys.stderr)
    for _ in range(LATENCY_NOTES):
        ticket_id = rng.randint(1, known["bo_tickets"])
        conversation_id = 10 * ticket_id - 9
        mark = {}
        with transaction.atomic():
            # Registered first, so it runs at the commit, before the enqueue the action registers.
            transaction.on_commit(partial(stamp, mark))
            note = post_ticket_note(actor=user, ticket_id=ticket_id, body="Latency probe", cross_post=True)
        visible = Part.objects.filter(
            conversation_id=conversation_id, kind=PartKind.CROSS_POST, data__ticket_part_id=note.pk
        )
        wait_for(visible.exists, timeout=30, interval=0.001, what="cross-post visible")
        latencies.append((time.perf_counter() - mark["t"]) * 1000)
    result = percentiles(latencies)
    print(f"  p50 {result['p50']} ms  p95 {result['p95']} ms  p99 {result['p99']} ms", file=sys.stderr)
    return result


def session_cookie(user: Teammate) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def measure_throughput(user: Teammate, known: dict) -> dict:
    """Clients POST cross-posted notes to gunicorn for THROUGHPUT_SECONDS; then every cross-post must land."""
    csrf = "b" * 32
    cookie = f"{settings.SESSION_COOKIE_NAME}={session_cookie(user)}; {settings.CSRF_COOKIE_NAME}={csrf}"
    headers = {
        "Cookie": cookie,
        "X-CSRFToken": csrf,
        "Content-Type": "application/x-www-form-urlencoded",
        "HX-Request": "true",
    }
    body = urllib.parse.urlencode({"body": "Throughput note, cross-posted.", "cross_post": "1"})
    if owned.port_in_use(BENCH.web_host, BENCH.web_port):
        sys.exit(
            f"bench: {BENCH.web_host}:{BENCH.web_port} is in use by something the bench did not start: set BENCH_PORT"
        )
    web = gunicorn(host=BENCH.web_host, port=BENCH.web_port, workers=WEB_WORKERS).start()
    first_part = TicketPart.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    first_event = OutboxEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    counts, errors, times = [0] * CLIENTS, [0] * CLIENTS, [[] for _ in range(CLIENTS)]
    stop_at = time.monotonic() + THROUGHPUT_SECONDS

    def client(i: int) -> None:
        local = random.Random(i)
        conn = http.client.HTTPConnection(BENCH.web_host, BENCH.web_port, timeout=30)
        while time.monotonic() < stop_at:
            ticket_id = local.randint(1, known["bo_tickets"])
            t0 = time.perf_counter()
            try:
                conn.request("POST", f"/tickets/{ticket_id}/notes/", body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection(BENCH.web_host, BENCH.web_port, timeout=30)
            times[i].append((time.perf_counter() - t0) * 1000)
            if ok:
                counts[i] += 1
            else:
                errors[i] += 1

    print(
        f"throughput: {CLIENTS} clients -> gunicorn ({WEB_WORKERS} workers) for {THROUGHPUT_SECONDS:.0f} s ...",
        file=sys.stderr,
    )
    t0 = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - t0
    web.stop()
    posted = sum(counts)
    notes = TicketPart.objects.filter(pk__gt=first_part, cross_posted=True, body="Throughput note, cross-posted.")
    events = OutboxEvent.objects.filter(pk__gt=first_event, handler="tickets.handlers.cross_post_note")
    t_drain = time.monotonic()
    wait_for(lambda: not events.filter(done_at__isnull=True).exists(), timeout=600, interval=0.5, what="outbox drained")
    drain = time.monotonic() - t_drain
    note_ids = list(notes.values_list("pk", flat=True))
    delivered = Part.objects.filter(
        kind=PartKind.CROSS_POST, source_key__startswith="event:", pk__gt=0, data__ticket_part_id__in=note_ids
    )
    # The cross-posts land in conversations 10 j - 9; count per note, to see duplicates too.
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*), count(DISTINCT (data->>'ticket_part_id')) FROM inbox_part
               WHERE kind = 'cross_post' AND id > %s AND (data->>'ticket_part_id')::bigint = ANY(%s)""",
            [0, note_ids],
        )
        delivered_total, delivered_distinct = cursor.fetchone()
    del delivered
    result = {
        "seconds": round(elapsed, 1),
        "clients": CLIENTS,
        "web_workers": WEB_WORKERS,
        "celery_concurrency": CELERY_CONCURRENCY,
        "notes_posted_ok": posted,
        "notes_in_db": len(note_ids),
        "http_errors": sum(errors),
        "notes_per_second": round(posted / elapsed, 1),
        "request_ms": percentiles([t for per in times for t in per]),
        "cross_posts_delivered": delivered_total,
        "cross_posts_distinct": delivered_distinct,
        "drain_seconds_after_load": round(drain, 1),
    }
    print(
        f"  {result['notes_per_second']} notes/s ({posted} ok, {result['http_errors']} errors), delivered "
        f"{delivered_total}/{len(note_ids)} (distinct {delivered_distinct}), drained {drain:.1f} s after the load",
        file=sys.stderr,
    )
    return result


def main() -> None:
    if unknown := set(ONLY) - set(PARTS):
        sys.exit(f"bench: BENCH_ONLY names no part {', '.join(sorted(unknown))}; the parts are {', '.join(PARTS)}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT scale, version, timings FROM bench_meta")
        row = cursor.fetchone()
    if not row or row[:2] != (SCALE, SEED_VERSION):
        sys.exit(f"the bench database is not seeded at scale {SCALE} (seed version {SEED_VERSION}): run bench/seed.py")
    out = ROOT / "bench" / ("results.json" if SCALE == 1.0 else f"results-{SCALE:g}.json")
    # Some parts only: the others' figures stay as the last run measured them (when, in `measured`).
    results = json.loads(out.read_text()) if set(ONLY) != set(PARTS) and out.exists() else {}
    if results.get("scale") != SCALE:
        results = {}
    # The bench's own Redis (never the services'): started here, emptied of anything an earlier run left.
    redis = bench_redis_or_exit()
    redis.flushdb()
    # Events an earlier run left pending lost their queued tasks with the flush: sent again, as beat's sweep would.
    sweep_outbox()
    user = Teammate.objects.get(pk=1)
    known = ids()
    assert Ticket.objects.filter(pk=known["bo_tickets"], category=TicketCategory.BACK_OFFICE).exists()
    assert Conversation.objects.filter(pk=known["conversations"]).exists()
    seed_seconds = json.loads(row[2]) if isinstance(row[2], str) else row[2]  # Django reads jsonb as text
    results |= {"scale": SCALE, "size": sizes(), "machine": machine(), "seed_seconds": seed_seconds}
    measured = results.setdefault("measured", {})

    def measure(part: str, run) -> None:
        if part not in ONLY:
            return
        started = time.monotonic()
        wait_for(lambda: outbox_pending() == 0, timeout=600, interval=0.2, what="outbox drained")
        results[part_key[part]] = run()
        measured[part] = {
            "at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
            "seconds": round(time.monotonic() - started),
        }

    part_key = {
        "pages": "pages",
        "latency": "cross_post_latency_ms",
        "throughput": "throughput",
        "live": "live",
        "page_loads": "page_loads",
        "search": "search",
        "api": "api",
    }
    worker = celery_worker(concurrency=CELERY_CONCURRENCY).start()
    try:
        if "pages" in ONLY:
            results["requests_per_page"] = REQUESTS
        measure("pages", lambda: measure_pages(user, known))
        measure("latency", lambda: measure_latency(user, known))
        if THROUGHPUT_SECONDS > 0:
            measure("throughput", lambda: measure_throughput(user, known))
        measure("live", lambda: measure_live(worker))
        cookie = f"{settings.SESSION_COOKIE_NAME}={session_cookie(user)}"
        measure("page_loads", lambda: measure_page_loads(cookie, known["bo_tickets"]))
        measure("search", lambda: measure_search(user))
        measure("api", lambda: measure_api(user, known["bo_tickets"], worker))
    finally:
        worker.stop()
        redis.stop()
    results["measured_at"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))
    print(f"\nwritten {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
