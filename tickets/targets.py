"""Response targets of back-office tickets (issue 16): per ticket type, a target for the first action (a note or a
state change by a teammate) and one for resolution, counted in the ticket's team's business hours (TeamHours; a team
without them counts every hour), paused while the ticket waits on the customer.

A target's due time is computed when the ticket is created and moved on when a pause ends, so that finding what is due
soon or missed is one indexed range (`due_at` of the running targets). `check_response_targets` (Celery beat) warns
of a target about to be missed and marks one missed, each once, as a ticket event and a notification.
"""

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from helpdesk.outbox import record
from inbox.models import Teammate
from tickets import events
from tickets.models import (
    ResponseTarget,
    StateCategory,
    TargetKind,
    TeamHours,
    Ticket,
    TicketCategory,
    TicketPart,
    TicketPartKind,
    TicketState,
)

MAX_DAYS = 3 * 366  # a target further than this in business time is a mistake in its type


def working_windows(start: datetime, hours: TeamHours) -> Iterator[tuple[datetime, datetime]]:
    """The team's open hours from `start` on, as (from, to) instants, the first one cut at `start`."""
    zone = ZoneInfo(hours.time_zone)
    first_day = start.astimezone(zone).date()
    for offset in range(MAX_DAYS):
        day = first_day + timedelta(days=offset)
        if str(day.isoweekday()) not in hours.weekdays:
            continue
        opens, closes = at(day, hours.opens_at, zone), at(day, hours.closes_at, zone)
        if closes > start:
            yield max(opens, start), closes


def at(day: date, clock: object, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone)  # type: ignore[arg-type]


def add_business_time(start: datetime, duration: timedelta, hours: TeamHours | None) -> datetime:
    """The instant `duration` of the team's business time after `start`."""
    if hours is None:
        return start + duration
    left = duration
    for opens, closes in working_windows(start, hours):
        if closes - opens >= left:
            return opens + left
        left -= closes - opens
    raise ValueError(f"{duration} of business time does not fit in {MAX_DAYS} days of these hours.")


def business_time_between(start: datetime, end: datetime, hours: TeamHours | None) -> timedelta:
    if end <= start:
        return timedelta(0)
    if hours is None:
        return end - start
    total = timedelta(0)
    for opens, closes in working_windows(start, hours):
        if opens >= end:
            break
        total += min(closes, end) - opens
    return total


def hours_of(ticket: Ticket) -> TeamHours | None:
    return TeamHours.objects.filter(team_id=ticket.team_id).first() if ticket.team_id else None


def start_targets(ticket: Ticket) -> None:
    """Set the response targets of a new back-office ticket from its type's (inside the creating action)."""
    ticket_type = ticket.ticket_type
    durations = {
        TargetKind.FIRST_ACTION: ticket_type.first_action_target,
        TargetKind.RESOLUTION: ticket_type.resolution_target,
    }
    wanted = {kind: duration for kind, duration in durations.items() if duration is not None}
    if ticket.category != TicketCategory.BACK_OFFICE or not wanted:
        return
    hours = hours_of(ticket)
    ResponseTarget.objects.bulk_create(
        ResponseTarget(ticket=ticket, kind=kind, due_at=add_business_time(ticket.created_at, duration, hours))
        for kind, duration in wanted.items()
    )


def meet(ticket: Ticket, *kinds: TargetKind) -> None:
    ResponseTarget.objects.filter(ticket=ticket, kind__in=kinds, met_at__isnull=True).update(met_at=timezone.now())


def acted(ticket: Ticket, actor: Teammate | None) -> None:
    """A teammate noted or moved the ticket (inside that action): its first action is done."""
    if actor is not None:
        meet(ticket, TargetKind.FIRST_ACTION)


def state_changed(ticket: Ticket, *, previous: TicketState, actor: Teammate | None) -> None:
    """Inside change_ticket_state: resolving meets every target; waiting on the customer pauses the running ones;
    leaving that state resumes them, each due as much business time later as it had left when paused."""
    now = timezone.now()
    acted(ticket, actor)
    category = ticket.state.category
    if category == StateCategory.RESOLVED:
        meet(ticket, TargetKind.FIRST_ACTION, TargetKind.RESOLUTION)
        return
    targets = ResponseTarget.objects.filter(ticket=ticket, met_at__isnull=True)
    if category == StateCategory.WAITING_ON_CUSTOMER:
        targets.filter(paused_at__isnull=True).update(paused_at=now)
    elif previous.category == StateCategory.WAITING_ON_CUSTOMER:
        hours = hours_of(ticket)
        for target in targets.filter(paused_at__isnull=False):
            left = business_time_between(target.paused_at, target.due_at, hours)  # type: ignore[arg-type]
            # Due later: it may warn again when that comes near.
            target.due_at, target.paused_at, target.warned_at = add_business_time(now, left, hours), None, None
            target.save(update_fields=["due_at", "paused_at", "warned_at"])


def team_changed(ticket: Ticket, *, previous_team_id: int | None) -> None:
    """Inside assign_ticket: the ticket moved to another team, which keeps other business hours. Each target not met
    nor missed keeps the business time it had left (counted in the old team's hours, up to now or to its pause) and
    is due that much of the new team's business time from then on."""
    if ticket.team_id == previous_team_id:
        return
    old = TeamHours.objects.filter(team_id=previous_team_id).first() if previous_team_id else None
    new, now = hours_of(ticket), timezone.now()
    for target in ResponseTarget.objects.filter(ticket=ticket, met_at__isnull=True, missed_at__isnull=True):
        since = target.paused_at or now
        left = business_time_between(since, target.due_at, old)
        target.due_at, target.warned_at = add_business_time(since, left, new), None
        target.save(update_fields=["due_at", "warned_at"])


def check_response_targets(*, now: datetime | None = None, limit: int = 500) -> tuple[int, int]:
    """Warn of the running targets due within RESPONSE_TARGET_WARNING and mark those past due missed, each once.
    Returns (warned, missed)."""
    now = now or timezone.now()
    running = ResponseTarget.objects.filter(met_at__isnull=True, paused_at__isnull=True, missed_at__isnull=True)
    due = running.filter(due_at__lte=now).values_list("pk", flat=True)[:limit]
    soon = running.filter(
        Q(warned_at__isnull=True), due_at__gt=now, due_at__lte=now + settings.RESPONSE_TARGET_WARNING
    ).values_list("pk", flat=True)[:limit]
    missed = sum(mark_missed(target_id=pk, now=now) for pk in due)
    warned = sum(warn(target_id=pk, now=now) for pk in soon)
    return warned, missed


def locked_running(target_id: int) -> ResponseTarget | None:
    return (
        ResponseTarget.objects.select_for_update(skip_locked=True)
        .select_related("ticket")
        .filter(pk=target_id, met_at__isnull=True, paused_at__isnull=True, missed_at__isnull=True)
        .first()
    )


@transaction.atomic
def mark_missed(*, target_id: int, now: datetime) -> bool:
    target = locked_running(target_id)
    if target is None or target.due_at > now:
        return False
    target.missed_at = now
    target.save(update_fields=["missed_at"])
    Ticket.objects.filter(pk=target.ticket_id).update(updated_at=now)  # its header shows the miss
    label = target.get_kind_display()
    TicketPart.objects.create(
        ticket=target.ticket,
        kind=TicketPartKind.EVENT,
        event_type="target_missed",
        body=f"The {label.lower()} target was missed: it was due {timezone.localtime(target.due_at):%b %-d, %H:%M}.",
        data={"target": target.kind},
    )
    record(
        events.ResponseTargetMissed(ticket_id=target.ticket_id, target=target.kind, due_at=target.due_at.isoformat())
    )
    return True


@transaction.atomic
def warn(*, target_id: int, now: datetime) -> bool:
    target = locked_running(target_id)
    if target is None or target.warned_at is not None:
        return False
    target.warned_at = now
    target.save(update_fields=["warned_at"])
    record(
        events.ResponseTargetDueSoon(ticket_id=target.ticket_id, target=target.kind, due_at=target.due_at.isoformat())
    )
    return True
