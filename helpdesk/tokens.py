"""API tokens: made in the admin for a teammate or an integration's own account, shown once, stored as a SHA-256,
scoped, rate-limited per token, revocable.

A token is 32 random bytes (url-safe base64) after the prefix `hdk_`: a secret that long needs no slow hash, so
finding one is one indexed lookup of its SHA-256. The rate limit is a fixed window of a minute per token, counted
in the token's own row by the same UPDATE that records its last use: one statement per request, shared by every
web process, on SQLite as on PostgreSQL. A request refused still counts (the window ends a minute after it began,
whatever is sent meanwhile).
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from helpdesk.errors import InvalidInput, NotFound
from helpdesk.models import ApiScope, ApiToken
from inbox.models import Teammate

PREFIX = "hdk_"
RATE_WINDOW = timedelta(minutes=1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class NewToken:
    """A token just made, and its key: the only moment the key exists outside the request that asked for it."""

    token: ApiToken
    key: str


def create_api_token(
    *, actor: Teammate | None, teammate_id: int, name: str, scopes: list[str], rate_limit: int = 600
) -> NewToken:
    """Make a token acting as `teammate_id` with these scopes. Raises NotFound, InvalidInput."""
    teammate = Teammate.objects.filter(pk=teammate_id).first()
    if teammate is None:
        raise NotFound("That teammate does not exist.")
    if not teammate.is_working:
        raise InvalidInput("A token acts as an active teammate (staff status, active account).")
    unknown = sorted(set(scopes) - set(ApiScope.values))
    if unknown or not scopes:
        raise InvalidInput("Choose at least one scope from the list.", {"scopes": [f"Unknown: {', '.join(unknown)}"]})
    if not name.strip():
        raise InvalidInput("Name the token after what uses it.", {"name": ["This field is required."]})
    key = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        name=name.strip()[:100],
        teammate=teammate,
        prefix=key[: len(PREFIX) + 6],
        key_hash=hash_key(key),
        scopes=sorted(set(scopes)),
        rate_limit=rate_limit,
        created_by=actor,
    )
    return NewToken(token=token, key=key)


@transaction.atomic
def revoke_api_tokens(*, token_ids: list[int]) -> int:
    """Revoke these tokens (at once: the next request with one is refused). Revoking twice is a no-op."""
    return ApiToken.objects.filter(pk__in=token_ids, revoked_at__isnull=True).update(revoked_at=timezone.now())


def find_token(key: str) -> ApiToken | None:
    """The live token with this key and its teammate, or None (unknown, revoked, or its teammate cannot work)."""
    if not key.startswith(PREFIX) or len(key) > 100:
        return None
    token = ApiToken.objects.select_related("teammate").filter(key_hash=hash_key(key), revoked_at__isnull=True).first()
    if token is None or not token.teammate.is_working:
        return None
    return token


def count_request(token: ApiToken, *, now: datetime | None = None) -> float | None:
    """Count a request in the token's window and record its last use. Returns None when it is allowed, else the
    seconds until the window ends (for Retry-After). Run it outside any transaction: it locks the token's row.

    One UPDATE ... RETURNING, written out: the same statement through the ORM's conditional expressions took about
    1 ms of Python to compile on every request (bench/api.py)."""
    now = now or timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    table = connection.ops.quote_name(ApiToken._meta.db_table)
    opened = "window_started_at IS NOT NULL AND window_started_at > %s"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET window_count = CASE WHEN {opened} THEN window_count + 1 ELSE 1 END,"
            f" window_started_at = CASE WHEN {opened} THEN window_started_at ELSE %s END, last_used_at = %s"
            " WHERE id = %s RETURNING window_count",
            [adapt(now - RATE_WINDOW), adapt(now - RATE_WINDOW), adapt(now), adapt(now), token.pk],
        )
        row = cursor.fetchone()
    if row is None or row[0] <= token.rate_limit:
        return None
    started = ApiToken.objects.filter(pk=token.pk).values_list("window_started_at", flat=True).first() or now
    return max((started + RATE_WINDOW - now).total_seconds(), 1.0)


def create_integration_account(*, name: str) -> Teammate:
    """A teammate account for an integration (a billing console, a fraud tool) that its tokens act as: staff, so
    that it may act, without a password, so that nobody signs in with it. Its notes and changes show `name`."""
    name = name.strip()[:150]
    if not name:
        raise InvalidInput("Name the integration.", {"integration": ["This field is required."]})
    base = "integration-" + (slugify(name)[:100] or "account")
    username, number = base, 1
    while Teammate.objects.filter(username=username).exists():
        number += 1
        username = f"{base}-{number}"
    account = Teammate(username=username, first_name=name, is_staff=True)
    account.set_unusable_password()
    account.save()
    return account
