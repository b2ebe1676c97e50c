"""Converting a conversation into a customer ticket, the forms in the ticket side, methods and sign-in, through
Django's test client."""

import re

import pytest
from django.urls import reverse

from tests.factories import (
    BackOfficeTicketFactory,
    ConversationFactory,
    CustomerTicketFactory,
    TicketAttributeFactory,
    TicketTypeFactory,
)
from tests.tickets.form_pages import (
    CONVERT_FORM_QUERIES,
    HX,
    convert_new_url,
    convert_url,
    html,
    root_id,
    written,
)
from tickets import actions, selectors
from tickets.models import Ticket, TicketCategory, TicketFormRequest

pytestmark = pytest.mark.django_db


def test_convert_form_offers_live_customer_types_and_suggests_the_subject(teammate_client, refund_type, question_type):
    TicketTypeFactory(name="Old question", customer=True, archived=True)
    conversation = ConversationFactory(subject="Where is my parcel?")

    response = teammate_client.get(convert_new_url(conversation.pk), headers=HX)

    assert response.status_code == 200
    assert root_id(response) == "convert-form"
    offered = [value for value, _ in response.context["form"].fields["ticket_type"].choices if value]
    assert offered == [question_type.pk]
    assert 'value="Where is my parcel?"' in html(response)
    assert "Refund request" not in html(response)


def test_convert_form_shows_the_chosen_type_attributes(teammate_client, conversation, question_type):
    TicketAttributeFactory(ticket_type=question_type, key="order", name="Order number", required_to_create=True)

    url = f"{convert_new_url(conversation.pk)}?ticket_type={question_type.pk}&title=Parcel"
    response = teammate_client.get(url, headers=HX)

    assert re.search(r'name="attr_order"[^>]*required', html(response))
    assert 'value="Parcel"' in html(response)  # what was typed survives choosing the type


def test_convert_form_says_why_a_customer_ticket_thread_cannot_be_converted(teammate_client, question_type):
    customer_ticket = CustomerTicketFactory()

    response = teammate_client.get(convert_new_url(customer_ticket.thread_id), headers=HX)

    assert f"This conversation already is customer ticket #{customer_ticket.pk}." in html(response)
    assert "<form" not in html(response)


@pytest.mark.parametrize("n_types", [2, 20])
def test_convert_form_query_count_does_not_grow_with_types(
    teammate_client, conversation, django_assert_max_num_queries, n_types
):
    TicketTypeFactory.create_batch(n_types, customer=True)

    with django_assert_max_num_queries(CONVERT_FORM_QUERIES):
        response = teammate_client.get(convert_new_url(conversation.pk), headers=HX)

    assert response.status_code == 200


def test_convert_makes_the_conversation_a_customer_ticket(teammate_client, teammate, conversation, question_type):
    TicketAttributeFactory(ticket_type=question_type, key="order", name="Order number", kind="integer")

    response = teammate_client.post(
        convert_url(conversation.pk),
        {"ticket_type": question_type.pk, "title": "Parcel lost", "attr_order": "1042"},
        headers=HX,
    )

    assert response.status_code == 200
    assert root_id(response) == "convert-form"
    ticket = Ticket.objects.get()
    assert (ticket.category, ticket.thread, ticket.title, ticket.attributes, ticket.created_by) == (
        TicketCategory.CUSTOMER,
        conversation,
        "Parcel lost",
        {"order": 1042},
        teammate,
    )
    assert f"customer ticket #{ticket.pk} Parcel lost" in html(response)
    assert conversation.parts.filter(event_type="ticket_created").exists()


def test_convert_refuses_a_back_office_type(teammate_client, conversation, refund_type):
    before = written()

    response = teammate_client.post(
        convert_url(conversation.pk), {"ticket_type": refund_type.pk, "title": "Refund"}, headers=HX
    )

    assert response.status_code == 422
    assert "Choose a customer ticket type from the list." in html(response)
    assert written() == before


def test_convert_refuses_a_missing_title_in_place(teammate_client, conversation, question_type):
    response = teammate_client.post(convert_url(conversation.pk), {"ticket_type": question_type.pk}, headers=HX)

    assert response.status_code == 422
    assert response.context["form"].errors["title"] == ["This field is required."]
    assert not Ticket.objects.exists()


def test_convert_refuses_a_bad_attribute_in_place(teammate_client, conversation, question_type):
    TicketAttributeFactory(ticket_type=question_type, key="order", name="Order number", kind="integer")

    response = teammate_client.post(
        convert_url(conversation.pk),
        {"ticket_type": question_type.pk, "title": "Parcel", "attr_order": "12abc"},
        headers=HX,
    )

    assert response.status_code == 422
    assert response.context["form"].errors["attr_order"] == ["Enter a whole number."]
    assert not Ticket.objects.exists()


def test_convert_refuses_a_conversation_with_a_shared_ticket(teammate_client, conversation, question_type):
    shared = BackOfficeTicketFactory(conversation=conversation, share=True)
    before = written()

    response = teammate_client.post(
        convert_url(conversation.pk), {"ticket_type": question_type.pk, "title": "Parcel"}, headers=HX
    )

    assert response.status_code == 422
    assert f"already has a shared ticket (#{shared.pk}) that the customer follows" in html(response)
    assert written() == before


def test_convert_of_unknown_conversation_is_404(teammate_client, question_type):
    response = teammate_client.post(convert_url(999_999), {"ticket_type": question_type.pk, "title": "X"}, headers=HX)

    assert response.status_code == 404
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("url_name", ["tickets:ticket-form-send", "tickets:convert"])
def test_post_endpoints_refuse_get(teammate_client, conversation, url_name):
    assert teammate_client.get(reverse(url_name, args=[conversation.pk])).status_code == 405


@pytest.mark.parametrize("url_name", ["tickets:ticket-form-new", "tickets:convert-new"])
def test_form_endpoints_refuse_post(teammate_client, conversation, url_name):
    assert teammate_client.post(reverse(url_name, args=[conversation.pk])).status_code == 405


@pytest.mark.parametrize(
    ("method", "url_name"),
    [
        ("get", "tickets:ticket-form-new"),
        ("post", "tickets:ticket-form-send"),
        ("get", "tickets:convert-new"),
        ("post", "tickets:convert"),
    ],
)
def test_ticket_form_endpoints_require_login(client, conversation, refund_type, method, url_name):
    response = getattr(client, method)(reverse(url_name, args=[conversation.pk]), {"ticket_type": refund_type.pk})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not TicketFormRequest.objects.exists()


def side_url(conversation_id: int, **query) -> str:
    url = reverse("tickets:conversation-tickets", args=[conversation_id])
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def test_ticket_side_lists_pending_and_submitted_forms(teammate_client, teammate, conversation, refund_type):
    pending = actions.send_ticket_form(actor=teammate, conversation_id=conversation.pk, ticket_type_id=refund_type.pk)
    submitted = actions.send_ticket_form(actor=None, conversation_id=conversation.pk, ticket_type_id=refund_type.pk)
    ticket = actions.submit_ticket_form(
        contact_id=conversation.contact_id, form_id=submitted.pk, title="My refund", attributes={"order": "1042"}
    )

    response = teammate_client.get(side_url(conversation.pk), headers=HX)

    side_forms = html(response).split('id="ticket-forms"')[1]
    forms = re.findall(r"<li>\s*(.*?)\s*</li>", side_forms, re.S)
    text = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip() for item in forms]
    assert len(text) == 2, text
    assert "Refund request form sent by a workflow" in text[0] and f"submitted: ticket #{ticket.pk}" in text[0]
    assert f"Refund request form sent by {teammate.display_name}" in text[1]
    assert "waiting for the customer" in text[1]
    assert pending.pk != submitted.pk


def test_ticket_side_says_the_conversation_is_a_customer_ticket(teammate_client):
    customer_ticket = CustomerTicketFactory()

    response = teammate_client.get(side_url(customer_ticket.thread_id), headers=HX)

    assert f'This conversation is <a href="{reverse("tickets:open", args=[customer_ticket.pk])}">' in html(response)


def test_ticket_forms_part_is_204_while_unchanged(teammate_client, teammate, conversation, refund_type):
    actions.send_ticket_form(actor=teammate, conversation_id=conversation.pk, ticket_type_id=refund_type.pk)
    version = teammate_client.get(side_url(conversation.pk), headers=HX).context["ticket_forms"].version

    response = teammate_client.get(side_url(conversation.pk, part="forms", v=version), headers=HX)

    assert response.status_code == 204


def test_ticket_forms_part_shows_a_form_sent_elsewhere(teammate_client, teammate, conversation, refund_type):
    version = teammate_client.get(side_url(conversation.pk), headers=HX).context["ticket_forms"].version
    actions.send_ticket_form(actor=teammate, conversation_id=conversation.pk, ticket_type_id=refund_type.pk)

    response = teammate_client.get(side_url(conversation.pk, part="forms", v=version), headers=HX)

    assert response.status_code == 200
    assert root_id(response) == "ticket-forms"
    assert "waiting for the customer" in html(response)


def test_ticket_forms_part_changes_version_when_a_form_is_submitted(teammate, conversation, refund_type):
    form = actions.send_ticket_form(actor=teammate, conversation_id=conversation.pk, ticket_type_id=refund_type.pk)
    before = selectors.list_conversation_ticket_forms(conversation_id=conversation.pk, customer_ticket_id=None)

    actions.submit_ticket_form(
        contact_id=conversation.contact_id, form_id=form.pk, title="Refund", attributes={"order": "1"}
    )

    after = selectors.list_conversation_ticket_forms(conversation_id=conversation.pk, customer_ticket_id=None)
    assert before.version != after.version


def test_ticket_side_switcher_opens_the_first_ticket_of_an_empty_side(teammate_client, teammate, conversation):
    version = teammate_client.get(side_url(conversation.pk), headers=HX).context["linked"].version
    ticket = BackOfficeTicketFactory(conversation=conversation, share=True)

    response = teammate_client.get(side_url(conversation.pk, part="switcher", ticket="", v=version), headers=HX)

    assert response.status_code == 200
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#ticket-side", "innerHTML")
    assert root_id(response) == "ticket-side-inner"
    assert response.context["pane"].ticket == ticket
