"""The embedded broker of `make run`: kombu's filesystem transport, with files that appear whole.

Stock kombu 5.7 writes a message with `open(name, "wb")`, then locks it, then writes; the consumer never
locks, it lists the folder, moves the file away and parses it. A consumer that lists the folder between
the open and the write parses an empty file: `JSONDecodeError`, the worker's "Unrecoverable error", and
the message is gone (the outbox sweep re-enqueues it). The exchange tables under the control folder have
the same race: processes creating one at the same time read it empty, or write over each other's binding
and can leave it corrupt for good. Both were reproduced (tests/helpdesk/test_embedded_broker.py).

Here every file another process reads is written under a hidden name in the same folder, then renamed
into place: a rename within a folder is atomic, so a reader sees all of a file or none of it. The hidden
names start with a dot, which kombu's `_get`, `_size` and `_purge` skip (they keep names whose part after
the first dot is `<queue>.msg`). Selected by `CELERY_BROKER_TRANSPORT` in settings.py.
"""

import fcntl
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from time import monotonic
from typing import Any

from kombu.transport import filesystem
from kombu.utils.json import dumps, loads

Table = list[filesystem.exchange_queue_t]


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` through a hidden file beside it and a rename: readers see all of it or nothing.

    No fsync: a machine crash may lose a message, which the outbox sweep re-enqueues; it never leaves half of one.
    """
    temporary = path.with_name(f".{uuid.uuid4()}.tmp")
    try:
        with temporary.open("xb") as file:  # created with the umask's permissions, as kombu's own files
            file.write(text.encode())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


class Channel(filesystem.Channel):
    # kombu-stubs' filesystem.Channel._put renames its base's `message` to `payload`, and ignores the override too
    def _put(self, queue: str, payload: dict[str, Any], **kwargs: Any) -> None:  # type: ignore[override]
        """Put a message on `queue`, named as kombu names it (the consumer takes the oldest name first)."""
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        write_atomically(Path(self.data_folder_out) / name, dumps(payload))

    def _queue_bind(self, exchange: str, routing_key: str, pattern: str | None, queue: str) -> None:
        binding = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        self._update_table(exchange, lambda table: table if binding in table else [binding, *table])

    def _delete(
        self, queue: str, exchange: str, routing_key: str, pattern: str | None, *args: Any, **kwargs: Any
    ) -> None:
        self._purge(queue)  # what kombu's base Channel._delete does
        binding = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        self._update_table(exchange, lambda table: [row for row in table if row != binding])

    def _update_table(self, exchange: str, change: Callable[[Table], Table]) -> None:
        """Read, change and replace an exchange's table, one process at a time; `get_table` never waits."""
        path: Path = self._exchange_file(exchange)  # type: ignore[attr-defined]  # kombu 5.7 has it, its stubs don't
        self.control_folder.mkdir(parents=True, exist_ok=True)
        with self._locked(path.with_name(f".{path.name}.lock")):
            try:
                table = [filesystem.exchange_queue_t(*row) for row in loads(path.read_text())]
            except FileNotFoundError:
                table = []
            changed = change(table)
            if changed != table:
                write_atomically(path, dumps(changed))

    @staticmethod
    @contextmanager
    def _locked(path: Path) -> Iterator[None]:
        # A lock file of its own: the table file is replaced, so a lock held on it would guard an old copy.
        with path.open("a") as file:
            fcntl.flock(file, fcntl.LOCK_EX)
            yield


class Transport(filesystem.Transport):
    Channel = Channel
