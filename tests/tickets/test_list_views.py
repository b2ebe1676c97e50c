"""The ticket views: lists, filters, pages, and a ticket opened in them, through Django's test client."""

import re
from html import unescape

import pytest
from django.urls import reverse

from tests.factories import (
    BackOfficeTicketFactory,
    CustomerTicketFactory,
    TeamFactory,
    TeammateFactory,
    TicketNoteFactory,
    TicketTypeFactory,
    TrackerTicketFactory,
    state,
)
from tests.tickets.pages import (
    HX,
    LIST_PAGE_QUERIES,
    TICKET_PAGE_QUERIES,
    html,
    integer_type,
    root_id,
)
from tickets import actions
from tickets.models import StateCategory, Ticket

pytestmark = pytest.mark.django_db


def list_url(view: str, query: str = "") -> str:
    return reverse("tickets:list", args=[view]) + query


def test_ticket_list_mine_shows_assigned_tickets_unresolved_first(teammate_client, teammate):
    resolved = BackOfficeTicketFactory(assignee_id=teammate.pk)
    actions.change_ticket_state(actor=teammate, ticket_id=resolved.pk, state_id=state(StateCategory.RESOLVED).pk)
    open_ticket = BackOfficeTicketFactory(assignee_id=teammate.pk)
    BackOfficeTicketFactory()  # someone else's

    response = teammate_client.get(list_url("mine", "?status=all"))

    assert response.status_code == 200
    assert response.context["page"].rows == [open_ticket, resolved]
    assert response.context["nav_current"] == "tickets:mine"


def test_ticket_list_hides_resolved_by_default(teammate_client, teammate):
    resolved = BackOfficeTicketFactory(assignee_id=teammate.pk)
    actions.change_ticket_state(actor=teammate, ticket_id=resolved.pk, state_id=state(StateCategory.RESOLVED).pk)

    response = teammate_client.get(list_url("mine"))

    assert response.context["page"].rows == []


def test_ticket_list_team_view_shows_every_ticket_of_the_team(teammate_client, team):
    back_office = BackOfficeTicketFactory(team_id=team.pk)
    tracker = TrackerTicketFactory(team_id=team.pk)
    customer = CustomerTicketFactory(team_id=team.pk)
    BackOfficeTicketFactory(team_id=TeamFactory().pk)

    response = teammate_client.get(list_url(f"team-{team.pk}"))

    assert response.context["page"].rows == [customer, tracker, back_office]
    assert response.context["nav_current"] == f"tickets:team-{team.pk}"


def test_ticket_list_sorts_oldest_updated_first(teammate_client, team):
    first = BackOfficeTicketFactory(team_id=team.pk)
    second = BackOfficeTicketFactory(team_id=team.pk)

    response = teammate_client.get(list_url(f"team-{team.pk}", "?sort=oldest"))

    assert response.context["page"].rows == [first, second]


def test_ticket_list_paginates_without_counting(teammate_client, team, settings, monkeypatch):
    monkeypatch.setattr("tickets.selectors.lists.PAGE_SIZE", 2)
    tickets = [BackOfficeTicketFactory(team_id=team.pk) for _ in range(3)]

    first = teammate_client.get(list_url(f"team-{team.pk}"))
    second = teammate_client.get(pager_link(first, "next"))

    assert first.context["page"].has_next and 'rel="next"' in html(first)
    assert second.context["page"].rows == [tickets[0]]
    assert not second.context["page"].has_next


def pager_link(response, rel: str) -> str | None:
    """The address of the list's Previous (`prev`) or Next (`next`) link, None when there is none."""
    link = re.search(rf'<a class="button" rel="{rel}" href="([^"]+)"', html(response))
    return unescape(link.group(1)) if link else None


@pytest.fixture
def five_pages(team, monkeypatch):
    """Pages of two over nine of the team's tickets, resolved ones among them."""
    monkeypatch.setattr("tickets.selectors.lists.PAGE_SIZE", 2)
    for index in range(9):
        ticket = BackOfficeTicketFactory(team_id=team.pk)
        if index % 2:
            Ticket.objects.filter(pk=ticket.pk).update(state=state(StateCategory.RESOLVED))
    return list_url(f"team-{team.pk}")


def test_ticket_list_pages_forward_and_back_through_the_links(teammate_client, five_pages):
    url, pages = five_pages + "?status=all&sort=oldest", []
    while url:
        response = teammate_client.get(url, headers={**HX, "HX-Target": "ticket-list"})
        pages.append(response.context["page"].rows)
        url = pager_link(response, "next")
    back, url = [], pager_link(response, "prev")
    while url:
        response = teammate_client.get(url, headers={**HX, "HX-Target": "ticket-list"})
        back.insert(0, response.context["page"].rows)
        url = pager_link(response, "prev")

    everything = sum(pages, [])
    assert [len(page) for page in pages] == [2, 2, 2, 2, 1]
    assert len(set(everything)) == 9 and all(t.state.category != StateCategory.RESOLVED for t in everything[:5])
    assert sum(back, []) == everything[:-1]


def test_ticket_list_pager_links_keep_status_sort_and_htmx_swap(teammate_client, five_pages):
    first = teammate_client.get(five_pages + "?status=all&sort=oldest")
    second = teammate_client.get(pager_link(first, "next"))

    assert pager_link(first, "prev") is None
    assert pager_link(second, "next").startswith(five_pages + "?status=all&sort=oldest&after=")
    assert pager_link(second, "prev").startswith(five_pages + "?status=all&sort=oldest&before=")
    assert re.search(
        r'rel="prev" href="([^"]+)" hx-get="\1" hx-target="#ticket-list" hx-swap="outerHTML"', html(second)
    )


def test_ticket_list_tabs_of_a_later_page_go_back_to_the_first_page(teammate_client, five_pages):
    second = teammate_client.get(pager_link(teammate_client.get(five_pages), "next"))

    tabs = [query for _value, _label, query in second.context["status_tabs"]]
    assert tabs == ["?status=open", "?status=resolved", "?status=all"]


def test_ticket_list_refuses_a_changed_page_link_with_400_and_says_why(teammate_client, five_pages):
    next_url = pager_link(teammate_client.get(five_pages), "next")
    changed = next_url[:-8] + ("A" if next_url[-8] != "A" else "B") + next_url[-7:]

    response = teammate_client.get(changed, headers=HX)

    assert response.status_code == 400
    assert "That page link is broken or was changed." in html(response)


def test_ticket_list_refuses_a_page_link_of_another_order_with_400(teammate_client, five_pages):
    next_url = pager_link(teammate_client.get(five_pages + "?status=all"), "next")

    response = teammate_client.get(next_url.replace("status=all", "status=open"))

    assert response.status_code == 400
    assert "That page link belongs to another sort of the list." in html(response)


def test_ticket_list_htmx_filter_returns_list_partial(teammate_client):
    response = teammate_client.get(list_url("mine", "?status=resolved"), headers={**HX, "HX-Target": "ticket-list"})

    assert response.status_code == 200
    assert root_id(response) == "ticket-list"


def test_ticket_list_live_refresh_returns_items_partial(teammate_client):
    response = teammate_client.get(list_url("mine"), headers={**HX, "HX-Target": "ticket-list-items"})

    assert root_id(response) == "ticket-list-items"


def test_ticket_list_unknown_view_is_404(teammate_client, db):
    assert teammate_client.get(list_url("everything")).status_code == 404


def test_ticket_list_unknown_team_is_404(teammate_client, db):
    assert teammate_client.get(list_url("team-999999")).status_code == 404


@pytest.mark.parametrize("query", ["?after=abc", "?status=deleted", "?sort=random", "?before=a:b", "?after=a&before=b"])
def test_ticket_list_bad_filter_is_400(teammate_client, query):
    response = teammate_client.get(list_url("mine", query))

    assert response.status_code == 400
    assert "That address has a bad parameter" in html(response)


def test_ticket_list_requires_login(client, db):
    response = client.get(list_url("mine"))

    assert response.status_code == 302


def test_ticket_list_refuses_post(teammate_client):
    assert teammate_client.post(list_url("mine")).status_code == 405


@pytest.mark.parametrize("n_tickets", [3, 30])
def test_ticket_list_query_count_does_not_grow(teammate_client, team, django_assert_max_num_queries, n_tickets):
    ticket_type = TicketTypeFactory()
    assignees = TeammateFactory.create_batch(3)
    for index in range(n_tickets):
        BackOfficeTicketFactory(ticket_type=ticket_type, team_id=team.pk, assignee_id=assignees[index % 3].pk)

    with django_assert_max_num_queries(LIST_PAGE_QUERIES):
        response = teammate_client.get(list_url(f"team-{team.pk}"))

    assert len(response.context["page"].rows) == min(n_tickets, 25)


def test_ticket_list_later_page_query_count_is_the_first_pages(teammate_client, team, django_assert_max_num_queries):
    ticket_type = TicketTypeFactory()
    for _ in range(60):
        BackOfficeTicketFactory(ticket_type=ticket_type, team_id=team.pk)
    next_url = pager_link(teammate_client.get(list_url(f"team-{team.pk}")), "next")

    with django_assert_max_num_queries(LIST_PAGE_QUERIES):
        response = teammate_client.get(next_url)

    assert len(response.context["page"].rows) == 25


def test_ticket_page_shows_pane_beside_linked_conversation(teammate_client, team, conversation):
    ticket = BackOfficeTicketFactory(conversation=conversation, team_id=team.pk)

    response = teammate_client.get(reverse("tickets:ticket", args=[f"team-{team.pk}", ticket.pk]))

    assert response.status_code == 200
    page = html(response)
    assert 'id="ticket-pane"' in page and 'id="ticket-list"' in page
    context_url = reverse("inbox:conversation-context", args=[conversation.pk])
    assert re.search(rf'class="context-pane"[^>]*hx-get="{context_url}"', page)
    assert re.search(rf'id="ticket-item-{ticket.pk}"[^>]*aria-current="true"', page, re.S)


def test_ticket_page_of_ticket_linked_to_customer_ticket_shows_its_thread(teammate_client, teammate):
    customer_ticket = CustomerTicketFactory()
    ticket = BackOfficeTicketFactory(customer_ticket=customer_ticket, assignee_id=teammate.pk)

    response = teammate_client.get(reverse("tickets:ticket", args=["mine", ticket.pk]))

    assert response.context["pane"].context_conversation_id == customer_ticket.thread_id
    assert reverse("inbox:conversation-context", args=[customer_ticket.thread_id]) in html(response)


def test_ticket_page_htmx_main_returns_detail_with_list_out_of_band(teammate_client, teammate):
    ticket = BackOfficeTicketFactory(assignee_id=teammate.pk)

    response = teammate_client.get(
        reverse("tickets:ticket", args=["mine", ticket.pk]), headers={**HX, "HX-Target": "main"}
    )

    assert response.status_code == 200
    assert root_id(response) == "ticket-detail"
    assert re.search(r'id="ticket-list-items"[^>]*hx-swap-oob="true"', html(response))
    assert "<html" not in html(response)


def test_ticket_page_unknown_ticket_is_404(teammate_client, db):
    assert teammate_client.get(reverse("tickets:ticket", args=["mine", 999_999])).status_code == 404


@pytest.mark.parametrize("n_tickets", [3, 30])
def test_ticket_page_query_count_does_not_grow(teammate_client, team, django_assert_max_num_queries, n_tickets):
    ticket_type = integer_type()
    tickets = [
        BackOfficeTicketFactory(ticket_type=ticket_type, team_id=team.pk, attributes={"amount": 1})
        for _ in range(n_tickets)
    ]
    TicketNoteFactory.create_batch(n_tickets, ticket=tickets[0])

    with django_assert_max_num_queries(TICKET_PAGE_QUERIES):
        response = teammate_client.get(reverse("tickets:ticket", args=[f"team-{team.pk}", tickets[0].pk]))
    assert response.status_code == 200


def test_open_redirects_to_the_team_view(teammate_client, team):
    ticket = BackOfficeTicketFactory(team_id=team.pk)

    response = teammate_client.get(reverse("tickets:open", args=[ticket.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("tickets:ticket", args=[f"team-{team.pk}", ticket.pk])


def test_open_redirects_ticket_without_team_to_all_tickets(teammate_client):
    ticket = CustomerTicketFactory()

    response = teammate_client.get(reverse("tickets:open", args=[ticket.pk]))

    assert response["Location"] == reverse("tickets:ticket", args=["all", ticket.pk])


def test_open_unknown_ticket_is_404(teammate_client, db):
    assert teammate_client.get(reverse("tickets:open", args=[999_999])).status_code == 404


def test_ticket_list_page_emptied_since_its_link_offers_the_first_page(teammate_client, five_pages):
    first = teammate_client.get(five_pages + "?sort=oldest")
    shown = [ticket.pk for ticket in first.context["page"].rows]
    Ticket.objects.exclude(pk__in=shown).update(state=state(StateCategory.RESOLVED))

    emptied = teammate_client.get(pager_link(first, "next"))

    assert emptied.status_code == 200
    assert "No open tickets here." in html(emptied)
    assert re.search(rf'<a href="{five_pages}\?sort=oldest"[^>]*>Back to the first page</a>', html(emptied))
