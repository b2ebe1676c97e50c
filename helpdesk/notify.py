"""Teammates' notifications: the bell (issue 16).

The apps say what is worth a teammate's attention (inbox/notify.py, tickets/notify.py: assigned to you, mentioned,
the customer replied in a conversation linked to your ticket, a ticket you made or follow moved, a response target
due or missed); their outbox handlers call `notify`, which writes one row per recipient and cause in the handler's
transaction, so a handler applied twice notifies once. The bell of every tab of the recipient follows the topic
`notifications-<id>` (helpdesk/live.py), published after the commit; reading one, or all, tells the other tabs too.
A teammate may ask for an email digest of what they have not read (`send_digests`, Celery beat).
"""

import dataclasses
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from helpdesk.errors import NotFound
from helpdesk.live import Touched, topics_of
from helpdesk.models import DigestFrequency, Notification, NotificationKind, NotificationSettings
from helpdesk.outbox import Event, record
from helpdesk.pagination import Cursor, Key, Page, paginate
from inbox.models import WORKING, Teammate
from tickets import access

EXCERPT_LENGTH = 200
PAGE_SIZE = 20
DIGEST_PERIODS = {DigestFrequency.HOURLY: timedelta(hours=1), DigestFrequency.DAILY: timedelta(days=1)}
DIGEST_MAX_ITEMS = 50  # a digest lists the newest ones and says how many more wait under the bell
KEYS = (Key("created_at", descending=True), Key("pk", descending=True))


@dataclasses.dataclass(frozen=True, kw_only=True)
class TeammatesNotified(Event):
    teammate_ids: list[int]


@dataclasses.dataclass(frozen=True, kw_only=True)
class NotificationsRead(Event):
    teammate_id: int


def notifications_topic(teammate_id: int) -> str:
    return f"notifications-{teammate_id}"


@topics_of(TeammatesNotified)
def notified(payload: dict[str, Any]) -> Touched:
    return Touched(topics={notifications_topic(teammate_id) for teammate_id in payload["teammate_ids"]})


@topics_of(NotificationsRead)
def read(payload: dict[str, Any]) -> Touched:
    return Touched(topics={notifications_topic(payload["teammate_id"])})


def excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_LENGTH else flat[: EXCERPT_LENGTH - 1] + "…"


def notify(
    *,
    recipient_ids: Iterable[int | None],
    key: str,
    kind: NotificationKind,
    text: str,
    url: str,
    body: str = "",
    actor_id: int | None = None,
    conversation_id: int | None = None,
    ticket_id: int | None = None,
) -> list[int]:
    """Tell these teammates (not the actor, and only those who work the inbox and may see the conversation or ticket
    it is about: tickets/access.py) about one thing, once per `key`. Returns whom it told (or had told before, for
    the same key)."""
    wanted = {pk for pk in recipient_ids if pk is not None} - {actor_id}
    if not wanted:
        return []
    recipients = sorted(
        teammate.pk
        for teammate in Teammate.objects.filter(WORKING, pk__in=wanted).only("pk", "access")
        if access.may_know(teammate, conversation_id=conversation_id, ticket_id=ticket_id)
    )
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk, kind=kind, actor_id=actor_id, text=text[:300], excerpt=excerpt(body), url=url, key=key
            )
            for pk in recipients
        ],
        ignore_conflicts=True,
    )
    if recipients:
        record(TeammatesNotified(teammate_ids=recipients))
    return recipients


def count_unread(*, teammate: Teammate) -> int:
    return Notification.objects.filter(recipient=teammate, read_at__isnull=True).count()


def list_notifications(*, teammate: Teammate, unread_only: bool = False, cursor: Cursor | None = None) -> Page:
    rows = Notification.objects.filter(recipient=teammate).select_related("actor")
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return paginate(rows, keys=KEYS, cursor=cursor, page_size=PAGE_SIZE)


def get_digest_settings(*, teammate: Teammate) -> NotificationSettings:
    return NotificationSettings.objects.filter(teammate=teammate).first() or NotificationSettings(teammate=teammate)


@transaction.atomic
def mark_read(*, actor: Teammate, notification_id: int) -> Notification:
    """Mark one of the actor's notifications read (again: nothing changes). Raises NotFound for anyone else's."""
    notification = Notification.objects.select_for_update().filter(recipient=actor, pk=notification_id).first()
    if notification is None:
        raise NotFound("That notification does not exist, or is not yours.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        record(NotificationsRead(teammate_id=actor.pk))
    return notification


@transaction.atomic
def mark_all_read(*, actor: Teammate) -> int:
    """Mark every unread notification of the actor read; returns how many."""
    count = Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())
    if count:
        record(NotificationsRead(teammate_id=actor.pk))
    return count


@transaction.atomic
def set_email_digest(*, actor: Teammate, frequency: DigestFrequency) -> NotificationSettings:
    settings_row, _ = NotificationSettings.objects.select_for_update().get_or_create(teammate=actor)
    if settings_row.email_digest != frequency:
        settings_row.email_digest = frequency
        # The first digest covers what arrives from now on, not every old unread notification.
        settings_row.last_digest_at = timezone.now()
        settings_row.save(update_fields=["email_digest", "last_digest_at"])
    return settings_row


def send_digests(*, now: datetime | None = None) -> int:
    """Email each teammate who asked for a digest, and whose period has passed, what they have not read nor been
    emailed yet. Returns how many emails went out. Each teammate's digest is sent under the lock of their settings
    row (SKIP LOCKED: two beats never send one twice) and marked in the same transaction; a crash between the send
    and the commit could send one again, never lose one."""
    now = now or timezone.now()
    sent = 0
    for frequency, period in DIGEST_PERIODS.items():
        due = NotificationSettings.objects.filter(
            Q(last_digest_at__isnull=True) | Q(last_digest_at__lte=now - period),
            email_digest=frequency,
            teammate__is_active=True,
            teammate__is_staff=True,
        ).values_list("pk", flat=True)
        for teammate_id in due:
            sent += send_digest(teammate_id=teammate_id, now=now)
    return sent


@transaction.atomic
def send_digest(*, teammate_id: int, now: datetime) -> int:
    settings_row = (
        NotificationSettings.objects.select_for_update(skip_locked=True)
        .select_related("teammate")
        .filter(pk=teammate_id)
        .first()
    )
    if settings_row is None:
        return 0
    waiting = Notification.objects.filter(
        recipient_id=teammate_id, read_at__isnull=True, emailed_at__isnull=True, created_at__lte=now
    )
    rows = list(waiting.select_related("actor").order_by("-created_at", "-pk")[:DIGEST_MAX_ITEMS])
    settings_row.last_digest_at = now
    settings_row.save(update_fields=["last_digest_at"])
    teammate = settings_row.teammate
    if not rows or not teammate.email:
        return 0
    more = waiting.count() - len(rows)
    context = {"teammate": teammate, "notifications": rows, "more": more, "base_url": settings.SITE_URL}
    EmailMessage(
        subject=f"{len(rows) + more} unread notification{'s' if len(rows) + more != 1 else ''} in the help desk",
        body=render_to_string("emails/notification_digest.txt", context),
        to=[teammate.email],
        headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
    ).send()
    waiting.update(emailed_at=now)
    return 1
