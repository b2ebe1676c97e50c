"""The JSON API (issue 15): server time and queries of what an integration does most, through Django's test client
as bench/measure.py times pages, with a token of its own (its requests go through the token lookup, the rate-limit
count and the idempotency check like any other):

- GET a back-office ticket (another one each request), the list of tickets (first page, and one team's), and
- POST a note with cross_post on a back-office ticket (another one each request), with an Idempotency-Key; then
  the same POST again with the Celery worker stopped, as a diagnosis: the request alone, without the worker
  delivering the earlier notes' cross-posts on the same cores (what the first POST row pays on a small machine).

Measured as the pages are (common.time_requests: the same warm-up, the same number of requests, the query log reset
before each). The token is the bench's own: made for this run and deleted after it (with the idempotency keys it
stored), as is one an interrupted run left; no other token is touched. The notes and their cross-posts stay in the
bench's database, as the throughput's do; the part ends when the worker has delivered every cross-post.

Targets: GET p95 <= 10 ms, POST p95 <= 15 ms. Env: BENCH_API_REQUESTS (per request kind, default BENCH_REQUESTS, as
the pages: 200).
"""

import json
import os
import random
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from common import time_requests
from django.test import Client
from procs import Process, wait_for

from helpdesk.models import ApiScope, ApiToken, OutboxEvent
from helpdesk.tokens import create_api_token
from inbox.models import Teammate

REQUESTS = int(os.environ.get("BENCH_API_REQUESTS") or os.environ.get("BENCH_REQUESTS", "200"))
TARGET_GET_P95_MS = 10
TARGET_POST_P95_MS = 15
TOKEN_NAME = "bench"
POST = "POST /api/v1/tickets/{id}/notes (cross_post)"
POST_ALONE = f"{POST}, worker stopped"


@contextmanager
def bench_client(user: Teammate) -> Iterator[Client]:
    """A client with a token of the bench's own, without a rate limit to speak of. Only the bench's tokens are
    deleted (its name, for `user`, made by nobody in the admin): one an earlier run left, and this one after the run,
    with the idempotency keys it stored (CASCADE)."""
    bench_tokens = ApiToken.objects.filter(name=TOKEN_NAME, teammate=user, created_by=None)
    bench_tokens.delete()
    key = create_api_token(
        actor=None, teammate_id=user.pk, name=TOKEN_NAME, scopes=list(ApiScope.values), rate_limit=10**9
    ).key
    try:
        yield Client(headers={"Authorization": f"Bearer {key}"})
    finally:
        bench_tokens.delete()


def check_answers(client: Client, team: int) -> None:
    """What is timed answers what it should (once, untimed): a back-office ticket; the team's tickets only."""
    ticket = client.get("/api/v1/tickets/1").json()
    assert ticket["category"] == "back_office", ticket
    rows = client.get("/api/v1/tickets", {"team_id": team}).json()["data"]
    assert rows and {row["team"]["id"] for row in rows} == {team}, rows


def measure_api(user: Teammate, back_office_tickets: int, worker: Process) -> dict:
    rng = random.Random(15)
    with bench_client(user) as client:
        check_answers(client, team=7)
        kinds = requests(client, rng, back_office_tickets)
        print(f"API, {REQUESTS} requests each (in-process, test client):", file=sys.stderr)
        rows = {label: timed(client, label, method, request) for label, (method, request) in kinds.items()}
        # The POST again with the worker stopped (its tasks wait in Redis): above, the worker delivers the earlier
        # notes' cross-posts on the same cores while each POST runs, as one note every ~10 ms keeps it busy.
        worker.stop()
        try:
            rows[POST_ALONE] = timed(client, POST_ALONE, "post", kinds[POST][1])
        finally:
            worker.start()
    # The notes' cross-posts delivered before the part ends, so that nothing is left pending after the run.
    wait_for(lambda: not OutboxEvent.objects.filter(done_at=None).exists(), timeout=600, interval=0.2, what="outbox")
    return {"requests_each": REQUESTS, "requests": rows}


def requests(client: Client, rng: random.Random, back_office_tickets: int) -> dict[str, tuple[str, Callable]]:
    ticket = lambda: rng.randint(1, back_office_tickets)  # noqa: E731
    team = lambda: rng.randint(1, 50)  # noqa: E731
    note = json.dumps({"body": "Bench note through the API, cross-posted.", "cross_post": True})
    return {
        "GET /api/v1/tickets/{id}": ("get", lambda: client.get(f"/api/v1/tickets/{ticket()}")),
        "GET /api/v1/tickets": ("get", lambda: client.get("/api/v1/tickets")),
        "GET /api/v1/tickets?team_id=": ("get", lambda: client.get("/api/v1/tickets", {"team_id": team()})),
        POST: (
            "post",
            lambda: client.post(
                f"/api/v1/tickets/{ticket()}/notes",
                note,
                content_type="application/json",
                headers={"Idempotency-Key": str(uuid.uuid4())},
            ),
        ),
    }


def timed(client: Client, label: str, method: str, request: Callable) -> dict:
    target = TARGET_GET_P95_MS if method == "get" else TARGET_POST_P95_MS
    row = time_requests(client, label, request, REQUESTS)
    return row | {"target_p95_ms": target, "met": row["p95"] <= target}
