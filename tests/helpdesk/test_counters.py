"""The counts the database keeps for the nav (helpdesk/counters.py) always equal a real count of the rows,
whatever wrote them: actions, factories, bulk inserts, the SET NULL of a deleted team or teammate, and
concurrent transactions moving conversations in opposite directions.

The non-threaded tests also run against SQLite in `make test`, which keeps the same counts by its own triggers.
"""

from collections import Counter

import pytest
from django.db import connection
from django.db.models import Sum
from django.urls import reverse

from inbox import actions as inbox_actions
from inbox.models import Conversation, ConversationCount, ConversationState, OwnerKind, Team, Teammate
from tests.concurrency import run_at_once
from tests.factories import BackOfficeTicketFactory, ContactFactory, ConversationFactory, TeamFactory, TeammateFactory
from tickets import actions as ticket_actions
from tickets.models import StateCategory, Ticket, TicketCount, TicketState

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL only")


def kept(model, *keys: str) -> Counter:
    rows = model.objects.values("owner_kind", "owner_id", *keys).annotate(n=Sum("total"))
    return Counter({(row["owner_kind"], row["owner_id"], *(row[key] for key in keys)): row["n"] for row in rows})


def counted(model, *keys: str) -> Counter:
    real = Counter()
    for row in model.objects.values("team_id", "assignee_id", *keys):
        for kind, owner in ((OwnerKind.TEAM, row["team_id"]), (OwnerKind.ASSIGNEE, row["assignee_id"])):
            real[(kind, owner or 0, *(row[key] for key in keys))] += 1
    return real


def assert_counts_exact():
    assert +kept(ConversationCount, "state") == counted(Conversation, "state")
    assert +kept(TicketCount, "category", "state_id") == counted(Ticket, "category", "state_id")


def test_counts_follow_every_conversation_action(teammate):
    billing, fraud = TeamFactory(), TeamFactory()
    conversation = inbox_actions.start_conversation(contact_id=ContactFactory().pk, body="Hello")
    assert_counts_exact()

    inbox_actions.assign_conversation(
        actor=teammate, conversation_id=conversation.pk, assignee_id=teammate.pk, team_id=billing.pk
    )
    assert_counts_exact()
    inbox_actions.assign_conversation(
        actor=teammate, conversation_id=conversation.pk, assignee_id=None, team_id=fraud.pk
    )
    assert_counts_exact()
    inbox_actions.close_conversation(actor=teammate, conversation_id=conversation.pk)
    assert_counts_exact()
    inbox_actions.record_customer_message(conversation_id=conversation.pk, body="Still there?")
    assert_counts_exact()
    assert kept(ConversationCount, "state")[(OwnerKind.TEAM, fraud.pk, ConversationState.OPEN)] == 1
    assert kept(ConversationCount, "state")[(OwnerKind.TEAM, billing.pk, ConversationState.OPEN)] == 0


def test_counts_follow_ticket_state_and_assignment(teammate):
    billing = TeamFactory()
    ticket = BackOfficeTicketFactory(actor=teammate)
    resolved = TicketState.objects.get(category=StateCategory.RESOLVED)

    ticket_actions.assign_ticket(actor=teammate, ticket_id=ticket.pk, assignee_id=teammate.pk, team_id=billing.pk)
    assert_counts_exact()
    ticket_actions.change_ticket_state(actor=teammate, ticket_id=ticket.pk, state_id=resolved.pk)
    assert_counts_exact()
    assert kept(TicketCount, "category", "state_id")[(OwnerKind.TEAM, billing.pk, "back_office", resolved.pk)] == 1


def test_counts_follow_writes_outside_the_actions(teammate):
    """Factories, bulk inserts, updates and deletes: the triggers see every row change."""
    team, leaver = TeamFactory(), TeammateFactory()
    ConversationFactory.create_batch(3, team=team, assignee=leaver)
    ConversationFactory(snoozed=True, team=team)
    contact = ContactFactory()
    Conversation.objects.bulk_create(Conversation(contact=contact, team=team) for _ in range(5))
    assert_counts_exact()

    Conversation.objects.filter(team=team).update(state=ConversationState.CLOSED, snoozed_until=None)
    assert_counts_exact()
    Conversation.objects.filter(assignee=leaver).delete()
    assert_counts_exact()


def test_deleting_a_team_or_teammate_moves_their_conversations_to_none(teammate):
    team, leaver = TeamFactory(), TeammateFactory()
    ConversationFactory.create_batch(2, team=team, assignee=leaver)
    BackOfficeTicketFactory(actor=teammate, assignee_id=leaver.pk)  # a team with tickets cannot be deleted

    Team.objects.filter(pk=team.pk).delete()
    Teammate.objects.filter(pk=leaver.pk).delete()

    assert_counts_exact()
    assert kept(ConversationCount, "state")[(OwnerKind.ASSIGNEE, 0, ConversationState.OPEN)] >= 2


def test_nav_shows_exact_counts_past_a_thousand(teammate_client, teammate):
    billing = TeamFactory(name="Billing")
    contact = ContactFactory()
    Conversation.objects.bulk_create(Conversation(contact=contact, team=billing) for _ in range(1_234))

    response = teammate_client.get(reverse("nav"))

    items = {item.slug: item for item in response.context["inbox_views"] + response.context["team_views"]}
    assert items["all"].display == items[f"team-{billing.pk}"].display == items["unassigned"].display == "1,234"
    assert items["mine"].display == "0"
    assert 'aria-label="1,234 open">1,234</span>' in response.content.decode()


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("round_", range(3))
def test_concurrent_opposite_moves_neither_deadlock_nor_drift(round_):
    """Two transactions move conversations between the same two teams in opposite directions at the same
    instant (ids chosen in the same counter slot): both commit, and the counts stay exact."""
    actor = TeammateFactory()
    east, west = TeamFactory(), TeamFactory()
    conversations = ConversationFactory.create_batch(9, team=east)
    first = conversations[0]
    same_slot = next(c for c in conversations[1:] if c.pk % 8 == first.pk % 8)
    Conversation.objects.filter(pk=same_slot.pk).update(team=west)

    outcomes = run_at_once(
        lambda: inbox_actions.assign_conversation(
            actor=actor, conversation_id=first.pk, assignee_id=actor.pk, team_id=west.pk
        ),
        lambda: inbox_actions.assign_conversation(
            actor=actor, conversation_id=same_slot.pk, assignee_id=None, team_id=east.pk
        ),
    )

    assert not any(isinstance(outcome, Exception) for outcome in outcomes), outcomes
    assert_counts_exact()


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_new_conversations_are_all_counted():
    contact = ContactFactory()

    outcomes = run_at_once(
        *(lambda n=n: inbox_actions.start_conversation(contact_id=contact.pk, body=f"Hello {n}") for n in range(8))
    )

    assert not any(isinstance(outcome, Exception) for outcome in outcomes), outcomes
    assert kept(ConversationCount, "state")[(OwnerKind.TEAM, 0, ConversationState.OPEN)] == 8
    assert_counts_exact()
