"""Signed webhooks: each domain event an endpoint subscribed to becomes a delivery, sent after the commit through the
outbox by a task of its own (a lease, no transaction open while it POSTs), retried with exponential backoff for
WEBHOOK_RETRY_FOR (24 h), replayable from the admin.

Each app's subscribers (tickets/webhooks.py, inbox/webhooks.py) map its events to topics and call `queue_webhooks`
with the API's own shape of what changed. A delivery's body is frozen when it is made:

    {"id": "<delivery id>", "topic": "ticket.created", "created_at": "...", "data": {"ticket": {...}}}

and every attempt POSTs the same bytes with these headers (the Standard Webhooks layout, Stripe's signing):

    Webhook-Id: <delivery id>          the same on every attempt and replay: receivers dedupe by it
    Webhook-Timestamp: <unix seconds>  of this attempt
    Webhook-Topic: ticket.created
    Webhook-Signature: v1=<hex HMAC-SHA256(secret, f"{timestamp}.{body}")>

A receiver recomputes the signature with the endpoint's secret (`verify`), refuses a timestamp older than five
minutes (a replayed request), and answers 2xx quickly. Anything else is a failure (a redirect too: never followed),
tried again after WEBHOOK_RETRY_BASE, doubling, until WEBHOOK_RETRY_FOR after the delivery was made; an endpoint
failing for WEBHOOK_DISABLE_AFTER is disabled, with the reason on its admin page.
"""

import hashlib
import hmac
import json
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from helpdesk.errors import InvalidInput, NotFound
from helpdesk.models import DeliveryStatus, OutboxEvent, WebhookDelivery, WebhookEndpoint, WebhookTopic
from helpdesk.outbox import Event, record, subscribe
from inbox.models import Teammate

logger = logging.getLogger(__name__)
SIGNATURE_VERSION = "v1"
TOLERANCE_SECONDS = 300


def sign(secret: str, timestamp: int, body: str) -> str:
    """The `Webhook-Signature` of a body sent at `timestamp`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


def verify(
    secret: str, headers: Mapping[str, str], body: str, *, now: float | None = None, tolerance: int = TOLERANCE_SECONDS
) -> bool:
    """What a receiver checks: a signature over this timestamp and body made with `secret` (the header may carry
    several, space-separated, as while a secret is rotated: one is enough), and a timestamp of the last `tolerance`
    seconds (a request captured and sent again later is refused). Header names in any case; never raises."""
    named = {name.lower(): value for name, value in headers.items()}
    try:
        timestamp = int(named["webhook-timestamp"])
    except (KeyError, ValueError):
        return False
    if abs((now or time.time()) - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body).encode()
    given = named.get("webhook-signature", "").split()
    return any(hmac.compare_digest(expected, signature.encode("utf-8", "replace")) for signature in given)


@dataclass(frozen=True, kw_only=True)
class WebhookQueued(Event):
    """A delivery is due: it is sent after the commit (and again when a retry is due, or an admin replays it)."""

    delivery_pk: int


def subscribed_topics() -> set[str]:
    """The topics some active endpoint wants (one small query): events of other topics cost nothing more."""
    return {
        topic
        for topics in WebhookEndpoint.objects.filter(active=True).values_list("topics", flat=True)
        for topic in topics
    }


def queue_events(
    rows: list[OutboxEvent], *, topics: Mapping[type[Event], WebhookTopic], data: Callable[[OutboxEvent], dict]
) -> None:
    """For an app's batch subscriber: queue each event under its topic, its `data` built only when some active
    endpoint wants that topic."""
    wanted, by_kind = subscribed_topics(), {event_class.__name__: topic for event_class, topic in topics.items()}
    for row in rows:
        if (topic := by_kind[row.kind]) in wanted:
            queue_webhooks(row=row, topic=topic, data=data(row))


def queue_webhooks(*, row: OutboxEvent, topic: WebhookTopic, data: dict[str, Any]) -> list[WebhookDelivery]:
    """One delivery of `data` for each active endpoint subscribed to `topic`, once per endpoint and outbox event
    (a handler applied again makes none). Emits WebhookQueued for each new one."""
    endpoints = [e for e in WebhookEndpoint.objects.filter(active=True) if topic in e.topics]
    already = set(WebhookDelivery.objects.filter(event=row, endpoint__in=endpoints).values_list("endpoint", flat=True))
    made = []
    for endpoint in endpoints:
        if endpoint.pk in already:
            continue
        delivery_id = uuid.uuid4()
        body = {"id": str(delivery_id), "topic": topic.value, "created_at": row.created_at.isoformat(), "data": data}
        made.append(
            WebhookDelivery(delivery_id=delivery_id, endpoint=endpoint, event=row, topic=topic, body=json.dumps(body))
        )
    made = WebhookDelivery.objects.bulk_create(made)
    record(*(WebhookQueued(delivery_pk=delivery.pk) for delivery in made))
    return made


@subscribe(WebhookQueued)
def send_webhook(row: OutboxEvent) -> None:
    """Hand the delivery to its own task once the outbox's transaction commits: the POST, which may take
    WEBHOOK_TIMEOUT, never holds up the other events the worker applies with it."""
    transaction.on_commit(partial(enqueue_send, row.payload["delivery_pk"]))


def enqueue_send(delivery_pk: int) -> None:
    from helpdesk.tasks import send_webhook_delivery

    try:
        send_webhook_delivery.delay(delivery_pk)
    except Exception:  # any broker error: the delivery stays queued, and retry_due_webhooks queues it again
        logger.warning("Could not enqueue webhook delivery %s; the retry beat will.", delivery_pk, exc_info=True)


LEASE_MARGIN = timedelta(seconds=5)


def claim(delivery_pk: int, *, now: datetime) -> WebhookDelivery | None:
    """Take a queued delivery whose attempt is due for one attempt: a lease until it must be over (WEBHOOK_TIMEOUT,
    and a margin). None if another task holds it, or there is nothing to send."""
    free = Q(leased_until__isnull=True) | Q(leased_until__lt=now)
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    until = now + timedelta(seconds=settings.WEBHOOK_TIMEOUT) + LEASE_MARGIN
    taken = WebhookDelivery.objects.filter(free, due, pk=delivery_pk, status=DeliveryStatus.QUEUED)
    if not taken.update(leased_until=until):
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_pk)


def deliver_webhook(*, delivery_pk: int) -> WebhookDelivery | None:
    """Send a queued delivery whose attempt is due, once, with no transaction open while it POSTs: claimed (a
    lease), sent, then its outcome recorded if the lease is still its own: sent, or tried again later (backoff), or
    failed for good once WEBHOOK_RETRY_FOR has passed or its endpoint is disabled. Anything else is left alone."""
    delivery = claim(delivery_pk, now=timezone.now())
    if delivery is None:
        return WebhookDelivery.objects.filter(pk=delivery_pk).first()
    endpoint = delivery.endpoint
    if not endpoint.active:
        reason = endpoint.disabled_reason or "The endpoint is turned off."
        return record_attempt(delivery, error=reason, final=True)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "helpdesk-webhooks/1",
        "Webhook-Id": str(delivery.delivery_id),
        "Webhook-Timestamp": str(timestamp),
        "Webhook-Topic": delivery.topic,
        "Webhook-Signature": sign(endpoint.secret, timestamp, delivery.body),
    }
    started = time.monotonic()
    try:
        # Streamed: a 2xx body is never read (a receiver sending megabytes holds nothing up); redirects are not
        # followed, wherever they point.
        with requests.post(
            endpoint.url,
            data=delivery.body.encode(),
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT,
            allow_redirects=False,
            stream=True,
        ) as response:
            delivery.response_code, error = response.status_code, refusal_of(response)
    except requests.RequestException as exc:
        delivery.response_code, error = None, f"{type(exc).__name__}: {exc}"
    delivery.response_ms = round((time.monotonic() - started) * 1000)
    delivery.attempts += 1
    return record_attempt(delivery, error=error)


@transaction.atomic
def record_attempt(delivery: WebhookDelivery, *, error: str, final: bool = False) -> WebhookDelivery:
    """The attempt's outcome, if the delivery's lease is still the one this attempt took (else another attempt
    took over after it expired, and records its own)."""
    current = WebhookDelivery.objects.select_for_update().select_related("endpoint").get(pk=delivery.pk)
    if current.leased_until != delivery.leased_until:
        return current
    now, endpoint = timezone.now(), current.endpoint
    if final:
        return _finish(delivery, status=DeliveryStatus.FAILED, error=error, now=now)
    if not error:
        _endpoint_succeeded(endpoint)
        return _finish(delivery, status=DeliveryStatus.SENT, error="", now=now)
    logger.warning(
        "Webhook %s to %s failed (attempt %s): %s", delivery.delivery_id, endpoint.url, delivery.attempts, error
    )
    _endpoint_failed(endpoint, now=now)
    retry_at = now + settings.WEBHOOK_RETRY_BASE * 2 ** (delivery.attempts - 1)
    if not endpoint.active or retry_at > delivery.created_at + settings.WEBHOOK_RETRY_FOR:
        return _finish(delivery, status=DeliveryStatus.FAILED, error=error, now=now)
    delivery.next_attempt_at, delivery.last_error, delivery.leased_until = retry_at, error[:1000], None
    fields = ["attempts", "response_code", "response_ms", "next_attempt_at", "last_error", "leased_until"]
    delivery.save(update_fields=fields)
    return delivery


ERROR_BODY_BYTES = 500  # what is kept of a refusing answer's body, for the admin to show why


def refusal_of(response: requests.Response) -> str:
    """Why an answer is a failure ("" for a 2xx): its status, where a redirect pointed, the start of what it said."""
    status = response.status_code
    if 200 <= status < 300:
        return ""
    if 300 <= status < 400:
        return f"HTTP {status} redirect to {response.headers.get('Location', '(no Location)')} (not followed)"
    said = response.raw.read(ERROR_BODY_BYTES, decode_content=True).decode("utf-8", "replace").strip()
    return f"HTTP {status}: {said}" if said else f"HTTP {status}"


def _finish(delivery: WebhookDelivery, *, status: DeliveryStatus, error: str, now: Any) -> WebhookDelivery:
    delivery.status, delivery.last_error, delivery.next_attempt_at = status, error[:1000], None
    delivery.sent_at, delivery.leased_until = (now if status == DeliveryStatus.SENT else None), None
    fields = [
        "status", "attempts", "response_code", "response_ms", "next_attempt_at", "last_error", "sent_at", "leased_until"
    ]  # fmt: skip
    delivery.save(update_fields=fields)
    return delivery


def _endpoint_succeeded(endpoint: WebhookEndpoint) -> None:
    if endpoint.failing_since is not None:
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)


def _endpoint_failed(endpoint: WebhookEndpoint, *, now: Any) -> None:
    """Note when the endpoint began to fail; disable it once it has failed for WEBHOOK_DISABLE_AFTER."""
    since = endpoint.failing_since or now
    if now - since < settings.WEBHOOK_DISABLE_AFTER:
        if endpoint.failing_since is None:
            WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(failing_since=now)
        return
    endpoint.active, endpoint.disabled_at = False, now
    endpoint.disabled_reason = f"Disabled after failing since {since:%Y-%m-%d %H:%M} UTC: every delivery since failed."
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        active=False, disabled_at=now, disabled_reason=endpoint.disabled_reason
    )


@transaction.atomic
def retry_due_webhooks(*, limit: int = 500) -> int:
    """Queue again the queued deliveries that no task is sending and that should be: their retry is due, or their
    lease expired (the worker died mid-send), or they were never taken within OUTBOX_SWEEP_AFTER (their task was lost
    with the broker; a task still waiting in it finds the delivery taken). Returns how many. Emits WebhookQueued for
    each."""
    now = timezone.now()
    waiting = Q(
        next_attempt_at__isnull=True, leased_until__isnull=True, created_at__lt=now - settings.OUTBOX_SWEEP_AFTER
    )
    due = list(
        WebhookDelivery.objects.select_for_update(skip_locked=True)
        .filter(Q(next_attempt_at__lte=now) | Q(leased_until__lt=now) | waiting, status=DeliveryStatus.QUEUED)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    # Due now: the event carries the retry, and the next beat does not queue it a second time.
    WebhookDelivery.objects.filter(pk__in=due).update(next_attempt_at=None)
    record(*(WebhookQueued(delivery_pk=pk) for pk in due))
    return len(due)


@transaction.atomic
def replay_webhook(*, actor: Teammate, delivery_pk: int) -> WebhookDelivery:
    """Send a sent or failed delivery again: the same id and body (receivers dedupe by the id), a new attempt.
    Raises NotFound, InvalidInput (still queued, or its endpoint is disabled). Emits WebhookQueued."""
    delivery = WebhookDelivery.objects.select_for_update().select_related("endpoint").filter(pk=delivery_pk).first()
    if delivery is None:
        raise NotFound("That webhook delivery does not exist.")
    if delivery.status == DeliveryStatus.QUEUED:
        raise InvalidInput("This delivery is still queued: it is sent, or retried, on its own.")
    if not delivery.endpoint.active:
        raise InvalidInput(f"The endpoint {delivery.endpoint} is disabled; turn it on first.")
    delivery.status, delivery.sent_at, delivery.next_attempt_at = DeliveryStatus.QUEUED, None, None
    delivery.last_error = f"Replayed by {actor.display_name}."
    delivery.save(update_fields=["status", "sent_at", "next_attempt_at", "last_error"])
    record(WebhookQueued(delivery_pk=delivery.pk))
    return delivery


@transaction.atomic
def rotate_webhook_secret(*, endpoint_id: int) -> WebhookEndpoint:
    """Give the endpoint a new secret: deliveries from now on are signed with it. Raises NotFound."""
    from helpdesk.models import new_webhook_secret

    endpoint = WebhookEndpoint.objects.select_for_update().filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound("That webhook endpoint does not exist.")
    endpoint.secret = new_webhook_secret()
    endpoint.save(update_fields=["secret"])
    return endpoint
