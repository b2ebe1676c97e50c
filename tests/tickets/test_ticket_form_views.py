"""Rule 10 from the teammate's side, through Django's test client: sending a ticket form from a conversation,
converting a conversation into a customer ticket, and the forms shown in the conversation's ticket side.
A tampered request is refused with a message that says why, and writes nothing."""

import re

import pytest
from django.urls import reverse

from inbox.models import Part
from tests.factories import (
    BackOfficeTicketFactory,
    ConversationFactory,
    CustomerTicketFactory,
    TicketAttributeFactory,
    TicketTypeFactory,
    add_order_number,
)
from tickets import actions, selectors
from tickets.models import Ticket, TicketCategory, TicketFormRequest

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
# Session, teammate, the conversation, the offered types, then form_type_refusal once per kind of type:
# at most two queries for customer types and two for back-office types. Measured: 8 with both kinds refused
# for a shared ticket (each asks twice), whatever the number of types.
SEND_FORM_QUERIES = 8
# Session, teammate, the subject, the customer types and their attributes, the two checks of conversion_refusal,
# the teams.
CONVERT_FORM_QUERIES = 8


def html(response) -> str:
    return response.content.decode()


def root_id(response) -> str:
    match = re.search(r"<[a-z]+[^>]*\sid=\"([^\"]+)\"", html(response))
    return match.group(1) if match else ""


def new_form_url(conversation_id: int) -> str:
    return reverse("tickets:ticket-form-new", args=[conversation_id])


def send_url(conversation_id: int) -> str:
    return reverse("tickets:ticket-form-send", args=[conversation_id])


def convert_new_url(conversation_id: int) -> str:
    return reverse("tickets:convert-new", args=[conversation_id])


def convert_url(conversation_id: int) -> str:
    return reverse("tickets:convert", args=[conversation_id])


def written() -> tuple[int, int, int]:
    """What a refused request must leave as it was: ticket forms, conversation parts, tickets."""
    return TicketFormRequest.objects.count(), Part.objects.count(), Ticket.objects.count()


@pytest.fixture
def refund_type():
    """The back-office "Refund request" type, shared when sent as a form (sharing `optional`)."""
    ticket_type = TicketTypeFactory(name="Refund request")
    add_order_number(ticket_type)
    return ticket_type


@pytest.fixture
def question_type():
    return TicketTypeFactory(name="Question", customer=True)


def offered_ids(response) -> list[int]:
    return [choice.ticket_type.pk for choice in response.context["choices"]]


def radio(response, ticket_type) -> str:
    match = re.search(rf'<input type="radio" name="ticket_type" value="{ticket_type.pk}"[^>]*>', html(response))
    assert match, f"no radio for {ticket_type.name}"
    return match.group(0)


# --- The "Send ticket form" disclosure ---


def test_send_form_offers_customer_types_then_back_office_types_that_may_be_shared(
    teammate_client, conversation, refund_type, question_type
):
    never = TicketTypeFactory(name="Fraud review", never_shared=True)
    tracker = TicketTypeFactory(name="Outage", tracker=True)
    archived = TicketTypeFactory(name="Old question", customer=True, archived=True)

    response = teammate_client.get(new_form_url(conversation.pk), headers=HX)

    assert response.status_code == 200
    assert root_id(response) == "send-form"
    assert offered_ids(response) == [question_type.pk, refund_type.pk]
    for excluded in (never, tracker, archived):
        assert excluded.name not in html(response)
    assert "disabled" not in radio(response, refund_type)
    assert "autofocus" in radio(response, question_type)  # the `f` shortcut lands in the list


def test_send_form_disables_back_office_type_with_reason_when_conversation_has_shared_ticket(
    teammate_client, conversation, refund_type
):
    shared = BackOfficeTicketFactory(conversation=conversation, share=True)

    response = teammate_client.get(new_form_url(conversation.pk), headers=HX)

    assert "disabled" in radio(response, refund_type)
    assert f'aria-describedby="send-form-reason-{refund_type.pk}"' in radio(response, refund_type)
    assert re.search(
        rf'id="send-form-reason-{refund_type.pk}">This conversation already has a shared ticket \(#{shared.pk}\)',
        html(response),
    )


def test_send_form_disables_customer_type_when_conversation_has_shared_ticket(
    teammate_client, conversation, question_type
):
    BackOfficeTicketFactory(conversation=conversation, share=True)

    response = teammate_client.get(new_form_url(conversation.pk), headers=HX)

    assert "disabled" in radio(response, question_type)
    assert "cannot also become a customer ticket" in html(response)


def test_send_form_disables_every_type_on_a_customer_ticket_thread(teammate_client, refund_type, question_type):
    customer_ticket = CustomerTicketFactory()

    response = teammate_client.get(new_form_url(customer_ticket.thread_id), headers=HX)

    assert all(choice.refusal for choice in response.context["choices"])
    assert f"already is customer ticket #{customer_ticket.pk}" in html(response)
    assert "None of these forms can go into this conversation" in html(response)
    assert "Send form</button>" not in html(response)


def test_send_form_without_any_type_to_offer_says_so(teammate_client, conversation):
    TicketTypeFactory(never_shared=True)

    response = teammate_client.get(new_form_url(conversation.pk), headers=HX)

    assert "No ticket type can be sent as a form" in html(response)
    assert "Send form</button>" not in html(response)


def test_send_form_of_unknown_conversation_is_404(teammate_client, refund_type):
    response = teammate_client.get(new_form_url(999_999), headers=HX)

    assert response.status_code == 404
    assert "That conversation does not exist." in html(response)


@pytest.mark.parametrize("n_types", [2, 20])
def test_send_form_query_count_does_not_grow_with_types(
    teammate_client, conversation, django_assert_max_num_queries, n_types
):
    types = [TicketTypeFactory(customer=index % 2 == 0) for index in range(n_types)]
    # A shared ticket: both kinds of type are refused, each after two questions, the most the selector asks.
    BackOfficeTicketFactory(conversation=conversation, ticket_type=types[1], share=True)

    with django_assert_max_num_queries(SEND_FORM_QUERIES):
        response = teammate_client.get(new_form_url(conversation.pk), headers=HX)

    assert len(response.context["choices"]) == n_types


def test_form_type_choices_give_the_reason_the_action_gives(teammate, conversation, refund_type, question_type):
    chargeback = TicketTypeFactory(name="Chargeback")
    BackOfficeTicketFactory(conversation=conversation, ticket_type=chargeback, share=True)

    choices = selectors.list_form_type_choices(conversation_id=conversation.pk)

    assert [choice.ticket_type for choice in choices] == [question_type, chargeback, refund_type]
    for choice in choices:
        expected = actions.form_type_refusal(ticket_type=choice.ticket_type, conversation_id=conversation.pk)
        assert expected is not None
        assert choice.refusal == expected


# --- Sending a ticket form ---


def test_send_ticket_form_sends_it_and_confirms(teammate_client, teammate, conversation, refund_type):
    response = teammate_client.post(send_url(conversation.pk), {"ticket_type": refund_type.pk}, headers=HX)

    assert response.status_code == 200
    assert root_id(response) == "send-form"
    assert "The Refund request form was sent." in html(response)
    form = TicketFormRequest.objects.get()
    assert (form.conversation, form.ticket_type, form.sent_by, form.ticket) == (
        conversation,
        refund_type,
        teammate,
        None,
    )
    event = conversation.parts.get(event_type="ticket_form_sent")
    assert event.body == f"{teammate.display_name} sent the Refund request form to the customer."


def test_send_ticket_form_of_customer_type(teammate_client, conversation, question_type):
    response = teammate_client.post(send_url(conversation.pk), {"ticket_type": question_type.pk}, headers=HX)

    assert response.status_code == 200
    assert TicketFormRequest.objects.get().ticket_type == question_type


@pytest.mark.parametrize(
    ("traits", "message"),
    [
        ({"never_shared": True}, "Only customer ticket types and back-office types that may be shared"),
        ({"tracker": True}, "Only customer ticket types and back-office types that may be shared"),
        ({"archived": True}, "This ticket type is archived."),
        ({"customer": True, "archived": True}, "This ticket type is archived."),
    ],
    ids=["never-shared", "tracker", "archived-back-office", "archived-customer"],
)
def test_send_ticket_form_refuses_a_type_rule_10_does_not_offer(teammate_client, conversation, traits, message):
    not_offered = TicketTypeFactory(**traits)
    before = written()

    response = teammate_client.post(send_url(conversation.pk), {"ticket_type": not_offered.pk}, headers=HX)

    assert response.status_code == 422
    assert root_id(response) == "send-form"
    assert message in html(response)
    assert 'role="alert"' in html(response)
    assert written() == before


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ("999999", "Choose a ticket type from the list."),
        ("", "Choose the form to send."),
        ("abc", "Choose a ticket type from the list."),
        ("-3", "Choose a ticket type from the list."),
        ("²", "Choose a ticket type from the list."),
        ("9" * 30, "Choose a ticket type from the list."),
    ],
    ids=["unknown", "missing", "not-a-number", "negative", "superscript", "huge"],
)
def test_send_ticket_form_refuses_a_type_id_that_names_no_type(
    teammate_client, conversation, refund_type, posted, message
):
    before = written()

    response = teammate_client.post(send_url(conversation.pk), {"ticket_type": posted}, headers=HX)

    assert response.status_code == 422
    assert message in html(response)
    assert written() == before


def test_send_ticket_form_refuses_a_second_share(teammate_client, conversation, refund_type):
    shared = BackOfficeTicketFactory(conversation=conversation, share=True)
    before = written()

    response = teammate_client.post(send_url(conversation.pk), {"ticket_type": refund_type.pk}, headers=HX)

    assert response.status_code == 422
    assert f"This conversation already has a shared ticket (#{shared.pk})" in html(response)
    assert written() == before


def test_send_ticket_form_refuses_customer_form_into_conversation_with_shared_ticket(
    teammate_client, conversation, question_type
):
    BackOfficeTicketFactory(conversation=conversation, share=True)
    before = written()

    response = teammate_client.post(send_url(conversation.pk), {"ticket_type": question_type.pk}, headers=HX)

    assert response.status_code == 422
    assert "cannot also become a customer ticket" in html(response)
    assert written() == before


def test_send_ticket_form_refuses_any_form_into_a_customer_ticket_thread(teammate_client, question_type):
    customer_ticket = CustomerTicketFactory()
    before = written()

    response = teammate_client.post(send_url(customer_ticket.thread_id), {"ticket_type": question_type.pk}, headers=HX)

    assert response.status_code == 422
    assert f"already is customer ticket #{customer_ticket.pk}" in html(response)
    assert written() == before


def test_send_ticket_form_into_unknown_conversation_is_404(teammate_client, refund_type):
    before = written()

    response = teammate_client.post(send_url(999_999), {"ticket_type": refund_type.pk}, headers=HX)

    assert response.status_code == 404
    assert "does not exist" in html(response)
    assert written() == before


def test_send_ticket_form_goes_to_the_addressed_conversation_whatever_the_body_says(
    teammate_client, conversation, refund_type
):
    other_contacts = ConversationFactory()

    teammate_client.post(
        send_url(conversation.pk),
        {"ticket_type": refund_type.pk, "conversation": other_contacts.pk, "conversation_id": other_contacts.pk},
        headers=HX,
    )

    assert TicketFormRequest.objects.get().conversation == conversation
    assert not other_contacts.parts.exists()


# --- Converting a conversation into a customer ticket ---


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


# --- Methods and sign-in ---


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


# --- The forms in the conversation's ticket side ---


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
