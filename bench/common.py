"""Shared setup of the benchmark scripts: environment, Django, sizes and small helpers."""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCALE = float(os.environ.get("BENCH_SCALE", "1.0"))
PG = "postgres://helpdesk:helpdesk@127.0.0.1:55432"
# The full size in helpdesk_bench; a smaller scale in its own database, so both can be kept.
DB_NAME = "helpdesk_bench" if SCALE == 1.0 else "helpdesk_bench_" + f"{SCALE:g}".replace(".", "_")
os.environ.setdefault("DATABASE_URL", f"{PG}/{DB_NAME}")
# Redis db 3: the test suite's worker tests use db 0.
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:56379/3")
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


def sizes(scale: float = SCALE) -> dict:
    size = {name: max(100, int(count * scale)) for name, count in FULL.items()}
    size["parts"] = size["conversations"] * 10
    size["tickets"] = min(size["tickets"], size["conversations"] // 5) // 2 * 2
    size |= {"back_office": size["tickets"] // 2, "teams": TEAMS, "teammates": TEAMMATES}
    return size


def ensure_database() -> None:
    """Create the benchmark database if missing (the services' role has CREATEDB)."""
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        name = os.environ["DATABASE_URL"].rsplit("/", 1)[1]
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django():
    import django

    ensure_database()
    django.setup()


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
