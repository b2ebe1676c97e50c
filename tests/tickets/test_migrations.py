"""Migrations that fill data: every back-office and tracker ticket has a team once migrated (issue 10)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Sum

from tickets.models import OWNED_CATEGORIES, Ticket, TicketCount, TicketType

BEFORE_OWNERS = [("tickets", "0005_ticketcount")]


def migrate_back_to_before_owners():
    """The historical models of the schema before ticket types had a default team."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_OWNERS)
    return executor.loader.project_state(BEFORE_OWNERS).apps


def migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)  # a fresh graph: the applied migrations changed
    executor.migrate(executor.loader.graph.leaf_nodes())


def make_old_ticket(apps, ticket_type, *, team=None, **links):
    Conversation = apps.get_model("inbox", "Conversation")
    Contact = apps.get_model("inbox", "Contact")
    TicketState = apps.get_model("tickets", "TicketState")
    if ticket_type.category == "back_office" and not links:
        contact = Contact.objects.create(name="Ada", external_id=f"ada-{Contact.objects.count()}")
        links = {"linked_conversation": Conversation.objects.create(contact=contact)}
    return apps.get_model("tickets", "Ticket").objects.create(
        ticket_type=ticket_type,
        category=ticket_type.category,
        sharing_policy=ticket_type.sharing_policy,
        title="Old ticket",
        state=TicketState.objects.order_by("position").first(),
        team=team,
        **links,
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_gives_every_back_office_and_tracker_ticket_a_team():
    apps = migrate_back_to_before_owners()
    Team, OldType = apps.get_model("inbox", "Team"), apps.get_model("tickets", "TicketType")
    billing, fraud = Team.objects.create(name="Billing"), Team.objects.create(name="Fraud")
    refunds = OldType.objects.create(name="Refunds", category="back_office", sharing_policy="optional")
    outage = OldType.objects.create(name="Outage", category="tracker", sharing_policy="never")
    questions = OldType.objects.create(name="Questions", category="customer", sharing_policy="always")
    make_old_ticket(apps, refunds, team=fraud)
    make_old_ticket(apps, refunds, team=fraud)
    make_old_ticket(apps, refunds, team=billing)
    lost = [make_old_ticket(apps, refunds), make_old_ticket(apps, outage)]

    migrate_to_latest()

    # The team that already worked most of a type's tickets becomes its default; else the first team by name.
    assert TicketType.objects.get(pk=refunds.pk).default_team_id == fraud.pk
    assert TicketType.objects.get(pk=outage.pk).default_team_id == billing.pk
    assert TicketType.objects.get(pk=questions.pk).default_team_id is None
    assert [Ticket.objects.get(pk=ticket.pk).team_id for ticket in lost] == [fraud.pk, billing.pk]
    assert not Ticket.objects.filter(category__in=OWNED_CATEGORIES, team__isnull=True).exists()
    # The nav's counters followed the filled teams (they are kept by triggers on the ticket table).
    counted = TicketCount.objects.filter(owner_kind="team", owner_id=fraud.pk).aggregate(n=Sum("total"))["n"]
    assert counted == Ticket.objects.filter(team_id=fraud.pk).count() == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_makes_a_team_when_there_is_none():
    apps = migrate_back_to_before_owners()
    outage = apps.get_model("tickets", "TicketType").objects.create(
        name="Outage", category="tracker", sharing_policy="never"
    )
    tracker = make_old_ticket(apps, outage)

    migrate_to_latest()

    assert Ticket.objects.get(pk=tracker.pk).team.name == "Back office"
