"""Project-level endpoints: the navigation with its counts (the live poll and stream: test_live.py)."""

import re

import pytest
from django.urls import reverse

from tests.factories import (
    BackOfficeTicketFactory,
    ConversationFactory,
    TeamFactory,
    TeammateFactory,
    TrackerTicketFactory,
    state,
)
from tests.inbox.pages import NAV_QUERIES
from tickets import actions as ticket_actions
from tickets.models import StateCategory

pytestmark = pytest.mark.django_db


def test_nav_counts_open_conversations_per_view(teammate_client, teammate):
    billing = TeamFactory(name="Billing")
    ConversationFactory(assignee=teammate, team=billing)
    ConversationFactory()
    ConversationFactory(closed=True)

    response = teammate_client.get(reverse("nav") + "?current=inbox:all")

    counts = {item.slug: item.count for item in response.context["inbox_views"] + response.context["team_views"]}
    assert counts == {"mine": 1, "unassigned": 1, "all": 2, f"team-{billing.pk}": 1}
    assert 'aria-current="page"' in response.content.decode()


def test_nav_counts_unresolved_tickets(teammate_client, teammate):
    billing, engineering = TeamFactory(name="Billing"), TeamFactory(name="Engineering")
    BackOfficeTicketFactory(actor=teammate, assignee_id=teammate.pk, team_id=billing.pk)
    BackOfficeTicketFactory(actor=teammate, team_id=billing.pk)
    TrackerTicketFactory(actor=teammate, team_id=engineering.pk)
    resolved = BackOfficeTicketFactory(actor=teammate, team_id=engineering.pk)
    ticket_actions.change_ticket_state(actor=teammate, ticket_id=resolved.pk, state_id=state(StateCategory.RESOLVED).pk)

    response = teammate_client.get(reverse("nav"))

    counts = {item.slug: item.count for item in response.context["ticket_views"]}
    expected = {"mine": 1, "all": 3, "unassigned": 2, "trackers": 1}
    expected |= {f"team-{billing.pk}": 2, f"team-{engineering.pk}": 1}
    assert {slug: counts[slug] for slug in expected} == expected
    assert [item.label for item in response.context["ticket_views"]][:4] == [
        "Your tickets",
        "All tickets",
        "Unassigned tickets",
        "Trackers",
    ]


@pytest.mark.parametrize("n", [1, 20])
def test_nav_query_count_does_not_grow(teammate_client, teammate, django_assert_max_num_queries, n):
    for i in range(n):
        team = TeamFactory(name=f"Team {i}")
        ConversationFactory(team=team, assignee=TeammateFactory())
        BackOfficeTicketFactory(actor=teammate, team_id=team.pk)

    # session, user; the teams, the inbox's counts, the tickets' counts
    with django_assert_max_num_queries(2 + NAV_QUERIES):
        assert teammate_client.get(reverse("nav")).status_code == 200


def test_nav_links_each_view_to_its_address_with_its_live_count(teammate_client, teammate):
    billing = TeamFactory(name="Billing")
    ConversationFactory(team=billing)

    page = teammate_client.get(reverse("nav") + f"?current=inbox:team-{billing.pk}").content.decode()

    assert re.search(
        f'<a class="nav-link" href="{reverse("inbox:view", args=[f"team-{billing.pk}"])}" aria-current="page">'
        f'<span>Billing</span> <span class="count" data-count="inbox-team-{billing.pk}" data-live-since="\\d+" '
        'aria-label="1 open">1</span></a>',
        page,
    )
    assert f'href="{reverse("tickets:list", args=[f"team-{billing.pk}"])}"><span>Billing tickets</span>' in page


def test_nav_shows_team_names_as_text(teammate_client):
    TeamFactory(name='<b>"Ops" & co</b>')

    page = teammate_client.get(reverse("nav")).content.decode()

    assert "<span>&lt;b&gt;&quot;Ops&quot; &amp; co&lt;/b&gt;</span>" in page
