"""`make run`'s embedded default under load: SQLite, the filesystem broker and a real `celery worker -B` (issue 10).

Stock kombu 5.7 let the worker read a message file that a producer had created but not yet written, and the
worker died of `Unrecoverable error: JSONDecodeError`; processes creating an exchange's table at the same time
read it empty or wrote over each other (helpdesk/broker.py). Here producer processes post cross-posted notes
through the real action and outbox while a worker started as `make run` starts it (prefork, the machine's
default concurrency, embedded beat) consumes them, every process on a SQLite file and a queue folder of the
test's own.

The setup, the producers and the final count run this module as a script (`python -m`, commands at the bottom):
the test process itself is configured for the test PostgreSQL database.
"""

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from kombu import Connection, Exchange, Queue

from tests.worker import wait_for

ROOT = Path(__file__).resolve().parents[2]
MODULE = "tests.helpdesk.test_embedded_broker"
PRODUCERS = 4
NOTES_PER_PRODUCER = 500
# The stock transport's crash, a producer's failed enqueue, and any other error a process logs.
ERRORS = ("Unrecoverable error", "JSONDecodeError", "Traceback", "Could not enqueue", ": ERROR/", ": CRITICAL/")


def embedded_environment(folder: Path) -> dict[str, str]:
    """`make run`'s environment with nothing configured, except that its files live in `folder`."""
    return {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "CELERY_BROKER_URL": "filesystem://",
        "CELERY_QUEUE_DIR": str(folder / "celery-queue"),
    }


def start(env: dict[str, str], *command: str, log: Path) -> subprocess.Popen:
    with log.open("w") as output:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)


def run_script(env: dict[str, str], *args: str):
    """Run one of this module's commands in a new process; what it printed, as JSON."""
    result = subprocess.run(
        [sys.executable, "-m", MODULE, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def pending_events(database: Path) -> int:
    """Outbox events not yet applied, read straight from the SQLite file (the test's own ORM is on PostgreSQL)."""
    with sqlite3.connect(database, timeout=20) as connection:
        return connection.execute("SELECT count(*) FROM helpdesk_outboxevent WHERE done_at IS NULL").fetchone()[0]


def errors_in(log: str) -> list[str]:
    return [line for line in log.splitlines() if any(error in line for error in ERRORS)]


@pytest.mark.embedded_broker
def test_embedded_default_applies_every_task_once_under_concurrent_producers(tmp_path):
    env = embedded_environment(tmp_path)
    actor_id, ticket_ids = run_script(env, "prepare", str(PRODUCERS))
    worker_log = tmp_path / "worker.log"
    worker = start(
        env,
        *(sys.executable, "-m", "celery", "-A", "helpdesk", "worker", "-B", "--loglevel=INFO"),
        f"--schedule={tmp_path / 'celerybeat-schedule'}",
        log=worker_log,
    )
    producers: list[subprocess.Popen] = []
    try:
        wait_for(lambda: "ready." in worker_log.read_text() or worker.poll() is not None, timeout=30)
        producer_logs = [tmp_path / f"producer-{ticket_id}.log" for ticket_id in ticket_ids]
        producers = [
            start(env, sys.executable, "-m", MODULE, "produce", str(actor_id), str(ticket_id), log=log)
            for ticket_id, log in zip(ticket_ids, producer_logs, strict=True)
        ]
        deadline = time.monotonic() + 300  # about 45 s on 2 idle cores; twice that when they are busy
        while (
            worker.poll() is None
            and time.monotonic() < deadline
            and (any(producer.poll() is None for producer in producers) or pending_events(tmp_path / "db.sqlite3"))
        ):
            time.sleep(0.2)
        exit_code = worker.poll()
    finally:
        for producer in producers:
            producer.kill()  # nothing to kill once it is done; one still running waits for a dead worker
            producer.wait()
        worker.terminate()  # a warm shutdown, as Ctrl+C on `make run`
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            raise

    log = worker_log.read_text()
    assert (tmp_path / "celery-queue" / "control" / "celery.exchange").exists()  # our folder, not var/celery-queue
    assert exit_code is None, f"the worker exited with {exit_code}:\n{log[-3000:]}"
    assert errors_in(log) == []
    for producer, producer_log in zip(producers, producer_logs, strict=True):
        # -9: still producing at the deadline, killed
        assert (producer.returncode, errors_in(producer_log.read_text())) == (0, [])
    notes = PRODUCERS * NOTES_PER_PRODUCER
    # Every outbox event applied, and each note cross-posted exactly once: none lost, none doubled.
    assert run_script(env, "count") == {"notes": notes, "pending events": 0, "notes by copies": {"1": notes}}


def bind_at_once(folder: Path, exchange: Exchange, queues: list[str]) -> None:
    """Bind each queue to the exchange from its own thread and connection, all at the same instant."""
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder), "control_folder": str(folder / "control")}
    barrier = threading.Barrier(len(queues))

    def bind(queue: str) -> None:
        with Connection("filesystem://", transport="helpdesk.broker:Transport", transport_options=options) as conn:
            channel = conn.channel()
            barrier.wait()
            Queue(queue, exchange, channel=channel).declare()

    with ThreadPoolExecutor(len(queues)) as pool:
        list(pool.map(bind, queues))  # raises what a thread raised


def test_bindings_made_at_once_to_a_new_exchange_are_all_kept(tmp_path):
    """Stock kombu created an exchange's table with open("wb"), then locked it: eight threads binding at once
    read it empty (JSONDecodeError), lost bindings or left it corrupt in 40 trials of 50."""
    for trial in range(10):
        exchange = Exchange(f"broadcast-{trial}", type="fanout")
        queues = [f"{exchange.name}-{n}" for n in range(8)]
        bind_at_once(tmp_path, exchange, queues)
        table = json.loads((tmp_path / "control" / f"{exchange.name}.exchange").read_text())
        assert sorted(queue for _, _, queue in table) == queues


# The commands the test runs in its subprocesses, on the environment it gives them.


def prepare(tickets: int) -> tuple[int, list[int]]:
    """Migrate the new SQLite file; one back-office ticket per producer, so that they share only the file."""
    from django.core.management import call_command

    from tests.factories import BackOfficeTicketFactory, TeammateFactory

    call_command("migrate", verbosity=0)
    actor = TeammateFactory()
    return actor.pk, [BackOfficeTicketFactory(actor=actor).pk for _ in range(tickets)]


def produce(actor_id: int, ticket_id: int) -> None:
    """Post cross-posted notes through the real action: each records an outbox event enqueued on commit.

    Each note waits for an empty queue, as under `make run`, where the worker keeps up: it then takes each new
    file at once, which is when the stock transport had it read a file not yet written (with a backlog it takes
    older, complete files first). So paced, the stock worker died after 33 to 897 tasks in each of four runs.
    """
    from django.conf import settings

    from inbox.models import Teammate
    from tickets import actions

    queue = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
    actor = Teammate.objects.get(pk=actor_id)
    for n in range(NOTES_PER_PRODUCER):
        while any(name.endswith(".msg") for name in os.listdir(queue)):
            time.sleep(0.005)
        actions.post_ticket_note(actor=actor, ticket_id=ticket_id, body=f"Note {n}", cross_post=True)


def count() -> dict:
    from helpdesk.models import OutboxEvent
    from inbox.models import Part, PartKind
    from tickets.models import TicketPart

    notes = TicketPart.objects.filter(cross_posted=True).values_list("pk", flat=True)
    copies = Counter(Part.objects.filter(kind=PartKind.CROSS_POST).values_list("data__ticket_part_id", flat=True))
    return {
        "notes": len(notes),
        "pending events": OutboxEvent.objects.filter(done_at__isnull=True).count(),
        "notes by copies": Counter(copies[note] for note in notes),
    }


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    django.setup()
    command, *args = sys.argv[1:]
    print(json.dumps({"prepare": prepare, "produce": produce, "count": count}[command](*map(int, args))))
