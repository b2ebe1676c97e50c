"""`manage.py seed_demo`: the demo workspace it promises, built through the actions, and only once."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone

from helpdesk.models import OutboxEvent
from inbox.models import Contact, Conversation, ConversationState, Part, PartKind, SavedReply, Team, Teammate
from inbox.saved_replies.placeholders import check_placeholders
from tickets.access import conversation_scope, ticket_scope
from tickets.models import (
    SharingPolicy,
    StateCategory,
    Ticket,
    TicketCategory,
    TicketFormRequest,
    TicketPart,
    TicketType,
    TrackerLink,
)

EXPECTED_POLICIES = {
    "Fraud investigation": (TicketCategory.BACK_OFFICE, SharingPolicy.NEVER),
    "Refund request": (TicketCategory.BACK_OFFICE, SharingPolicy.OPTIONAL),
    "Bug report": (TicketCategory.BACK_OFFICE, SharingPolicy.OPTIONAL),
    "Order problem": (TicketCategory.CUSTOMER, SharingPolicy.ALWAYS),
    "Outage": (TicketCategory.TRACKER, SharingPolicy.NEVER),
}


def seed_demo() -> str:
    out = StringIO()
    call_command("seed_demo", force=True, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo, seeded once for this module (it takes seconds) and rolled back after its last test.

    Each test still runs in its own savepoint (the `db` fixture), so none sees another's changes.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        output = seed_demo()
        yield output
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded, db):
    return seeded


def counts() -> dict[str, int]:
    models = [
        Team,
        Teammate,
        Contact,
        Conversation,
        Part,
        Ticket,
        TicketPart,
        TicketType,
        TrackerLink,
        TicketFormRequest,
        OutboxEvent,
    ]
    return {model.__name__: model.objects.count() for model in models}


def test_seed_demo_creates_the_teams(demo):
    assert set(Team.objects.values_list("name", flat=True)) >= {"Support", "Billing", "Fraud", "Engineering"}


def test_seed_demo_creates_an_admin_superuser(demo):
    assert Teammate.objects.get(username="admin").is_superuser


def test_seed_demo_puts_the_admin_in_the_admins_group(demo):
    assert Teammate.objects.get(username="admin").groups.filter(name="Admins").exists()


def test_seed_demo_puts_teammates_in_every_team(demo):
    staffed = Team.objects.annotate(n=Count("members")).filter(n__gt=0).values_list("name", flat=True)

    assert set(staffed) == {"Support", "Billing", "Fraud", "Engineering"}


def test_seed_demo_logins_use_the_demo_password(demo, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]  # seeded before conftest's MD5

    assert Teammate.objects.get(username="maya").check_password("helpdesk-demo")


def test_seed_demo_prints_the_logins(demo):
    assert all(username in demo for username in ("admin", "maya", "ben", "sara", "raj", "nora", "helpdesk-demo"))
    assert "Back office only (Fraud)" in demo


def test_seed_demo_has_a_back_office_only_teammate_with_fraud_tickets_to_see(demo):
    nora = Teammate.objects.get(username="nora")
    assert nora.back_office_only
    assert set(Ticket.objects.filter(ticket_scope(nora)).values_list("team__name", flat=True)) == {"Fraud"}
    assert 0 < Conversation.objects.filter(conversation_scope(nora)).count() < Conversation.objects.count()


def test_seed_demo_creates_ticket_types_with_their_policies(demo):
    types = {t.name: (t.category, t.sharing_policy) for t in TicketType.objects.filter(name__in=EXPECTED_POLICIES)}

    assert types == EXPECTED_POLICIES


def test_seed_demo_ticket_types_offer_a_state_of_each_category(demo):
    for ticket_type in TicketType.objects.filter(name__in=EXPECTED_POLICIES):
        assert set(ticket_type.states.filter(archived=False).values_list("category", flat=True)) == set(StateCategory)


def test_seed_demo_gives_the_refund_type_its_attributes(demo):
    attributes = {a.key: a for a in TicketType.objects.get(name="Refund request").attributes.all()}

    assert attributes["order_number"].required_for_customers and attributes["order_number"].required_to_create
    assert attributes["reason"].options and not attributes["risk_score"].visible_to_customers


def test_seed_demo_creates_saved_replies_whose_placeholders_all_exist(demo):
    shared = SavedReply.objects.filter(owner__isnull=True)

    assert shared.count() >= 3 and shared.exclude(state_effect="").exists()
    assert SavedReply.objects.filter(owner__username="maya").exists()
    for saved_reply in SavedReply.objects.all():
        check_placeholders(saved_reply.body)


def test_seed_demo_creates_about_fifty_conversations(demo):
    assert 50 <= Conversation.objects.count() <= 60


@pytest.mark.parametrize("state", ConversationState.values)
def test_seed_demo_creates_conversations_in_each_state(demo, state):
    assert Conversation.objects.filter(state=state).count() >= 10


def test_seed_demo_snoozes_conversations_until_a_future_time(demo):
    snoozed_until = Conversation.objects.filter(state=ConversationState.SNOOZED).values_list("snoozed_until", flat=True)

    assert all(timezone.now() < until < timezone.now() + timezone.timedelta(days=2) for until in snoozed_until)


def test_seed_demo_leaves_some_conversations_unassigned(demo):
    assert Conversation.objects.filter(assignee=None, team=None).exists()


def test_seed_demo_builds_multi_part_timelines(demo):
    kinds = set(Part.objects.values_list("kind", flat=True))

    assert kinds == set(PartKind.values)


def test_seed_demo_creates_shared_and_unshared_back_office_tickets(demo):
    back_office = Ticket.objects.filter(category=TicketCategory.BACK_OFFICE)

    assert back_office.filter(is_shared=True).exists() and back_office.filter(is_shared=False).exists()


def test_seed_demo_shares_at_most_one_ticket_per_conversation(demo):
    shared = Ticket.objects.filter(is_shared=True).values("linked_conversation").annotate(n=Count("pk"))

    assert max(row["n"] for row in shared) == 1


def test_seed_demo_never_shares_a_never_type(demo):
    assert not Ticket.objects.filter(is_shared=True, sharing_policy=SharingPolicy.NEVER).exists()


def test_seed_demo_cross_posts_notes_into_conversations(demo):
    cross_posted = TicketPart.objects.filter(cross_posted=True, ticket__category=TicketCategory.BACK_OFFICE)
    delivered = set(Part.objects.filter(kind=PartKind.CROSS_POST).values_list("data__ticket_part_id", flat=True))

    assert cross_posted.exists()
    assert set(cross_posted.values_list("pk", flat=True)) <= delivered


def test_seed_demo_cross_posts_state_changes_into_conversations(demo):
    assert Part.objects.filter(event_type="ticket_state_changed").exists()


def test_seed_demo_applies_every_outbox_event(demo):
    assert not OutboxEvent.objects.filter(done_at=None).exists()


def test_seed_demo_links_a_tracker_to_three_conversations(demo):
    tracker = Ticket.objects.get(category=TicketCategory.TRACKER)

    assert tracker.tracker_links.filter(conversation__isnull=False).count() == 3


def test_seed_demo_posts_the_tracker_note_into_each_linked_conversation(demo):
    tracker = Ticket.objects.get(category=TicketCategory.TRACKER)
    linked = tracker.tracker_links.values_list("conversation", flat=True)

    assert Part.objects.filter(conversation__in=linked, kind=PartKind.CROSS_POST).count() == 3


def test_seed_demo_links_an_unshared_back_office_ticket_to_the_customer_ticket(demo):
    customer_ticket = Ticket.objects.get(category=TicketCategory.CUSTOMER)

    assert customer_ticket.back_office_tickets.filter(is_shared=False).exists()


def test_seed_demo_keeps_a_snoozed_conversation_with_the_tickets_assignee_snoozed(demo):
    same = Ticket.objects.filter(
        linked_conversation__state=ConversationState.SNOOZED,
        linked_conversation__assignee=F("assignee"),
        linked_conversation__parts__kind=PartKind.CROSS_POST,
    )

    assert same.exists()


def test_seed_demo_sends_a_refund_form_to_the_customer_of_a_shared_refund(demo):
    form = TicketFormRequest.objects.get(ticket__isnull=True)

    assert form.ticket_type.name == "Refund request"
    assert Ticket.objects.filter(
        is_shared=True, ticket_type=form.ticket_type, linked_conversation__contact=form.conversation.contact_id
    ).exists()


def test_seed_demo_prints_a_messenger_link_that_signs_in_the_customer_with_the_form(demo, client, settings):
    path = re.search(rf"{re.escape(settings.SITE_URL)}(/messenger/enter/\S+)", demo).group(1)

    client.get(path)

    form = TicketFormRequest.objects.get(ticket__isnull=True)
    assert client.get(reverse("messenger-tickets:form", args=[form.pk])).status_code == 200


def test_seed_demo_prints_the_messenger_link_on_site_url(demo, settings):
    """`PORT=8101 make run` sets SITE_URL to http://127.0.0.1:8101 (tests/helpdesk/test_settings.py): the printed
    link follows it, whatever the port or host."""
    from helpdesk.management.commands.seed_demo import Command

    settings.SITE_URL = "http://127.0.0.1:8101"
    out = StringIO()

    Command(stdout=out).print_messenger_link()

    assert re.search(r"^  http://127\.0\.0\.1:8101/messenger/enter/\S+/$", out.getvalue(), flags=re.M)


def test_seed_demo_twice_leaves_the_counts_unchanged(demo):
    before = counts()

    seed_demo()

    assert counts() == before


def test_seed_demo_twice_says_it_is_already_seeded_and_prints_the_logins(demo):
    output = seed_demo()

    assert "already seeded" in output and "helpdesk-demo" in output


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_with_debug_off_without_force(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=StringIO())
