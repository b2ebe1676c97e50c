"""What happens to an API request before its operation runs: the token is found, counted against its rate limit
(429 with Retry-After past it), and a POST with an `Idempotency-Key` is answered once.

Idempotency: the key's row is inserted first (`claim`), in the transaction that then runs the operation and stores
its response. A second request with the same key waits on that insert until the first commits, then replays what it
stored (`Idempotent-Replayed: true`): an integration that retries never creates two tickets, even when its retry
overlaps the first attempt. The same key with another method, path or body is refused (422); a 5xx is not kept
(the transaction rolls back), so a retry after one runs again. A key is kept for IDEMPOTENCY_TTL.
"""

import hashlib
import math
from collections.abc import Callable
from datetime import timedelta

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from helpdesk.api import error
from helpdesk.models import ApiToken, IdempotencyKey
from helpdesk.tokens import count_request, find_token

API_PREFIX = "/api/"
IDEMPOTENCY_TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 255


class ApiMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        scheme, _, key = request.headers.get("Authorization", "").partition(" ")
        token = find_token(key.strip()) if scheme.lower() == "bearer" else None
        request.api_token = token  # type: ignore[attr-defined]  # read by helpdesk.api.TokenAuth
        if token is None:
            return self.get_response(request)
        if (wait := count_request(token)) is not None:
            response = error(429, "rate_limited", f"This token is limited to {token.rate_limit} requests a minute.")
            response["Retry-After"] = str(math.ceil(wait))
            return response
        idempotency_key = request.headers.get("Idempotency-Key")
        if request.method == "POST" and idempotency_key is not None:
            return self.answer_once(request, token, idempotency_key)
        return self.get_response(request)

    def answer_once(self, request: HttpRequest, token: ApiToken, key: str) -> HttpResponse:
        if not 0 < len(key) <= MAX_KEY_LENGTH or not key.isprintable():
            message = f"An Idempotency-Key is 1 to {MAX_KEY_LENGTH} printable characters."
            return error(400, "invalid_idempotency_key", message)
        fingerprint = hashlib.sha256(b"\n".join([b"POST", request.path.encode(), request.body])).hexdigest()
        with transaction.atomic():
            kept_id = claim(token, key, fingerprint)
            if kept_id is None:
                kept = IdempotencyKey.objects.get(token=token, key=key)
                if kept.created_at >= timezone.now() - IDEMPOTENCY_TTL:
                    return replay(kept, fingerprint)
                kept.delete()  # expired: this request is a new one
                kept_id = claim(token, key, fingerprint)
                if kept_id is None:  # another request with this key was first to see it expired
                    return replay(IdempotencyKey.objects.get(token=token, key=key), fingerprint)
            response = self.get_response(request)
            if response.status_code >= 500:
                transaction.set_rollback(True)
                return response
            IdempotencyKey.objects.filter(pk=kept_id).update(
                status=response.status_code, body=response.content, content_type=response.get("Content-Type", "")
            )
            return response


def claim(token: ApiToken, key: str, fingerprint: str) -> int | None:
    """Insert the key's row, or find it taken (None). A request holding the same key in a transaction not yet
    committed makes this wait until it ends: then the key is taken (it committed) or free (it rolled back).

    INSERT ... ON CONFLICT DO NOTHING, in one statement: an IntegrityError caught instead would cost a savepoint
    around the insert, two more round trips on every idempotent POST (bench/api.py)."""
    table, key_column = connection.ops.quote_name(IdempotencyKey._meta.db_table), connection.ops.quote_name("key")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (token_id, {key_column}, fingerprint, status, content_type, body, created_at)"
            f" VALUES (%s, %s, %s, 0, '', %s, %s) ON CONFLICT (token_id, {key_column}) DO NOTHING RETURNING id",
            [token.pk, key, fingerprint, b"", timezone.now()],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def replay(kept: IdempotencyKey, fingerprint: str) -> HttpResponse:
    if kept.fingerprint != fingerprint:
        message = "This Idempotency-Key was used for another request; use a new key for a new request."
        return error(422, "idempotency_key_reused", message)
    response = HttpResponse(bytes(kept.body), status=kept.status, content_type=kept.content_type)
    response["Idempotent-Replayed"] = "true"
    return response


def purge_expired_keys() -> int:
    """Delete the idempotency keys past IDEMPOTENCY_TTL, which replay nothing any more. Returns how many."""
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - IDEMPOTENCY_TTL).delete()
    return deleted
