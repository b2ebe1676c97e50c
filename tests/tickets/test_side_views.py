"""The ticket side of a conversation and the create form of a back-office ticket, through Django's test client."""

import re

import pytest
from django.urls import reverse

from helpdesk.models import OutboxEvent
from inbox.models import Part
from tests.factories import (
    BackOfficeTicketFactory,
    CustomerTicketFactory,
    TicketAttributeFactory,
    TicketTypeFactory,
)
from tests.tickets.pages import (
    HX,
    SIDE_QUERIES,
    create_url,
    html,
    integer_type,
    root_id,
    side_url,
)
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


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


def snooze_until_moves_url(conversation, ticket) -> str:
    return reverse("tickets:snooze-until-moves", args=[conversation.pk, ticket.pk])


def test_snooze_until_moves_returns_the_side_and_refreshes_the_conversation(teammate_client, conversation):
    ticket = BackOfficeTicketFactory(conversation=conversation)
    side = teammate_client.get(side_url(conversation), headers=HX)
    assert f'hx-post="{snooze_until_moves_url(conversation, ticket)}"' in html(side)

    response = teammate_client.post(snooze_until_moves_url(conversation, ticket), headers=HX)

    assert response.status_code == 200 and root_id(response) == "ticket-side-inner"
    assert "conversation-changed" in response["HX-Trigger-After-Settle"]
    conversation.refresh_from_db()
    assert (conversation.state, conversation.wake_on_ticket_id) == ("snoozed", ticket.pk)


def test_snooze_until_moves_of_another_conversations_ticket_is_refused(teammate_client, conversation):
    ticket = BackOfficeTicketFactory()

    response = teammate_client.post(snooze_until_moves_url(conversation, ticket), headers=HX)

    assert response.status_code == 422 and "is not linked to this conversation" in html(response)
    conversation.refresh_from_db()
    assert conversation.state == "open"


def test_snooze_until_moves_is_post_only(teammate_client, conversation):
    ticket = BackOfficeTicketFactory(conversation=conversation)
    assert teammate_client.get(snooze_until_moves_url(conversation, ticket)).status_code == 405
