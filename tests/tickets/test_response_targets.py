"""Response targets (issue 16): per back-office type, a first-action and a resolution target, counted in the team's
business hours, paused while waiting on the customer; warned of once and missed once, as an event and a notification;
shown counting down on the ticket, and listed under Due soon."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from helpdesk.models import Notification, NotificationKind
from tests.factories import BackOfficeTicketFactory, TeamFactory, TeammateFactory, TicketTypeFactory, state
from tests.inbox.pages import NAV_QUERIES
from tests.tickets.pages import PANE_QUERIES
from tickets import actions
from tickets.models import ResponseTarget, StateCategory, TargetKind, TeamHours, TicketPart
from tickets.targets import add_business_time, business_time_between, check_response_targets

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def office_hours():
    return TeamHours(time_zone="Europe/Paris", weekdays="12345", opens_at=time(9), closes_at=time(17))


def paris(*args):
    return datetime(*args, tzinfo=PARIS)


def test_business_time_skips_nights_and_weekends(office_hours):
    friday_4pm = paris(2026, 12, 4, 16)
    assert add_business_time(friday_4pm, timedelta(hours=3), office_hours) == paris(2026, 12, 7, 11)
    assert add_business_time(paris(2026, 12, 5, 12), timedelta(hours=1), office_hours) == paris(2026, 12, 7, 10)
    assert business_time_between(friday_4pm, paris(2026, 12, 7, 11), office_hours) == timedelta(hours=3)
    assert business_time_between(paris(2026, 12, 5, 9), paris(2026, 12, 6, 18), office_hours) == timedelta(0)
    assert add_business_time(friday_4pm, timedelta(hours=3), None) == paris(2026, 12, 4, 19)


def test_business_time_across_a_change_to_summer_time(office_hours):
    # Paris moves its clocks on Sunday 2027-03-28: Monday 9:00 is 07:00 UTC, not 08:00.
    due = add_business_time(paris(2027, 3, 26, 16), timedelta(hours=2), office_hours)
    assert due == paris(2027, 3, 29, 10) and due.astimezone(ZoneInfo("UTC")).hour == 8


@pytest.fixture
def bo():
    return TeammateFactory(first_name="Bo")


@pytest.fixture
def creator():
    return TeammateFactory(first_name="Ana")


@pytest.fixture
def ticket_type():
    return TicketTypeFactory(first_action_target=timedelta(hours=2), resolution_target=timedelta(hours=8))


@pytest.fixture
def ticket(ticket_type, creator, bo):
    return BackOfficeTicketFactory(actor=creator, ticket_type=ticket_type, assignee_id=bo.pk)


def targets_of(ticket):
    return {target.kind: target for target in ResponseTarget.objects.filter(ticket=ticket)}


def test_a_new_ticket_gets_its_types_targets_in_its_teams_hours(ticket_type, creator):
    TeamHours.objects.create(
        team=ticket_type.default_team, time_zone="UTC", weekdays="1234567", opens_at=time(0, 0), closes_at=time(23, 59)
    )
    ticket = BackOfficeTicketFactory(actor=creator, ticket_type=ticket_type)
    targets = targets_of(ticket)
    first = targets[TargetKind.FIRST_ACTION].due_at - ticket.created_at
    assert timedelta(hours=2) <= first <= timedelta(hours=2, minutes=2)  # the minute after 23:59 does not count
    assert targets[TargetKind.RESOLUTION].due_at > targets[TargetKind.FIRST_ACTION].due_at


def test_a_type_without_targets_sets_none(creator):
    assert targets_of(BackOfficeTicketFactory(actor=creator)) == {}


def test_the_first_note_meets_the_first_action_and_resolving_meets_both(ticket, bo):
    actions.post_ticket_note(actor=bo, ticket_id=ticket.pk, body="On it")
    targets = targets_of(ticket)
    assert targets[TargetKind.FIRST_ACTION].met_at is not None
    assert targets[TargetKind.RESOLUTION].met_at is None
    actions.change_ticket_state(actor=bo, ticket_id=ticket.pk, state_id=state(StateCategory.RESOLVED).pk)
    assert targets_of(ticket)[TargetKind.RESOLUTION].met_at is not None


def test_waiting_on_the_customer_pauses_and_resuming_moves_the_due_time_by_the_pause(ticket, bo):
    before = targets_of(ticket)[TargetKind.RESOLUTION].due_at
    actions.change_ticket_state(actor=bo, ticket_id=ticket.pk, state_id=state(StateCategory.WAITING_ON_CUSTOMER).pk)
    paused = targets_of(ticket)[TargetKind.RESOLUTION]
    assert paused.paused_at is not None
    ResponseTarget.objects.filter(pk=paused.pk).update(paused_at=paused.paused_at - timedelta(hours=3))
    assert check_response_targets(now=timezone.now() + timedelta(days=2)) == (0, 0)  # paused: never missed
    actions.change_ticket_state(actor=bo, ticket_id=ticket.pk, state_id=state(StateCategory.IN_PROGRESS).pk)
    resumed = targets_of(ticket)[TargetKind.RESOLUTION]
    assert resumed.paused_at is None
    assert abs(resumed.due_at - (before + timedelta(hours=3))) < timedelta(seconds=5)


def test_moving_to_a_team_with_other_hours_keeps_the_business_time_left_in_the_new_hours(ticket, bo):
    night = TeamFactory(name="Night shift")  # four hours a day: eight hours of work take two days at least
    hours = TeamHours.objects.create(
        team=night, time_zone="UTC", weekdays="1234567", opens_at=time(0), closes_at=time(4)
    )
    actions.assign_ticket(actor=bo, ticket_id=ticket.pk, assignee_id=bo.pk, team_id=night.pk)
    now, resolution = timezone.now(), targets_of(ticket)[TargetKind.RESOLUTION]
    assert resolution.due_at - now > timedelta(hours=20)
    assert abs(business_time_between(now, resolution.due_at, hours) - timedelta(hours=8)) < timedelta(seconds=5)
    actions.assign_ticket(actor=bo, ticket_id=ticket.pk, assignee_id=bo.pk, team_id=ticket.ticket_type.default_team_id)
    back = targets_of(ticket)[TargetKind.RESOLUTION].due_at  # every hour counts again: 8 hours from now
    assert abs(back - (timezone.now() + timedelta(hours=8))) < timedelta(seconds=5)


def test_a_target_due_soon_warns_the_assignee_once_and_a_missed_one_is_an_event_and_a_notification(
    ticket, bo, creator, apply_outbox
):
    first_due = targets_of(ticket)[TargetKind.FIRST_ACTION].due_at
    apply_outbox()
    Notification.objects.all().delete()
    assert check_response_targets(now=first_due - timedelta(minutes=30)) == (1, 0)
    assert check_response_targets(now=first_due - timedelta(minutes=20)) == (0, 0)
    apply_outbox()
    [warning] = Notification.objects.filter(recipient=bo)
    assert warning.kind == NotificationKind.TARGET_DUE and "first action target" in warning.text
    assert check_response_targets(now=first_due + timedelta(seconds=1)) == (0, 1)
    assert check_response_targets(now=first_due + timedelta(minutes=5)) == (0, 0)
    apply_outbox()
    assert Notification.objects.filter(kind=NotificationKind.TARGET_MISSED, recipient__in=[bo, creator]).count() == 2
    [event] = TicketPart.objects.filter(ticket=ticket, event_type="target_missed")
    assert event.body.startswith("The first action target was missed")
    # Acting late still records when it was met.
    actions.post_ticket_note(actor=bo, ticket_id=ticket.pk, body="Sorry, looking now")
    late = targets_of(ticket)[TargetKind.FIRST_ACTION]
    assert late.met_at is not None and late.missed_at is not None


def test_the_ticket_shows_its_targets_counting_down(ticket, bo, client, django_assert_max_num_queries):
    client.force_login(bo)
    with django_assert_max_num_queries(2 + PANE_QUERIES):
        pane = client.get(reverse("tickets:pane", args=[ticket.pk]), headers={"HX-Request": "true"})
    html = pane.content.decode()
    assert "First action target</strong>:" in html and "data-countdown=" in html
    assert "Resolution target</strong>:" in html


def test_due_soon_lists_what_is_due_within_a_day_soonest_first(
    ticket, bo, creator, client, django_assert_max_num_queries
):
    later_type = TicketTypeFactory(resolution_target=timedelta(days=3))
    later = BackOfficeTicketFactory(actor=creator, ticket_type=later_type, title="Not due for days")
    client.force_login(bo)
    with django_assert_max_num_queries(3 + NAV_QUERIES):
        page = client.get(reverse("tickets:due-soon"))
    html = page.content.decode()
    assert html.count(ticket.title) == 2  # its first action, then its resolution
    assert html.index("First action target") < html.index("Resolution target")
    assert later.title not in html
    actions.change_ticket_state(actor=bo, ticket_id=ticket.pk, state_id=state(StateCategory.RESOLVED).pk)
    assert ticket.title not in client.get(reverse("tickets:due-soon")).content.decode()


def test_business_hours_refuse_an_unknown_time_zone(admin_client):
    team = TeamFactory()
    response = admin_client.post(
        reverse("admin:tickets_teamhours_add"),
        {"team": team.pk, "time_zone": "Mars/Olympus", "weekdays": "12345", "opens_at": "09:00", "closes_at": "17:00"},
    )
    assert "is not a time zone" in response.content.decode()
    assert not TeamHours.objects.exists()
