"""A real Celery worker process for end-to-end tests, on the test database and the real broker."""

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

from helpdesk.celery import app

ROOT = Path(__file__).resolve().parent.parent


def wait_for(condition: Callable[[], object], *, timeout: float = 20.0, interval: float = 0.1):
    """Poll `condition` until it returns something truthy; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


def test_database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class WorkerProcess:
    """`celery worker` in a subprocess; its log is kept to explain a failure."""

    def __init__(self, log_path: Path):
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": test_database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "SECRET_KEY": settings.SECRET_KEY,
        }
        self.log = self.log_path.open("a")
        offset = self.log_path.stat().st_size
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "helpdesk",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--hostname=test-{time.time_ns()}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_for(lambda: "ready." in self.log_path.read_text()[offset:], timeout=30)

    def drain(self, *, timeout: float = 60.0) -> None:
        """Wait until every outbox event is applied. On timeout, fail with the rows still pending and the end of the
        worker's log: a slow worker, a failing handler and a dead worker read differently."""
        from helpdesk.models import OutboxEvent

        pending = OutboxEvent.objects.filter(done_at__isnull=True)
        try:
            wait_for(lambda: not pending.exists(), timeout=timeout)
        except AssertionError:
            rows = "\n".join(f"{row}" for row in pending.values("pk", "handler", "attempts", "last_error")[:20])
            alive = self.process is not None and self.process.poll() is None
            log = self.log_path.read_text()[-4000:]
            raise AssertionError(f"outbox not drained in {timeout} s (worker alive: {alive}):\n{rows}\n{log}") from None

    def kill(self) -> None:
        """SIGKILL, as when a machine or container dies: no chance to finish or ack anything."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        if not self.log.closed:
            self.log.close()


@contextmanager
def broker_unreachable() -> Iterator[None]:
    """Point this process's Celery app at a port where no broker listens, as when Redis is down."""

    def switch(url: str) -> None:
        app.conf.broker_write_url = url  # `broker_url` is shadowed by the CELERY_ setting it was read from
        app._pool = None  # cached connection pools would keep using the old broker
        app.amqp._producer_pool = None

    original = app.conf.broker_write_url
    switch("redis://127.0.0.1:9/0")
    try:
        yield
    finally:
        switch(original)
