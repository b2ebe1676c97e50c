"""The JSON API (issue 15): server time and queries of what an integration does most, through Django's test client
as bench/measure.py times pages, with a token of its own (its requests go through the token lookup, the rate-limit
count and the idempotency check like any other):

- GET a back-office ticket (another one each request), the list of tickets (first page, and one team's), and
- POST a note with cross_post on a back-office ticket (another one each request), with an Idempotency-Key.

Targets: GET p95 <= 10 ms, POST p95 <= 15 ms. Env: BENCH_API_REQUESTS (per request kind, default 300).
"""

import json
import os
import random
import sys
import uuid

from common import time_requests
from django.test import Client

from helpdesk.models import ApiScope, ApiToken
from helpdesk.tokens import create_api_token
from inbox.models import Teammate

REQUESTS = int(os.environ.get("BENCH_API_REQUESTS", "300"))
TARGET_GET_P95_MS = 10
TARGET_POST_P95_MS = 15
TOKEN_NAME = "bench"


def bench_client(user: Teammate) -> Client:
    """A client with a new token of the bench's own (an earlier run's is deleted), without a rate limit to speak of."""
    ApiToken.objects.filter(name=TOKEN_NAME).delete()
    key = create_api_token(
        actor=None, teammate_id=user.pk, name=TOKEN_NAME, scopes=list(ApiScope.values), rate_limit=10**9
    ).key
    return Client(headers={"Authorization": f"Bearer {key}"})


def measure_api(user: Teammate, back_office_tickets: int) -> dict:
    client, rng = bench_client(user), random.Random(15)
    ticket = lambda: rng.randint(1, back_office_tickets)  # noqa: E731
    team = lambda: rng.randint(1, 50)  # noqa: E731
    note = json.dumps({"body": "Bench note through the API, cross-posted.", "cross_post": True})
    requests = {
        "GET /api/v1/tickets/{id}": ("get", lambda: client.get(f"/api/v1/tickets/{ticket()}")),
        "GET /api/v1/tickets": ("get", lambda: client.get("/api/v1/tickets")),
        "GET /api/v1/tickets?team_id=": ("get", lambda: client.get("/api/v1/tickets", {"team_id": team()})),
        "POST /api/v1/tickets/{id}/notes (cross_post)": (
            "post",
            lambda: client.post(
                f"/api/v1/tickets/{ticket()}/notes",
                note,
                content_type="application/json",
                headers={"Idempotency-Key": str(uuid.uuid4())},
            ),
        ),
    }
    print(f"API, {REQUESTS} requests each (in-process, test client):", file=sys.stderr)
    rows = {}
    for label, (method, request) in requests.items():
        rows[label] = time_requests(client, label, request, REQUESTS)
        target = TARGET_GET_P95_MS if method == "get" else TARGET_POST_P95_MS
        rows[label] |= {"target_p95_ms": target, "met": rows[label]["p95"] <= target}
    return {"requests_each": REQUESTS, "requests": rows}
