"""The live scenario's changes (bench/live.py): committed through the domain actions at a steady rate, each stamped
at its commit, to conversations and tickets some tabs show."""

import os
import random
import time
from dataclasses import dataclass

from live_pages import Target

RATE = float(os.environ.get("BENCH_LIVE_RATE", "20"))
LOAD_SECONDS = float(os.environ.get("BENCH_LIVE_SECONDS", "60"))
SPACING_S = 3.0  # the same conversation or ticket changes at most this often: each publication is then one change's
SHOWN_SHARE = 0.6  # of the changes, to a conversation or ticket open in a tab; the others, to one only in lists


@dataclass
class Change:
    target: Target
    action: str
    committed: float = 0.0  # wall clock, at the commit


def act(change: Change, actor) -> None:
    """One committed change through its domain action; `committed` is stamped at the commit itself (the first
    on-commit callback, before the action's own enqueue to the broker)."""
    from django.db import transaction

    from inbox.actions import post_note, record_customer_message
    from tickets.actions import post_ticket_note

    def stamp() -> None:
        change.committed = time.time()

    with transaction.atomic():
        transaction.on_commit(stamp)
        pk = change.target.pk
        if change.action == "note":
            post_note(actor=actor, conversation_id=pk, body="Live bench: a note.")
        elif change.action == "customer message":
            record_customer_message(conversation_id=pk, body="Live bench: the customer writes again.")
        else:
            post_ticket_note(actor=actor, ticket_id=pk, body="Live bench: a ticket note.")


def make_changes(pool: list[Target], shown: set[str], rng: random.Random) -> list[Change]:
    """RATE changes a second for LOAD_SECONDS, on schedule (late ones are made at once); a conversation or ticket is
    changed again only SPACING_S later, so that each publication is one change's."""
    from inbox.models import Teammate

    actor = Teammate.objects.get(pk=1)
    in_tabs = [t for t in pool if t.keys & shown]
    busy: dict[str, float] = {}
    changes = []
    started = time.monotonic()
    for k in range(int(RATE * LOAD_SECONDS)):
        time.sleep(max(0.0, started + k / RATE - time.monotonic()))
        now = time.monotonic()
        for _ in range(100):
            target = rng.choice(in_tabs if rng.random() < SHOWN_SHARE else pool)
            if all(busy.get(key, 0) <= now for key in target.keys):
                break
        for key in target.keys:
            busy[key] = now + SPACING_S
        if target.kind == "ticket":
            action = "ticket note"
        else:
            action = rng.choice(["note", "customer message"]) if target.customer_writes else "note"
        change = Change(target, action)
        act(change, actor)
        changes.append(change)
    return changes
