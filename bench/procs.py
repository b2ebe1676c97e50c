"""Real processes for the benchmark and the drills: a Celery worker, celery beat, gunicorn; loopback only."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from common import ROOT

LOG_DIR = ROOT / "var" / "bench"


def wait_for(condition, *, timeout: float, interval: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(interval)
    raise TimeoutError(f"{what} not met within {timeout} s")


class Process:
    """A subprocess in its own process group, its output appended to var/bench/<name>.log."""

    ready_marker = ""
    ready_count = 1  # how many times the marker must appear (one line per worker process)

    def __init__(self, name: str, args: list[str], env: dict | None = None):
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.name, self.args, self.env = name, args, {**os.environ, **(env or {})}
        self.log_path: Path = LOG_DIR / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self, *, timeout: float = 30) -> "Process":
        self.log_path.touch()
        offset = self.log_path.stat().st_size
        log = self.log_path.open("a")
        self.process = subprocess.Popen(
            self.args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        if self.ready_marker:
            wait_for(
                lambda: self.log_path.read_text(errors="replace")[offset:].count(self.ready_marker) >= self.ready_count,
                timeout=timeout,
                what=f"{self.name} ready",
            )
        return self

    def kill(self) -> None:
        """SIGKILL the whole group (a prefork worker's children too), as when a machine dies."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self, timeout: float = 15) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()


def celery_worker(name: str = "worker", *, concurrency: int = 2, pool: str = "prefork") -> Process:
    proc = Process(
        name,
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "helpdesk",
            "worker",
            f"--pool={pool}",
            f"--concurrency={concurrency}",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--hostname={name}-{time.time_ns()}@%h",
        ],
        # The log level hides the "ready." line: report it through a startup hook-free marker instead.
    )
    proc.args[proc.args.index("--loglevel=WARNING")] = "--loglevel=INFO"
    proc.ready_marker = "ready."
    return proc


def celery_beat() -> Process:
    return Process(
        "beat",
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "helpdesk",
            "beat",
            "--loglevel=INFO",
            f"--schedule={LOG_DIR / 'celerybeat-schedule'}",
        ],
    )


def gunicorn(*, host: str, port: int, workers: int, threads: int = 1) -> Process:
    proc = Process(
        "gunicorn",
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "helpdesk.wsgi",
            f"--bind={host}:{port}",
            f"--workers={workers}",
            f"--threads={threads}",
            "--log-level=info",
            "--keep-alive=30",
        ],
    )
    proc.ready_marker, proc.ready_count = "Booting worker", workers  # one line per worker: all of them up
    return proc


def uvicorn(*, host: str, port: int, workers: int) -> Process:
    """The ASGI server of the live streams (helpdesk/live_views.py): Django's ASGI application, `workers` processes
    sharing the port, no access log (a request log line per stream and region would be most of its work)."""
    proc = Process(
        "uvicorn",
        [
            str(Path(sys.executable).parent / "uvicorn"),
            "helpdesk.asgi:application",
            f"--host={host}",
            f"--port={port}",
            f"--workers={workers}",
            "--lifespan=off",  # Django's ASGI application does not speak the lifespan protocol
            "--log-level=info",
            "--no-access-log",
        ],
    )
    proc.ready_marker = "Started server process"
    proc.ready_count = workers
    return proc


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
