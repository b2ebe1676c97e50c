"""Shared setup of the benchmark scripts: environment, Django, sizes and small helpers."""

import os
import sys
import time
from pathlib import Path

import owned

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCALE = float(os.environ.get("BENCH_SCALE", "1.0"))
# Where the bench works, from the services' environment (bench/owned.py): its own database and its own Redis.
# Set, not defaulted: an exported DATABASE_URL or CELERY_BROKER_URL (the app's) must never reach the bench.
BENCH = owned.bench_config(SCALE)
os.environ["DATABASE_URL"] = BENCH.database_url
os.environ["CELERY_BROKER_URL"] = BENCH.broker_url
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-any-deployment")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

FULL = {
    "conversations": 1_000_000,
    "parts": 10_000_000,  # 10 per conversation
    "tickets": 200_000,  # half back-office, half customer tickets
    "contacts": 200_000,
}
TEAMS = 50
TEAMMATES = 500
# What a seeded database holds (bench_meta.version): bumped whenever the seed's rows or the schema they need change,
# so that a database seeded before is seeded again rather than reused (2: searchable text, search documents).
SEED_VERSION = 2


def sizes(scale: float = SCALE) -> dict:
    size = {name: max(100, int(count * scale)) for name, count in FULL.items()}
    size["parts"] = size["conversations"] * 10
    size["tickets"] = min(size["tickets"], size["conversations"] // 5) // 2 * 2
    size |= {"back_office": size["tickets"] // 2, "teams": TEAMS, "teammates": TEAMMATES}
    return size


def setup_django():
    """Create the bench's database (marked as the bench's) or check the marker of the existing one, then set up
    Django on it. Refuses, before anything is written, a database the bench did not create."""
    import django

    try:
        if owned.ensure_database(BENCH):
            print(f"created the bench database {BENCH.database} (marked as the bench's)", file=sys.stderr)
        print(f"bench database: {BENCH.database} (from {BENCH.database_named_by})", file=sys.stderr)
    except owned.NotOwned as error:
        sys.exit(f"bench: {error}")
    django.setup()


def bench_redis_or_exit() -> owned.BenchRedis:
    """The bench's own Redis, started (or the one it started earlier, kept); exits on a port it does not own."""
    try:
        BENCH.redis.start()
    except owned.NotOwned as error:
        sys.exit(f"bench: {error}")
    return BENCH.redis


class Progress:
    """A one-line progress bar on stderr."""

    def __init__(self, label: str, total: int):
        self.label, self.total, self.done, self.t0 = label, total, 0, time.monotonic()

    def add(self, n: int) -> None:
        self.done += n
        width = 30
        filled = int(width * self.done / self.total) if self.total else width
        rate = self.done / max(time.monotonic() - self.t0, 1e-9)
        sys.stderr.write(
            f"\r  {self.label:<22} [{'#' * filled}{'.' * (width - filled)}]"
            f" {self.done:>11,}/{self.total:,} {rate:>10,.0f}/s"
        )
        sys.stderr.flush()

    def close(self) -> float:
        elapsed = time.monotonic() - self.t0
        sys.stderr.write(f"  {elapsed:.1f} s\n")
        return elapsed


def percentiles(values: list[float]) -> dict:
    if not values:
        return {"n": 0, "p50": None, "p95": None, "p99": None}
    ordered = sorted(values)

    def pick(q):
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {"n": len(values), "p50": pick(0.50), "p95": pick(0.95), "p99": pick(0.99), "max": round(ordered[-1], 2)}


def time_requests(client, label: str, make_request, n: int) -> dict:
    """Server time (in-process, Django's test client), queries and statuses of n requests after a warm-up."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    for _ in range(5):  # warm-up: connections, template caches
        make_request()
    times, queries, statuses = [], [], set()
    for _ in range(n):
        # As each request does, and as bench/search.py does: CaptureQueriesContext holds back the request's own
        # reset, and past 9,000 queries on the connection (the log's length) it would read 0 per request.
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = make_request()
            elapsed = (time.perf_counter() - t0) * 1000
        times.append(elapsed)
        queries.append(len(ctx.captured_queries))
        statuses.add(response.status_code)
    result = percentiles(times) | {
        "queries_min": min(queries),
        "queries_max": max(queries),
        "statuses": sorted(statuses),
    }
    print(
        f"  {label:<44} p50 {result['p50']:>7.2f}  p95 {result['p95']:>7.2f}  p99 {result['p99']:>7.2f} ms"
        f"  queries {result['queries_min']}-{result['queries_max']}  {result['statuses']}",
        file=sys.stderr,
    )
    return result
