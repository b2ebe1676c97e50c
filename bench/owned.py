"""What the benchmark and the drills own, and the one place where they learn their ports, hosts and databases.

They act only on what they created:

- **PostgreSQL**: the server, role and password are those `scripts/services.sh env` prints for this environment
  (its PG_PORT, DB_USER, DB_NAME, ...), never a literal. The database is the bench's own (`<DB_NAME>_bench`,
  `<DB_NAME>_bench_<scale>`), or the one BENCH_DATABASE_URL names; an exported DATABASE_URL is never used.
  The bench creates it and marks it (`COMMENT ON DATABASE`); a database without the marker is refused before
  anything is written to it (no migrate, no TRUNCATE, no row).
- **Redis**: a redis-server of their own, started by them on BENCH_REDIS_PORT (default: the services'
  REDIS_PORT + 100) under `var/bench/redis-<port>/`. It is theirs when the server answering on that port has the
  process id they recorded there; only then do they stop it (the drills' outage) or flush it. A port served by
  anything else is refused. The services' Redis is never touched.

No import-time side effects: bench/common.py applies this to the environment; the tests import it alone.
"""

import os
import shlex
import signal
import socket
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SERVICES_SH = ROOT / "scripts" / "services.sh"
STATE_DIR = ROOT / "var" / "bench"

# Set by the bench on the databases it creates, and required before it writes to one.
MARKER = "helpdesk bench database: created by bench/owned.py, which may seed and truncate it"
# The bench's own ports, unless BENCH_REDIS_PORT / BENCH_PORT say otherwise: next to the services' ports,
# so that checkouts configured with other services' ports get other bench ports too. The web port is gunicorn's; the
# one after it, uvicorn's (the live streams).
REDIS_PORT_OFFSET = 100
WEB_PORT_OFFSET = 100


class NotOwned(Exception):
    """A database or a Redis the bench did not create: it refuses to write to it, flush it or stop it."""


def services_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The services' URLs as `scripts/services.sh env` prints them for this environment (PG_PORT, REDIS_PORT,
    DB_NAME, DB_USER, DB_PASSWORD, with the script's defaults): DATABASE_URL and CELERY_BROKER_URL."""
    result = subprocess.run(
        [str(SERVICES_SH), "env"], env=dict(os.environ if environ is None else environ), capture_output=True, text=True
    )
    if result.returncode:
        raise RuntimeError(f"{SERVICES_SH} env failed: {result.stderr.strip()}")
    values = {}
    for line in result.stdout.splitlines():
        words = shlex.split(line)
        if len(words) == 2 and words[0] == "export" and "=" in words[1]:
            name, value = words[1].split("=", 1)
            values[name] = value
    missing = {"DATABASE_URL", "CELERY_BROKER_URL"} - values.keys()
    if missing:
        raise RuntimeError(f"{SERVICES_SH} env printed no {', '.join(sorted(missing))}")
    return values


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def bench_database_name(services_database: str, scale: float) -> str:
    # The full size in <name>_bench; a smaller scale in its own database, so both can be kept.
    base = f"{services_database}_bench"
    return base if scale == 1.0 else f"{base}_" + f"{scale:g}".replace(".", "_").replace("-", "_")


def port_in_use(host: str, port: int) -> bool:
    """Something accepts connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@dataclass(frozen=True)
class BenchRedis:
    """A redis-server the bench starts, stops and flushes itself, on its own port and state directory."""

    host: str
    port: int
    state_dir: Path

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    @property
    def pidfile(self) -> Path:
        return self.state_dir / "redis.pid"

    def _client(self):
        import redis

        return redis.Redis(host=self.host, port=self.port, socket_timeout=2, socket_connect_timeout=2)

    def server_pid(self) -> int | None:
        """The process id of the Redis answering on the port, None when nothing answers it as a Redis does."""
        import redis

        try:
            return int(self._client().info("server")["process_id"])
        except (redis.RedisError, OSError, KeyError, ValueError):
            return None

    def recorded_pid(self) -> int | None:
        try:
            return int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return None

    def owned(self) -> bool:
        """The server on the port is the one the bench started (the process id it recorded)."""
        recorded = self.recorded_pid()
        return recorded is not None and self.server_pid() == recorded

    def _refuse(self, what: str) -> NotOwned:
        return NotOwned(
            f"refusing to {what} {self.host}:{self.port}: it is served by something the bench did not start "
            f"(no matching pid in {self.pidfile}); the bench acts only on its own Redis. "
            f"Set BENCH_REDIS_PORT to a free port."
        )

    def start(self, *, timeout: float = 10) -> None:
        """Start the bench's Redis (no persistence), or keep the one it already started; refuse a taken port."""
        if self.owned():
            return
        if port_in_use(self.host, self.port):
            raise self._refuse("start a Redis on")
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.pidfile.unlink(missing_ok=True)
        subprocess.run(
            [
                "redis-server",
                "--daemonize",
                "yes",
                "--bind",
                self.host,
                "--port",
                str(self.port),
                "--dir",
                str(self.state_dir),
                "--pidfile",
                str(self.pidfile),
                "--logfile",
                str(self.state_dir / "redis.log"),
                "--save",
                "",
                "--appendonly",
                "no",
            ],  # fmt: skip
            check=True,
            capture_output=True,
        )
        deadline = time.monotonic() + timeout
        while not self.owned():
            if time.monotonic() > deadline:
                log = (self.state_dir / "redis.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"the bench's Redis on {self.host}:{self.port} did not start:\n{log}")
            time.sleep(0.05)

    def stop(self, *, timeout: float = 10) -> None:
        """Stop the bench's Redis without saving (its queue is lost, as in a crash of a cache-only Redis).

        Only the process the bench recorded, and only while it is the one answering on the port: a Redis
        started by anyone else is never stopped (refused when it holds the bench's port)."""
        pid = self.recorded_pid()
        if pid is None or self.server_pid() != pid:
            if port_in_use(self.host, self.port):
                raise self._refuse("stop")
            return  # already down
        os.kill(pid, signal.SIGTERM)  # no save points (--save ''): nothing is written, the data is gone
        deadline = time.monotonic() + timeout
        while port_in_use(self.host, self.port) or _alive(pid):
            if time.monotonic() > deadline:
                raise RuntimeError(f"the bench's Redis (pid {pid}) did not stop within {timeout} s")
            time.sleep(0.05)

    def flushdb(self) -> None:
        """Empty the bench's Redis; refused on any other."""
        if not self.owned():
            raise self._refuse("flush")
        self._client().flushdb()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A daemonized redis-server is reparented to init, which reaps it; a zombie child of ours would linger.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return False


@dataclass(frozen=True)
class Bench:
    """Where the bench and the drills work, resolved once from the services' environment."""

    database_url: str  # the bench's own database
    database_named_by: str  # "BENCH_DATABASE_URL" or "scripts/services.sh env"
    maintenance_url: str  # the same server's `postgres` database, to create the bench's
    redis: BenchRedis
    web_host: str
    web_port: int

    @property
    def database(self) -> str:
        return database_name(self.database_url)

    @property
    def broker_url(self) -> str:
        return self.redis.url

    @property
    def stream_port(self) -> int:
        """The port of the live streams' ASGI server (uvicorn), next to the web port (gunicorn's), which serves the
        pages beside it."""
        return self.web_port + 1


def bench_config(scale: float, environ: Mapping[str, str] | None = None) -> Bench:
    """The bench's database, Redis and web port for this environment. DATABASE_URL and CELERY_BROKER_URL are
    deliberately not read: they name the app's own database and broker, which the bench must never touch."""
    environ = os.environ if environ is None else environ
    services = services_env(environ)
    pg, broker = urlsplit(services["DATABASE_URL"]), urlsplit(services["CELERY_BROKER_URL"])
    if explicit := environ.get("BENCH_DATABASE_URL"):
        database_url, named_by = explicit, "BENCH_DATABASE_URL"
    else:
        name = bench_database_name(database_name(services["DATABASE_URL"]), scale)
        database_url, named_by = with_database(services["DATABASE_URL"], name), "scripts/services.sh env"
    host = broker.hostname or "127.0.0.1"
    redis_port = int(environ.get("BENCH_REDIS_PORT") or (broker.port or 6379) + REDIS_PORT_OFFSET)
    web_port = int(environ.get("BENCH_PORT") or (pg.port or 5432) + WEB_PORT_OFFSET)
    return Bench(
        database_url=database_url,
        database_named_by=named_by,
        maintenance_url=with_database(database_url, "postgres"),
        redis=BenchRedis(host=host, port=redis_port, state_dir=STATE_DIR / f"redis-{redis_port}"),
        web_host=host,
        web_port=web_port,
    )


def marker_of(cursor, name: str | None = None) -> str | None:
    """The comment of database `name` (default: the cursor's own), where the bench keeps its marker."""
    if name is None:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"
        )
    else:
        cursor.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name])
    row = cursor.fetchone()
    return row[0] if row else None


def is_marked(comment: str | None) -> bool:
    return bool(comment) and comment.startswith(MARKER)


def not_owned_database(name: str, url: str) -> NotOwned:
    where = urlsplit(url)
    return NotOwned(
        f"refusing to write to database {name!r} on {where.hostname}:{where.port}: the bench did not create it "
        f"(no bench marker in its COMMENT ON DATABASE). The bench seeds, truncates and writes only databases it "
        f"created; it never uses DATABASE_URL. Name a new one with BENCH_DATABASE_URL (the bench creates and marks "
        f"it), or drop this one yourself if it is a bench database from before the marker existed."
    )


def require_marked(cursor, url: str) -> None:
    """Raise NotOwned unless the cursor's database carries the bench's marker (checked again right before a
    TRUNCATE, whatever the caller resolved earlier)."""
    if not is_marked(marker_of(cursor)):
        raise not_owned_database(database_name(url), url)


def ensure_database(bench: Bench) -> bool:
    """Create the bench's database with its marker if it does not exist (True), or check that an existing one
    carries the marker (False); refuse (NotOwned) one without it, before anything is written to it."""
    import psycopg
    from psycopg import sql

    name = bench.database
    with psycopg.connect(bench.maintenance_url, autocommit=True) as conn:
        cursor = conn.cursor()
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone():
            if not is_marked(marker_of(cursor, name)):
                raise not_owned_database(name, bench.database_url)
            return False
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            cursor.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(MARKER)))
        except Exception:
            cursor.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))  # ours, just created, empty
            raise
        return True
