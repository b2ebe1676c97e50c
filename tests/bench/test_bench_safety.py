"""The benchmark and the drills touch only what they own (bench/owned.py): they refuse to seed or truncate a
database they did not create, never use an exported DATABASE_URL, and stop or flush only a Redis they started.

Real PostgreSQL and redis-server throughout: the suite's server (DATABASE_URL) hosts throwaway databases made
here, and each Redis is a real redis-server on a free port. The last test runs `make drills` itself with other
PG_PORT/REDIS_PORT and a foreign DATABASE_URL exported.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
import pytest
import redis
from psycopg import sql

from bench import owned

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def suite_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.fail("These tests need DATABASE_URL to point at PostgreSQL (make test starts one).")
    return url


def connect(url: str, name: str) -> psycopg.Connection:
    return psycopg.connect(owned.with_database(url, name), autocommit=True)


def tables(url: str, name: str) -> set[str]:
    with connect(url, name) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
    return {row[0] for row in rows}


def rows(url: str, name: str, table: str) -> list[tuple]:
    with connect(url, name) as conn:
        return conn.execute(sql.SQL("SELECT * FROM {} ORDER BY 1").format(sql.Identifier(table))).fetchall()


def drop_database(url: str, name: str) -> None:
    with connect(url, "postgres") as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def foreign_database():
    """A database the bench did not create, with rows, including a table the bench's seed truncates."""
    url = suite_database_url()
    name = f"bench_safety_foreign_{uuid.uuid4().hex[:8]}"
    with connect(url, "postgres") as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    with connect(url, name) as conn:
        conn.execute("CREATE TABLE inbox_part (id int PRIMARY KEY, body text)")
        conn.execute("INSERT INTO inbox_part VALUES (1, 'the demo workspace'), (2, 'a customer''s message')")
        conn.execute("CREATE TABLE demo (id int PRIMARY KEY)")
        conn.execute("INSERT INTO demo SELECT generate_series(1, 3)")
    yield owned.with_database(url, name)
    drop_database(url, name)


def assert_untouched(url: str) -> None:
    server, name = owned.with_database(url, ""), owned.database_name(url)
    assert tables(server, name) == {"inbox_part", "demo"}  # no migration, no bench_meta: nothing written
    assert rows(server, name, "inbox_part") == [(1, "the demo workspace"), (2, "a customer's message")]
    assert rows(server, name, "demo") == [(1,), (2,), (3,)]
    with connect(server, name) as conn:
        assert owned.marker_of(conn.cursor()) is None


def bench_env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("BENCH_", "DRILL_"))}
    return env | {"BENCH_SCALE": "0.0001"} | extra


# -- PostgreSQL: the marker ---------------------------------------------------------------------------------


def test_seed_refuses_a_database_without_the_bench_marker_and_writes_nothing(foreign_database):
    result = subprocess.run(
        [PYTHON, "bench/seed.py", "--force"],
        cwd=ROOT,
        env=bench_env(BENCH_DATABASE_URL=foreign_database),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "refusing to write to database" in result.stderr
    assert owned.database_name(foreign_database) in result.stderr
    assert_untouched(foreign_database)


def test_the_truncate_time_check_refuses_an_unmarked_database_and_accepts_a_marked_one(foreign_database):
    server = owned.with_database(foreign_database, "")
    with connect(server, owned.database_name(foreign_database)) as conn:
        with pytest.raises(owned.NotOwned, match="no bench marker"):
            owned.require_marked(conn.cursor(), foreign_database)
        name = owned.database_name(foreign_database)
        conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(owned.MARKER)))
        owned.require_marked(conn.cursor(), foreign_database)  # marked: no error


def test_the_bench_creates_and_marks_its_database_and_reuses_it():
    url = suite_database_url()
    name = f"bench_safety_own_{uuid.uuid4().hex[:8]}"
    bench = owned.bench_config(0.01, environ=bench_env(BENCH_DATABASE_URL=owned.with_database(url, name)))
    try:
        assert owned.ensure_database(bench) is True
        with connect(url, "postgres") as conn:
            assert owned.marker_of(conn.cursor(), name) == owned.MARKER
        assert owned.ensure_database(bench) is False  # marked: reused
    finally:
        drop_database(url, name)


def test_an_exported_database_url_is_never_the_bench_database(foreign_database):
    environ = bench_env(DATABASE_URL=foreign_database, CELERY_BROKER_URL="redis://127.0.0.1:1/0")
    bench = owned.bench_config(0.01, environ=environ)
    services = owned.services_env(environ)

    assert bench.database_url != foreign_database
    assert bench.database_url == owned.with_database(
        services["DATABASE_URL"], owned.database_name(services["DATABASE_URL"]) + "_bench_0_01"
    )
    assert bench.database_named_by == "scripts/services.sh env"
    assert bench.broker_url != environ["CELERY_BROKER_URL"]
    # What the scripts' Django settings read: bench/common.py replaces the exported URLs, not only defaults them.
    printed = subprocess.run(
        [PYTHON, "-c", "import os, common; print(os.environ['DATABASE_URL'], os.environ['CELERY_BROKER_URL'])"],
        cwd=ROOT / "bench",
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert printed == [owned.bench_config(0.0001, environ=environ).database_url, bench.broker_url]
    assert_untouched(foreign_database)


def test_ports_and_names_follow_the_services_environment():
    environ = bench_env(PG_PORT="45432", REDIS_PORT="46379", DB_NAME="other", DB_USER="u", DB_PASSWORD="p")
    bench = owned.bench_config(1.0, environ=environ)

    assert bench.database_url == "postgres://u:p@127.0.0.1:45432/other_bench"
    assert bench.maintenance_url == "postgres://u:p@127.0.0.1:45432/postgres"
    assert (bench.redis.host, bench.redis.port) == ("127.0.0.1", 46379 + owned.REDIS_PORT_OFFSET)
    assert bench.web_port == 45432 + owned.WEB_PORT_OFFSET
    explicit = owned.bench_config(1.0, environ=environ | {"BENCH_REDIS_PORT": "47000", "BENCH_PORT": "47001"})
    assert (explicit.redis.port, explicit.web_port) == (47000, 47001)


def test_services_on_other_ports_never_see_the_default_ports_cluster():
    # services.sh keys its state directory by port: `stop` with other ports cannot reach the default cluster.
    env = bench_env(PG_PORT=str(free_port()), REDIS_PORT=str(free_port()))
    env.pop("SERVICES_DIR", None)
    status = subprocess.run(
        [str(ROOT / "scripts" / "services.sh"), "status"], env=env, capture_output=True, text=True, check=True
    )
    assert status.stdout.splitlines() == ["postgres: down", "redis: down"]


# -- Redis: only the bench's own ----------------------------------------------------------------------------


@pytest.fixture
def foreign_redis(tmp_path):
    """A redis-server the bench did not start (as another checkout's services' Redis would be)."""
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--dir", str(tmp_path), "--save", ""],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=2)
    deadline = time.monotonic() + 10
    while not owned.port_in_use("127.0.0.1", port):
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail("the foreign redis-server did not start")
        time.sleep(0.05)
    client.set("foreign:key", "kept")
    yield port, client, process.pid
    process.terminate()
    process.wait(timeout=10)


def assert_foreign_alive(client: redis.Redis, pid: int) -> None:
    assert client.ping()
    assert client.info("server")["process_id"] == pid  # the same server, never restarted
    assert client.get("foreign:key") == b"kept"


def test_the_drills_outage_stops_only_the_redis_it_started(foreign_redis, tmp_path):
    _, foreign, foreign_pid = foreign_redis
    bench = owned.BenchRedis(host="127.0.0.1", port=free_port(), state_dir=tmp_path / "bench-redis")
    bench.start()
    try:
        assert bench.owned()
        redis.Redis.from_url(bench.url).set("bench:key", "x")
        bench.stop()  # the outage
        assert not owned.port_in_use("127.0.0.1", bench.port)
        assert_foreign_alive(foreign, foreign_pid)
        bench.start()  # back, empty (no persistence)
        assert bench.owned()
        assert redis.Redis.from_url(bench.url).get("bench:key") is None
        bench.flushdb()
        assert_foreign_alive(foreign, foreign_pid)
    finally:
        bench.stop()
    assert_foreign_alive(foreign, foreign_pid)


def test_the_bench_refuses_to_start_stop_or_flush_a_redis_it_did_not_start(foreign_redis, tmp_path):
    foreign_port, foreign, foreign_pid = foreign_redis
    bench = owned.BenchRedis(host="127.0.0.1", port=foreign_port, state_dir=tmp_path / "bench-redis")

    with pytest.raises(owned.NotOwned, match="did not start"):
        bench.start()
    with pytest.raises(owned.NotOwned, match="did not start"):
        bench.stop()
    with pytest.raises(owned.NotOwned, match="did not start"):
        bench.flushdb()
    # A pid file naming another process does not make it the bench's either.
    bench.state_dir.mkdir(parents=True, exist_ok=True)
    bench.pidfile.write_text(f"{os.getpid()}\n")
    with pytest.raises(owned.NotOwned):
        bench.stop()
    assert_foreign_alive(foreign, foreign_pid)


def test_the_drill_refuses_an_unmarked_database_before_touching_any_redis(foreign_redis, foreign_database):
    foreign_port, foreign, foreign_pid = foreign_redis
    result = subprocess.run(
        [PYTHON, "bench/drills.py"],
        cwd=ROOT,
        env=bench_env(BENCH_REDIS_PORT=str(foreign_port), BENCH_DATABASE_URL=foreign_database),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "refusing to write to database" in result.stderr
    assert f":{foreign_port}" not in result.stderr  # refused before its Redis was even looked at
    assert_foreign_alive(foreign, foreign_pid)
    assert_untouched(foreign_database)


# -- `make drills` with other ports and a foreign DATABASE_URL exported -------------------------------------


@pytest.mark.worker
def test_make_drills_on_other_ports_leaves_the_services_redis_and_database_url_untouched(foreign_database):
    """The issue's check, as `make test` runs it: `make drills` (its recipe, minus the install steps) with
    PG_PORT/REDIS_PORT of a private pair of services and DATABASE_URL / CELERY_BROKER_URL exported: the suite's
    own Redis (56379 under `make test`) keeps running, untouched, and the exported database keeps its rows."""
    broker_url = os.environ.get("CELERY_BROKER_URL", "")
    if not broker_url.startswith("redis://"):
        pytest.fail("This test needs CELERY_BROKER_URL to point at Redis (make test starts one).")
    services_redis = redis.Redis.from_url(broker_url)
    services_redis_pid = services_redis.info("server")["process_id"]
    sentinel = f"bench-safety:{uuid.uuid4().hex}"
    services_redis.set(sentinel, "kept", ex=600)
    # The private services' state directory must be reachable by the postgres user (initdb runs as it).
    services_dir = Path(tempfile.mkdtemp(prefix="helpdesk-bench-safety-"))
    services_dir.chmod(0o755)
    report = services_dir / "drills.json"
    bench_redis_port = free_port()
    env = bench_env(
        SERVICES_DIR=str(services_dir),
        PG_PORT=str(free_port()),
        REDIS_PORT=str(free_port()),
        BENCH_REDIS_PORT=str(bench_redis_port),
        DATABASE_URL=foreign_database,
        CELERY_BROKER_URL=broker_url,
        DRILL_SCALE="0.0001",
        DRILL_NOTES="100",  # 60 through worker kills, 15 during the outage, the rest after it
        DRILL_KILL_EVERY="0.5",
        DRILL_REDIS_DOWN="1",
        DRILL_SWEEP_EVERY="0.5",
        DRILL_TIME_CAP="150",
        DRILL_REPORT=str(report),
        OUTBOX_SWEEP_AFTER_SECONDS="1",
    )
    services_sh = str(ROOT / "scripts" / "services.sh")
    try:
        subprocess.run([services_sh, "start"], env=env, capture_output=True, text=True, check=True, timeout=120)
        private = owned.services_env(env)
        private_redis = redis.Redis.from_url(private["CELERY_BROKER_URL"])
        private_redis_pid = private_redis.info("server")["process_id"]

        result = subprocess.run(
            ["make", "--no-print-directory", "-o", "system-packages", "-o", "deps", "drills"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )
        worker_log = ROOT / "var" / "bench" / "drill-worker.log"
        log_tail = worker_log.read_text(errors="replace")[-4000:] if worker_log.exists() else ""
        assert result.returncode == 0, result.stderr[-3000:] + "\n--- drill worker log ---\n" + log_tail

        drilled = json.loads(report.read_text())
        assert drilled["passed"] is True
        assert drilled["counts"]["notes_by_part_id"] == {"notes": 100, "lost": 0, "duplicated": 0}
        # Neither the suite's Redis nor the private services' Redis was stopped; the drill's own is down again.
        assert services_redis.info("server")["process_id"] == services_redis_pid
        assert services_redis.get(sentinel) == b"kept"
        assert private_redis.info("server")["process_id"] == private_redis_pid
        assert not owned.port_in_use("127.0.0.1", bench_redis_port)
        # The exported DATABASE_URL was never used; the bench worked in its own, marked database on PG_PORT.
        assert_untouched(foreign_database)
        bench_name = owned.database_name(owned.bench_config(0.0001, environ=env).database_url)
        with connect(private["DATABASE_URL"], "postgres") as conn:
            assert owned.marker_of(conn.cursor(), bench_name) == owned.MARKER
    finally:
        services_redis.delete(sentinel)
        subprocess.run([services_sh, "stop"], env=env, capture_output=True, timeout=60)
        shutil.rmtree(services_dir, ignore_errors=True)
        shutil.rmtree(owned.STATE_DIR / f"redis-{bench_redis_port}", ignore_errors=True)
