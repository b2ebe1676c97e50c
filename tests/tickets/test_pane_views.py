"""The ticket pane and its forms (notes, state, assignment, attributes), through Django's test client."""

import re

import factory
import pytest
from django.urls import reverse

from helpdesk.models import OutboxEvent
from tests.factories import (
    BackOfficeTicketFactory,
    CustomerTicketFactory,
    TeammateFactory,
    TicketNoteFactory,
    TicketStateFactory,
    state,
)
from tests.tickets.pages import (
    HX,
    PANE_QUERIES,
    html,
    integer_type,
    root_id,
)
from tickets import actions
from tickets.models import StateCategory, TicketPart

pytestmark = pytest.mark.django_db


def test_pane_shows_ticket_attributes_and_timeline(teammate_client, teammate):
    ticket = BackOfficeTicketFactory(ticket_type=integer_type(), attributes={"amount": 7})
    actions.post_ticket_note(actor=teammate, ticket_id=ticket.pk, body="Checked the ledger", cross_post=True)

    response = teammate_client.get(reverse("tickets:pane", args=[ticket.pk]), headers=HX)

    assert response.status_code == 200
    assert root_id(response) == "ticket-pane"
    page = html(response)
    assert "<dt>Amount</dt><dd>7</dd>" in page
    assert "Checked the ledger" in page
    assert "Cross-posted" in page
    assert "<time datetime=" in page


def test_pane_composer_buttons_carry_shortcuts(teammate_client):
    ticket = BackOfficeTicketFactory()

    page = html(teammate_client.get(reverse("tickets:pane", args=[ticket.pk]), headers=HX))

    assert re.search(r'name="cross_post" value="0"[^>]*data-shortcut-submit="primary"', page)
    assert re.search(r'name="cross_post" value="1"[^>]*data-shortcut-submit="cross-post"', page)
    assert re.search(r"<textarea[^>]*data-composer", page)


def test_pane_live_parts_never_hold_the_composer_or_edit_form(teammate_client):
    ticket = BackOfficeTicketFactory()
    part_url = reverse("tickets:pane-part", args=[ticket.pk])

    for part in ("header", "timeline"):
        page = html(teammate_client.get(f"{part_url}?part={part}", headers=HX))
        assert "data-composer" not in page and "ticket-edit" not in page


def test_pane_unknown_ticket_is_404(teammate_client, db):
    assert teammate_client.get(reverse("tickets:pane", args=[999_999]), headers=HX).status_code == 404


def test_pane_requires_login(client):
    ticket = BackOfficeTicketFactory()

    assert client.get(reverse("tickets:pane", args=[ticket.pk])).status_code == 302


@pytest.mark.parametrize("n_parts", [2, 200])
def test_pane_query_count_does_not_grow(teammate_client, django_assert_max_num_queries, n_parts):
    ticket = BackOfficeTicketFactory(ticket_type=integer_type(), attributes={"amount": 1})
    authors = TeammateFactory.create_batch(3)
    TicketNoteFactory.create_batch(n_parts - 1, ticket=ticket, author=factory.Iterator(authors))

    with django_assert_max_num_queries(PANE_QUERIES):
        response = teammate_client.get(reverse("tickets:pane", args=[ticket.pk]), headers=HX)

    assert len(response.context["pane"].parts) == n_parts


def test_pane_part_header_is_204_while_ticket_unchanged(teammate_client):
    ticket = BackOfficeTicketFactory()
    version = teammate_client.get(reverse("tickets:pane", args=[ticket.pk]), headers=HX).context["pane"].version

    response = teammate_client.get(f"{reverse('tickets:pane-part', args=[ticket.pk])}?part=header&v={version}")

    assert response.status_code == 204


def test_pane_part_header_shows_state_changed_elsewhere(teammate_client, other_teammate):
    ticket = BackOfficeTicketFactory()
    version = teammate_client.get(reverse("tickets:pane", args=[ticket.pk]), headers=HX).context["pane"].version
    actions.change_ticket_state(actor=other_teammate, ticket_id=ticket.pk, state_id=state(StateCategory.RESOLVED).pk)

    url = f"{reverse('tickets:pane-part', args=[ticket.pk])}?part=header&v={version}"
    response = teammate_client.get(url, headers=HX)

    assert response.status_code == 200
    assert root_id(response) == "ticket-header"
    assert "state-resolved" in html(response)


def test_pane_part_timeline_is_204_while_no_part_added(teammate_client):
    ticket = BackOfficeTicketFactory()
    last = TicketPart.objects.filter(ticket=ticket).latest("pk").pk

    url = f"{reverse('tickets:pane-part', args=[ticket.pk])}?part=timeline&v={last}"
    assert teammate_client.get(url, headers=HX).status_code == 204


def test_pane_part_timeline_shows_note_posted_elsewhere(teammate_client, other_teammate):
    ticket = BackOfficeTicketFactory()
    last = TicketPart.objects.filter(ticket=ticket).latest("pk").pk
    actions.post_ticket_note(actor=other_teammate, ticket_id=ticket.pk, body="From a colleague")

    response = teammate_client.get(f"{reverse('tickets:pane-part', args=[ticket.pk])}?part=timeline&v={last}")

    assert root_id(response) == "ticket-timeline"
    assert "From a colleague" in html(response)


def test_pane_part_unknown_part_is_400(teammate_client):
    ticket = BackOfficeTicketFactory()

    response = teammate_client.get(f"{reverse('tickets:pane-part', args=[ticket.pk])}?part=composer", headers=HX)

    assert response.status_code == 400


def test_note_posts_note_and_returns_empty_composer_with_focus(teammate_client, teammate):
    ticket = BackOfficeTicketFactory()

    response = teammate_client.post(
        reverse("tickets:note", args=[ticket.pk]), {"body": "Refund sent", "cross_post": "0"}, headers=HX
    )

    assert response.status_code == 200
    assert root_id(response) == "ticket-note-form"
    note = TicketPart.objects.get(ticket=ticket, kind="note")
    assert (note.body, note.author, note.cross_posted) == ("Refund sent", teammate, False)
    composer = re.search(r"<textarea[^>]*>([^<]*)</textarea>", html(response))
    assert composer and composer.group(1).strip() == ""
    assert "data-focus-after-swap" in composer.group(0)
    assert "ticket-changed" in response["HX-Trigger-After-Settle"]


def test_note_cross_post_button_cross_posts(teammate_client):
    ticket = BackOfficeTicketFactory()

    teammate_client.post(
        reverse("tickets:note", args=[ticket.pk]), {"body": "Refund sent", "cross_post": "1"}, headers=HX
    )

    assert TicketPart.objects.get(ticket=ticket, kind="note").cross_posted
    assert OutboxEvent.objects.filter(handler="tickets.handlers.cross_post_note").count() == 1


def test_note_rejects_empty_body_in_place(teammate_client):
    ticket = BackOfficeTicketFactory()

    response = teammate_client.post(
        reverse("tickets:note", args=[ticket.pk]), {"body": "  ", "cross_post": "0"}, headers=HX
    )

    assert response.status_code == 422
    assert root_id(response) == "ticket-note-form"
    assert "This field is required." in html(response)
    assert not TicketPart.objects.filter(ticket=ticket, kind="note").exists()


def test_note_refuses_cross_post_from_customer_ticket_in_place(teammate_client):
    ticket = CustomerTicketFactory()

    response = teammate_client.post(
        reverse("tickets:note", args=[ticket.pk]), {"body": "Hi", "cross_post": "1"}, headers=HX
    )

    assert response.status_code == 422
    assert "without cross-posting" in html(response)
    assert not TicketPart.objects.filter(ticket=ticket, kind="note").exists()


def test_note_unknown_ticket_is_404(teammate_client, db):
    response = teammate_client.post(reverse("tickets:note", args=[999_999]), {"body": "x"}, headers=HX)

    assert response.status_code == 404


def test_note_refuses_get(teammate_client):
    ticket = BackOfficeTicketFactory()

    assert teammate_client.get(reverse("tickets:note", args=[ticket.pk])).status_code == 405


def test_note_requires_login(client):
    ticket = BackOfficeTicketFactory()

    response = client.post(reverse("tickets:note", args=[ticket.pk]), {"body": "x"})

    assert response.status_code == 302
    assert not TicketPart.objects.filter(ticket=ticket, kind="note").exists()


def test_state_moves_ticket_and_returns_header(teammate_client):
    ticket = BackOfficeTicketFactory()
    resolved = state(StateCategory.RESOLVED)

    response = teammate_client.post(reverse("tickets:state", args=[ticket.pk]), {"state": resolved.pk}, headers=HX)

    assert response.status_code == 200
    assert root_id(response) == "ticket-header"
    ticket.refresh_from_db()
    assert ticket.state == resolved
    assert "state-resolved" in html(response)


def test_state_change_refreshes_live_parts(teammate_client):
    ticket = BackOfficeTicketFactory()

    url = reverse("tickets:state", args=[ticket.pk])
    response = teammate_client.post(url, {"state": state(StateCategory.RESOLVED).pk}, headers=HX)

    assert "ticket-changed" in response["HX-Trigger-After-Settle"]


def test_state_rejects_unknown_state_in_place(teammate_client):
    ticket = BackOfficeTicketFactory()

    response = teammate_client.post(reverse("tickets:state", args=[ticket.pk]), {"state": "999999"}, headers=HX)

    assert response.status_code == 422
    assert root_id(response) == "ticket-header"
    assert "Select a valid choice" in html(response)
    ticket.refresh_from_db()
    assert ticket.state.category == StateCategory.SUBMITTED


def test_state_rejects_state_of_another_type_in_place(teammate_client):
    ticket = BackOfficeTicketFactory()
    foreign = TicketStateFactory()

    response = teammate_client.post(reverse("tickets:state", args=[ticket.pk]), {"state": foreign.pk}, headers=HX)

    assert response.status_code == 422


def test_state_unknown_ticket_is_404(teammate_client, db):
    response = teammate_client.post(reverse("tickets:state", args=[999_999]), {"state": "1"}, headers=HX)

    assert response.status_code == 404


def test_state_refuses_get(teammate_client):
    ticket = BackOfficeTicketFactory()

    assert teammate_client.get(reverse("tickets:state", args=[ticket.pk])).status_code == 405


def test_assign_sets_assignee_and_team(teammate_client, teammate, team):
    ticket = BackOfficeTicketFactory()

    response = teammate_client.post(
        reverse("tickets:assign", args=[ticket.pk]), {"assignee": teammate.pk, "team": team.pk}, headers=HX
    )

    assert response.status_code == 200
    assert root_id(response) == "ticket-header"
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.team) == (teammate, team)


def test_assign_rejects_unknown_teammate_in_place(teammate_client):
    ticket = BackOfficeTicketFactory()

    response = teammate_client.post(reverse("tickets:assign", args=[ticket.pk]), {"assignee": "999999"}, headers=HX)

    assert response.status_code == 422
    assert "Select a valid choice" in html(response)
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_assign_refuses_get(teammate_client):
    ticket = BackOfficeTicketFactory()

    assert teammate_client.get(reverse("tickets:assign", args=[ticket.pk])).status_code == 405


def test_attributes_saves_title_and_values(teammate_client, teammate):
    ticket = BackOfficeTicketFactory(ticket_type=integer_type(), attributes={"amount": 1})

    response = teammate_client.post(
        reverse("tickets:attributes", args=[ticket.pk]), {"title": "Refund 2", "attr_amount": "2"}, headers=HX
    )

    assert response.status_code == 200
    assert root_id(response) == "ticket-edit"
    ticket.refresh_from_db()
    assert (ticket.title, ticket.attributes) == ("Refund 2", {"amount": 2})
    event = TicketPart.objects.get(ticket=ticket, event_type="attributes_changed")
    assert event.author == teammate
    published = OutboxEvent.objects.get(kind="TicketAttributesChanged", handler="helpdesk.live.publish")
    assert published.payload["changed"] == ["title", "Amount"]


def test_attributes_rejects_bad_integer_in_place(teammate_client):
    ticket = BackOfficeTicketFactory(ticket_type=integer_type(), attributes={"amount": 1})

    response = teammate_client.post(
        reverse("tickets:attributes", args=[ticket.pk]), {"title": "Refund", "attr_amount": "one"}, headers=HX
    )

    assert response.status_code == 422
    assert root_id(response) == "ticket-edit"
    assert "Enter a whole number." in html(response)
    assert re.search(r'<details id="ticket-edit"[^>]*open', html(response))
    ticket.refresh_from_db()
    assert ticket.attributes == {"amount": 1}


def test_attributes_rejects_missing_title_in_place(teammate_client):
    ticket = BackOfficeTicketFactory()

    response = teammate_client.post(reverse("tickets:attributes", args=[ticket.pk]), {"title": ""}, headers=HX)

    assert response.status_code == 422
    assert response.context["edit_form"].errors["title"] == ["This field is required."]


def test_pane_carries_the_edit_form_only_once_opened(teammate_client):
    ticket = BackOfficeTicketFactory(title="Refund order 1042")

    page = html(teammate_client.get(reverse("tickets:pane", args=[ticket.pk]), headers=HX))

    assert 'id="ticket-edit"' in page and 'id="ticket-edit-form"' not in page
    assert re.search(rf'hx-get="{reverse("tickets:attributes", args=[ticket.pk])}" hx-trigger="toggle once', page)


def test_attributes_get_shows_the_edit_form_with_the_values(teammate_client):
    ticket = BackOfficeTicketFactory(ticket_type=integer_type(), title="Refund order 1042", attributes={"amount": 7})

    response = teammate_client.get(reverse("tickets:attributes", args=[ticket.pk]), headers=HX)

    assert response.status_code == 200
    assert root_id(response) == "ticket-edit-form"
    assert re.search(r'name="title" value="Refund order 1042"[^>]*autofocus', html(response))
    assert 'name="attr_amount" value="7"' in html(response)


def test_attributes_saved_comes_back_closed_without_the_form(teammate_client):
    ticket = BackOfficeTicketFactory()

    response = teammate_client.post(reverse("tickets:attributes", args=[ticket.pk]), {"title": "Refund"}, headers=HX)

    assert response.status_code == 200
    assert root_id(response) == "ticket-edit"
    assert not re.search(r'<details id="ticket-edit"[^>]*open', html(response))
    assert 'id="ticket-edit-form"' not in html(response)
