"""Fault drills on loopback, bounded in time: cross-posted notes and state changes while the Celery worker
is SIGKILLed every few seconds and restarted, then while Redis is down for 30 s; then a count proves
every cross-post and every state event was delivered exactly once. Exits 1 on any loss or duplicate.

The Redis they take down is their own (bench/owned.py: a redis-server they start on BENCH_REDIS_PORT and stop by
the process id they recorded), never the services' Redis nor any other; the database is the bench's own.

Usage: BENCH_SCALE=0.01 .venv/bin/python bench/drills.py   (`make drills` seeds first)
Env: DRILL_NOTES (default 5000), DRILL_KILL_EVERY (seconds, default 2), DRILL_REDIS_DOWN (seconds, default 30),
     DRILL_TIME_CAP (seconds, default 600), DRILL_SWEEP_EVERY (seconds, default 5),
     DRILL_REPORT (default bench/drills.json); BENCH_REDIS_PORT, BENCH_DATABASE_URL: bench/owned.py.
"""

import json
import logging
import os
import random
import signal
import sys
import threading
import time
import uuid

os.environ.setdefault("OUTBOX_SWEEP_AFTER_SECONDS", "10")
os.environ.setdefault("BENCH_SCALE", "0.01")

from common import ROOT, SCALE, bench_redis_or_exit, setup_django, sizes  # noqa: E402

setup_django()

from django.db import connection  # noqa: E402
from procs import celery_worker  # noqa: E402

from helpdesk.models import OutboxEvent  # noqa: E402
from helpdesk.tasks import sweep_outbox  # noqa: E402
from inbox.models import Teammate  # noqa: E402
from tickets.actions import change_ticket_state, post_ticket_note  # noqa: E402
from tickets.models import Ticket  # noqa: E402

NOTES = int(os.environ.get("DRILL_NOTES", "5000"))
KILL_EVERY = float(os.environ.get("DRILL_KILL_EVERY", "2"))
REDIS_DOWN = float(os.environ.get("DRILL_REDIS_DOWN", "30"))
TIME_CAP = int(os.environ.get("DRILL_TIME_CAP", "600"))
SWEEP_EVERY = float(os.environ.get("DRILL_SWEEP_EVERY", "5"))
# A worker alive but applying nothing this long while events wait is restarted, as a supervisor's health check
# would: once in a loaded `make test`, a worker never consumed again after the Redis outage (its log is kept).
STALL_RESTART = float(os.environ.get("DRILL_STALL_RESTART", "20"))
REPORT = os.environ.get("DRILL_REPORT") or str(ROOT / "bench" / "drills.json")
STATE_CHANGE_EVERY = 10  # one state change for every ten notes

rng = random.Random(66)
# While Redis is down each failed enqueue logs a traceback (helpdesk.outbox); the counts below are the point.
logging.getLogger("helpdesk.outbox").setLevel(logging.ERROR)
log = lambda *args: print(f"[{time.strftime('%H:%M:%S')}]", *args, file=sys.stderr, flush=True)  # noqa: E731


def over_time(signum, frame):
    raise TimeoutError(f"the drill ran past DRILL_TIME_CAP ({TIME_CAP} s)")


class Sweeper(threading.Thread):
    """What celery beat does in production (every 30 s), every SWEEP_EVERY (5 s) here: re-enqueue events pending
    longer than OUTBOX_SWEEP_AFTER (10 s here)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stopped = threading.Event()
        self.enqueued = 0

    def run(self) -> None:
        while not self.stopped.wait(SWEEP_EVERY):
            try:
                self.enqueued += sweep_outbox()  # the task's body, run here
            except Exception as error:  # the database is up; a broker error is already logged by enqueue
                log("sweep failed:", error)
            finally:
                connection.close()


class Poster:
    def __init__(self, user: Teammate, tag: str):
        self.user, self.tag = user, tag
        self.bo = sizes()["back_office"]
        self.notes = 0
        self.state_changes = 0
        self.states = [1, 2, 3, 4]

    def post(self, count: int = 1, *, until: float | None = None) -> None:
        done = 0
        while (until is None and done < count) or (until is not None and time.monotonic() < until):
            if self.notes >= NOTES:
                return
            ticket_id = rng.randint(1, self.bo)
            post_ticket_note(actor=self.user, ticket_id=ticket_id, body=f"Drill note {self.tag}", cross_post=True)
            self.notes += 1
            done += 1
            if self.notes % STATE_CHANGE_EVERY == 0:
                current = Ticket.objects.filter(pk=ticket_id).values_list("state_id", flat=True).first()
                target = rng.choice([s for s in self.states if s != current])
                if change_ticket_state(actor=self.user, ticket_id=ticket_id, state_id=target):
                    self.state_changes += 1


def drain(pending, worker, *, deadline: float):
    """Wait until no drill event is pending; a worker that applies nothing for STALL_RESTART seconds while events
    wait is restarted. Returns the worker and how many times it was restarted so."""
    restarts, last_count, progress_at = 0, None, time.monotonic()
    while (count := pending.count()) > 0:
        if count != last_count:
            last_count, progress_at = count, time.monotonic()
        elif time.monotonic() - progress_at > STALL_RESTART:
            log(f"  nothing applied for {STALL_RESTART:g} s with {count} pending: restarting the worker")
            worker.kill()
            worker = celery_worker("drill-worker", concurrency=2).start()
            restarts, progress_at = restarts + 1, time.monotonic()
        if time.monotonic() > deadline:
            raise TimeoutError(f"{count} drill events still pending at the deadline")
        time.sleep(1)
    return worker, restarts


def verify(first_event: int, tag: str) -> dict:
    """Every drill event with a handler is done, and has exactly one part in its conversation."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT e.handler, count(*) AS events,
                   count(*) FILTER (WHERE e.done_at IS NULL) AS pending,
                   count(*) FILTER (WHERE p.n = 0) AS lost,
                   count(*) FILTER (WHERE p.n > 1) AS duplicated,
                   coalesce(sum(p.n), 0) AS parts
               FROM helpdesk_outboxevent e
               CROSS JOIN LATERAL (
                   SELECT count(*) AS n FROM inbox_part
                   WHERE source_key = 'event:' || e.id || ':' || (SELECT linked_conversation_id FROM tickets_ticket
                       WHERE id = (e.payload->>'ticket_id')::bigint)
               ) p
               WHERE e.id > %s AND e.handler IN ('tickets.handlers.cross_post_note',
                                                'tickets.handlers.cross_post_state_change')
               GROUP BY e.handler""",
            [first_event],
        )
        rows = {
            row[0].rsplit(".", 1)[1]: dict(
                zip(["events", "pending", "lost", "duplicated", "parts"], row[1:], strict=True)
            )
            for row in cursor.fetchall()
        }
        # Independently of the outbox: each drill note has exactly one cross-posted copy (by its part id).
        cursor.execute(
            """SELECT count(*), count(*) FILTER (WHERE n = 0), count(*) FILTER (WHERE n > 1) FROM (
                   SELECT tp.id, (SELECT count(*) FROM inbox_part p
                                  WHERE p.conversation_id = t.linked_conversation_id AND p.kind = 'cross_post'
                                    AND (p.data->>'ticket_part_id')::bigint = tp.id) AS n
                   FROM tickets_ticketpart tp JOIN tickets_ticket t ON t.id = tp.ticket_id
                   WHERE tp.body = %s AND tp.cross_posted) x""",
            [f"Drill note {tag}"],
        )
        notes, lost, duplicated = cursor.fetchone()
    rows["notes_by_part_id"] = {"notes": notes, "lost": lost, "duplicated": duplicated}
    return rows


def main() -> int:
    # Bounded: past the cap the drill fails, and its finally still stops its worker and its Redis.
    signal.signal(signal.SIGALRM, over_time)
    signal.alarm(TIME_CAP)
    t_start = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SELECT scale FROM bench_meta")
        row = cursor.fetchone()
    if not row or row[0] != SCALE:
        sys.exit(f"the bench database is not seeded at scale {SCALE}: run bench/seed.py first")
    redis = bench_redis_or_exit()  # the drill's own Redis, the one its outage stops
    user = Teammate.objects.get(pk=1)
    tag = uuid.uuid4().hex[:8]
    first_event = OutboxEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    poster = Poster(user, tag)
    sweeper = Sweeper()
    sweeper.start()
    worker = celery_worker("drill-worker", concurrency=2).start()
    kills = 0
    report: dict = {"scale": SCALE, "notes_target": NOTES}
    try:
        # Phase 1: the worker is SIGKILLed every KILL_EVERY seconds (mid-task, unacked) and restarted.
        kill_phase = int(NOTES * 0.6)
        log(f"phase 1: {kill_phase} notes, worker SIGKILLed every {KILL_EVERY:g} s and restarted")
        next_kill = time.monotonic() + KILL_EVERY
        while poster.notes < kill_phase:
            poster.post(10)
            if time.monotonic() >= next_kill:
                worker.kill()
                kills += 1
                worker = celery_worker("drill-worker", concurrency=2).start()
                next_kill = time.monotonic() + KILL_EVERY
        log(f"  {poster.notes} notes, {poster.state_changes} state changes, {kills} kills")
        # Phase 2: Redis stopped (its queue lost) while notes keep being posted; their enqueue fails.
        log(f"phase 2: Redis stopped for {REDIS_DOWN:g} s while posting")
        before = poster.notes
        redis.stop()  # no persistence: whatever was queued is lost with it, as in a crash of a cache-only Redis
        # Paced, so the notes last the whole outage and a quarter of them is left for after it.
        budget, up_at = kill_phase + int(NOTES * 0.15), time.monotonic() + REDIS_DOWN
        while time.monotonic() < up_at:
            if poster.notes < budget:
                poster.post(1)
            time.sleep(0.04)
        redis.start()
        log(f"  {poster.notes - before} notes posted while Redis was down; Redis started again")
        if worker.process.poll() is not None:
            log("  the worker exited during the outage; restarting it")
            worker = celery_worker("drill-worker", concurrency=2).start()
        # Phase 3: the rest, everything up.
        poster.post(NOTES - poster.notes)
        log(f"phase 3: done posting: {poster.notes} notes, {poster.state_changes} state changes")
        pending = OutboxEvent.objects.filter(pk__gt=first_event, done_at__isnull=True)
        t_wait = time.monotonic()
        worker, report["stalled_worker_restarts"] = drain(
            pending, worker, deadline=t_wait + max(30, TIME_CAP - (t_wait - t_start) - 30)
        )
        log(f"outbox drained {time.monotonic() - t_wait:.1f} s after the last note")
    finally:
        signal.alarm(0)
        worker.stop()
        sweeper.stopped.set()
        redis.stop()
    counts = verify(first_event, tag)
    report |= {
        "notes": poster.notes,
        "state_changes": poster.state_changes,
        "worker_kills": kills,
        "redis_down_seconds": REDIS_DOWN,
        "sweep_reenqueued": sweeper.enqueued,
        "counts": counts,
        "seconds": round(time.monotonic() - t_start, 1),
        "ran_at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }
    notes_c = counts.get("cross_post_note", {})
    states_c = counts.get("cross_post_state_change", {})
    ok = (
        notes_c.get("events") == poster.notes
        and states_c.get("events", 0) == poster.state_changes
        and all(
            c.get("lost", 1) == 0 and c.get("duplicated", 1) == 0 and c.get("pending", 1) == 0
            for c in (notes_c, states_c)
        )
        and counts["notes_by_part_id"] == {"notes": poster.notes, "lost": 0, "duplicated": 0}
    )
    report["passed"] = ok
    with open(REPORT, "w") as out:
        out.write(json.dumps(report, indent=2, default=int) + "\n")
    print(json.dumps(report, indent=2, default=int))
    print("DRILLS PASSED: 0 lost, 0 duplicated" if ok else "DRILLS FAILED", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
