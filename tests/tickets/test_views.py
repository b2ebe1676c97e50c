"""The teammates' ticket pages through Django's test client: the ticket side of a conversation, the create
form, the ticket pane and its forms, and the back-office ticket views."""

import re
from html import unescape

import factory
import pytest
from django.urls import reverse

from helpdesk.models import OutboxEvent
from inbox.models import Part
from tests.factories import (
    BackOfficeTicketFactory,
    CustomerTicketFactory,
    TeamFactory,
    TeammateFactory,
    TicketAttributeFactory,
    TicketNoteFactory,
    TicketStateFactory,
    TicketTypeFactory,
    TrackerTicketFactory,
    state,
)
from tickets import actions
from tickets.models import StateCategory, Ticket, TicketPart

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
# Session, teammate, then the reads of each page (see the selectors' docstrings). Measured; each budget
# holds for the small and the large case alike.
SIDE_QUERIES = 12  # conversation, its back-office tickets, its trackers, its ticket forms, then the open ticket's pane
PANE_QUERIES = 8  # the pane: ticket, attributes, states, timeline, teammates, teams
LIST_PAGE_QUERIES = 5  # team, one page of tickets, plus the live version for the page's poller
TICKET_PAGE_QUERIES = 11  # the list page plus the open ticket's pane


def html(response) -> str:
    return response.content.decode()


def root_id(response) -> str:
    """The id of the first element of a partial."""
    match = re.search(r"<[a-z]+[^>]*\sid=\"([^\"]+)\"", html(response))
    return match.group(1) if match else ""


def side_url(conversation, **query) -> str:
    url = reverse("tickets:conversation-tickets", args=[conversation.pk])
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def create_url(conversation) -> str:
    return reverse("tickets:create", args=[conversation.pk])


def integer_type(**traits):
    """A back-office type with a required integer attribute `amount`."""
    ticket_type = TicketTypeFactory(**traits)
    TicketAttributeFactory(
        ticket_type=ticket_type, key="amount", name="Amount", kind="integer", required_to_create=True
    )
    return ticket_type


# --- The ticket side of a conversation ---


def test_conversation_tickets_empty_state_offers_create_button(teammate_client, conversation):
    response = teammate_client.get(side_url(conversation), headers=HX)

    assert response.status_code == 200
    assert root_id(response) == "ticket-side-inner"
    assert "No ticket is linked to this conversation yet" in html(response)
    assert f'hx-get="{create_url(conversation)}"' in html(response)
    assert f'hx-get="{reverse("tickets:tracker-picker", args=[conversation.pk])}"' in html(response)
    assert f'hx-get="{reverse("tickets:tracker-create", args=[conversation.pk])}"' in html(response)


def test_conversation_tickets_opens_newest_ticket_by_default(teammate_client, conversation):
    older = BackOfficeTicketFactory(conversation=conversation)
    newer = BackOfficeTicketFactory(conversation=conversation)

    response = teammate_client.get(side_url(conversation), headers=HX)

    assert response.context["pane"].ticket == newer
    assert f'id="ticket-tab-{older.pk}"' in html(response)
    assert re.search(rf'id="ticket-tab-{newer.pk}"[^>]*aria-current="true"', html(response), re.S)


def test_conversation_tickets_opens_ticket_chosen_in_switcher(teammate_client, conversation):
    older = BackOfficeTicketFactory(conversation=conversation)
    BackOfficeTicketFactory(conversation=conversation)

    response = teammate_client.get(side_url(conversation, ticket=older.pk), headers=HX)

    assert response.status_code == 200
    assert response.context["pane"].ticket == older


def test_conversation_tickets_hides_switcher_for_a_single_ticket(teammate_client, conversation):
    ticket = BackOfficeTicketFactory(conversation=conversation)

    response = teammate_client.get(side_url(conversation), headers=HX)

    assert response.context["pane"].ticket == ticket
    assert "ticket-tab-" not in html(response)


def test_conversation_tickets_of_customer_ticket_thread_include_its_back_office_tickets(teammate_client):
    customer_ticket = CustomerTicketFactory()
    linked = BackOfficeTicketFactory(customer_ticket=customer_ticket)

    response = teammate_client.get(side_url(customer_ticket.thread), headers=HX)

    assert response.context["pane"].ticket == linked


def test_conversation_tickets_unknown_conversation_is_404(teammate_client, db):
    response = teammate_client.get(reverse("tickets:conversation-tickets", args=[999_999]), headers=HX)

    assert response.status_code == 404


def test_conversation_tickets_ticket_not_linked_is_404(teammate_client, conversation):
    other = BackOfficeTicketFactory()

    response = teammate_client.get(side_url(conversation, ticket=other.pk), headers=HX)

    assert response.status_code == 404
    assert f"Ticket #{other.pk} is not linked" in html(response)


def test_conversation_tickets_non_numeric_ticket_is_400(teammate_client, conversation):
    response = teammate_client.get(side_url(conversation, ticket="abc"), headers=HX)

    assert response.status_code == 400


def test_conversation_tickets_requires_login(client, conversation):
    response = client.get(side_url(conversation))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_conversation_tickets_refuses_post(teammate_client, conversation):
    assert teammate_client.post(side_url(conversation)).status_code == 405


def test_conversation_tickets_switcher_is_204_while_unchanged(teammate_client, conversation):
    BackOfficeTicketFactory(conversation=conversation)
    version = teammate_client.get(side_url(conversation), headers=HX).context["linked"].version

    response = teammate_client.get(side_url(conversation, part="switcher", v=version), headers=HX)

    assert response.status_code == 204


def test_conversation_tickets_switcher_shows_ticket_created_elsewhere(teammate_client, conversation):
    first = BackOfficeTicketFactory(conversation=conversation)
    version = teammate_client.get(side_url(conversation), headers=HX).context["linked"].version
    second = BackOfficeTicketFactory(conversation=conversation)

    response = teammate_client.get(side_url(conversation, part="switcher", ticket=first.pk, v=version), headers=HX)

    assert response.status_code == 200
    assert root_id(response) == "ticket-switcher"
    assert f'id="ticket-tab-{second.pk}"' in html(response)


@pytest.mark.parametrize("n_tickets", [1, 5])
def test_conversation_tickets_query_count_does_not_grow(
    teammate_client, conversation, django_assert_max_num_queries, n_tickets
):
    ticket_type = integer_type()
    for _ in range(n_tickets):
        BackOfficeTicketFactory(conversation=conversation, ticket_type=ticket_type, attributes={"amount": 1})

    with django_assert_max_num_queries(SIDE_QUERIES):
        response = teammate_client.get(side_url(conversation), headers=HX)

    assert response.status_code == 200


# --- Creating a back-office ticket ---


def test_create_form_offers_live_back_office_types_only(teammate_client, conversation):
    live = TicketTypeFactory(name="Refund")
    archived = TicketTypeFactory(name="Old refund", archived=True)
    customer = TicketTypeFactory(name="Question", customer=True)

    response = teammate_client.get(create_url(conversation), headers=HX)

    assert response.status_code == 200
    assert root_id(response) == "ticket-create"
    offered = [ticket_type for ticket_type, _ in response.context["form"].fields["ticket_type"].choices if ticket_type]
    assert offered == [live.pk]
    assert archived.name not in html(response) and customer.name not in html(response)


def test_create_form_shows_chosen_type_attributes_visible_on_create(teammate_client, conversation):
    ticket_type = integer_type()
    TicketAttributeFactory(ticket_type=ticket_type, key="internal", name="Internal code", visible_on_create=False)

    response = teammate_client.get(f"{create_url(conversation)}?ticket_type={ticket_type.pk}", headers=HX)

    assert 'name="attr_amount"' in html(response)
    assert 'type="number"' in html(response)
    assert re.search(r'name="attr_amount"[^>]*required', html(response))
    assert "attr_internal" not in html(response)


def test_create_form_keeps_typed_title_when_type_changes(teammate_client, conversation):
    ticket_type = TicketTypeFactory()

    response = teammate_client.get(
        f"{create_url(conversation)}?ticket_type={ticket_type.pk}&title=Refund+it", headers=HX
    )

    assert 'value="Refund it"' in html(response)


def test_create_form_hides_share_for_type_never_shared(teammate_client, conversation):
    ticket_type = TicketTypeFactory(never_shared=True)

    response = teammate_client.get(f"{create_url(conversation)}?ticket_type={ticket_type.pk}", headers=HX)

    assert 'name="share"' not in html(response)


def test_create_form_offers_share_for_optional_type(teammate_client, conversation):
    ticket_type = TicketTypeFactory()

    response = teammate_client.get(f"{create_url(conversation)}?ticket_type={ticket_type.pk}", headers=HX)

    assert re.search(r'<input type="checkbox" name="share"(?![^>]*disabled)', html(response))


def test_create_form_disables_share_with_reason_when_conversation_has_shared_ticket(teammate_client, conversation):
    shared = BackOfficeTicketFactory(conversation=conversation, share=True)

    url = f"{create_url(conversation)}?ticket_type={shared.ticket_type_id}"
    response = teammate_client.get(url, headers=HX)

    assert re.search(r'<input type="checkbox" name="share"[^>]*disabled', html(response))
    assert f"already has a shared ticket (#{shared.pk})" in html(response)


def test_create_form_disables_share_on_customer_ticket_thread(teammate_client):
    customer_ticket = CustomerTicketFactory()
    ticket_type = TicketTypeFactory()

    response = teammate_client.get(f"{create_url(customer_ticket.thread)}?ticket_type={ticket_type.pk}", headers=HX)

    assert re.search(r'<input type="checkbox" name="share"[^>]*disabled', html(response))
    assert "linked to a customer ticket cannot be shared" in html(response)


def test_create_form_archived_type_is_400(teammate_client, conversation):
    ticket_type = TicketTypeFactory(archived=True)

    response = teammate_client.get(f"{create_url(conversation)}?ticket_type={ticket_type.pk}", headers=HX)

    assert response.status_code == 400


def test_create_makes_ticket_and_opens_it_in_the_side(teammate_client, teammate, conversation, team):
    ticket_type = integer_type()

    response = teammate_client.post(
        create_url(conversation),
        {"ticket_type": ticket_type.pk, "title": "Refund order", "attr_amount": "42", "team": team.pk},
        headers=HX,
    )

    assert response.status_code == 200
    assert root_id(response) == "ticket-side-inner"
    ticket = Ticket.objects.get(linked_conversation=conversation)
    assert (ticket.title, ticket.attributes, ticket.team, ticket.created_by) == (
        "Refund order",
        {"amount": 42},
        team,
        teammate,
    )
    assert response.context["pane"].ticket == ticket


def test_create_shares_ticket_when_asked(teammate_client, conversation):
    ticket_type = TicketTypeFactory()

    teammate_client.post(
        create_url(conversation), {"ticket_type": ticket_type.pk, "title": "Refund", "share": "on"}, headers=HX
    )

    assert Ticket.objects.get(linked_conversation=conversation).is_shared


def test_create_links_customer_ticket_thread_to_its_customer_ticket(teammate_client):
    customer_ticket = CustomerTicketFactory()
    ticket_type = TicketTypeFactory()

    teammate_client.post(
        create_url(customer_ticket.thread), {"ticket_type": ticket_type.pk, "title": "Check"}, headers=HX
    )

    assert Ticket.objects.get(linked_ticket=customer_ticket).linked_conversation is None


def test_create_rejects_missing_title_in_place(teammate_client, conversation):
    ticket_type = TicketTypeFactory()

    response = teammate_client.post(create_url(conversation), {"ticket_type": ticket_type.pk, "title": ""}, headers=HX)

    assert response.status_code == 422
    assert root_id(response) == "ticket-create"
    assert response.context["form"].errors["title"] == ["This field is required."]
    assert 'id="new-ticket-title_error"' in html(response)
    assert not Ticket.objects.exists()


def test_create_rejects_bad_integer_attribute_in_place(teammate_client, conversation):
    ticket_type = integer_type()

    response = teammate_client.post(
        create_url(conversation), {"ticket_type": ticket_type.pk, "title": "Refund", "attr_amount": "12abc"}, headers=HX
    )

    assert response.status_code == 422
    assert response.context["form"].errors["attr_amount"] == ["Enter a whole number."]
    assert not Ticket.objects.exists()


def test_create_rejects_missing_required_attribute_in_place(teammate_client, conversation):
    ticket_type = integer_type()

    response = teammate_client.post(create_url(conversation), {"ticket_type": ticket_type.pk, "title": "R"}, headers=HX)

    assert response.status_code == 422
    assert "attr_amount" in response.context["form"].errors
    assert not Ticket.objects.exists()


def test_create_rejects_unknown_type(teammate_client, conversation):
    response = teammate_client.post(create_url(conversation), {"ticket_type": "999999", "title": "R"}, headers=HX)

    assert response.status_code == 422
    assert "ticket_type" in response.context["form"].errors


def test_create_rejects_non_numeric_type_in_place(teammate_client, conversation):
    response = teammate_client.post(create_url(conversation), {"ticket_type": "²", "title": "R"}, headers=HX)

    assert response.status_code == 422
    assert "ticket_type" in response.context["form"].errors


def test_create_refuses_second_share_in_place_and_writes_nothing(teammate_client, conversation):
    shared = BackOfficeTicketFactory(conversation=conversation, share=True)
    parts_before, events_before = Part.objects.count(), OutboxEvent.objects.count()

    response = teammate_client.post(
        create_url(conversation), {"ticket_type": shared.ticket_type_id, "title": "Again", "share": "on"}, headers=HX
    )

    assert response.status_code == 422
    assert root_id(response) == "ticket-create"
    assert "already has a shared ticket" in html(response)
    assert Ticket.objects.count() == 1
    assert (Part.objects.count(), OutboxEvent.objects.count()) == (parts_before, events_before)


def test_create_refuses_share_of_type_never_shared(teammate_client, conversation):
    ticket_type = TicketTypeFactory(never_shared=True)

    response = teammate_client.post(
        create_url(conversation), {"ticket_type": ticket_type.pk, "title": "Fraud", "share": "on"}, headers=HX
    )

    assert response.status_code == 422
    assert not Ticket.objects.exists()


def test_create_unknown_conversation_is_404(teammate_client, db):
    response = teammate_client.get(reverse("tickets:create", args=[999_999]), headers=HX)

    assert response.status_code == 404


def test_create_requires_login(client, conversation):
    response = client.post(create_url(conversation), {"title": "x"})

    assert response.status_code == 302
    assert not Ticket.objects.exists()


# --- The ticket pane ---


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


# --- Notes ---


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
    assert OutboxEvent.objects.filter(kind="TicketNoteCrossPosted").count() == 1


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


# --- State, assignment, attributes ---


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
    assert OutboxEvent.objects.get(kind="TicketAttributesChanged").payload["changed"] == ["title", "Amount"]


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


def test_attributes_refuses_get(teammate_client):
    ticket = BackOfficeTicketFactory()

    assert teammate_client.get(reverse("tickets:attributes", args=[ticket.pk])).status_code == 405


# --- The back-office ticket views ---


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
        teammate_client.get(reverse("tickets:ticket", args=[f"team-{team.pk}", tickets[0].pk]))


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
