"""Running actions at the same instant, each in its own thread and database connection."""

import threading

from django.db import connection


def run_at_once(*calls) -> list:
    """Run each call in its own thread, released together by a barrier; return each result or exception.

    Each thread connects before the barrier, so both reach the action at the same instant, and closes
    its connection at the end.
    """
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            connection.ensure_connection()
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as error:  # reported to the test, which names what it expects
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a concurrent action never finished (deadlock?)"
    return outcomes
