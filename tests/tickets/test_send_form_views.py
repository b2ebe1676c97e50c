"""Rule 10 in the inbox: the "Send ticket form" disclosure and sending a form, through Django's test client."""

import re

import pytest

from tests.factories import (
    BackOfficeTicketFactory,
    ConversationFactory,
    CustomerTicketFactory,
    TicketTypeFactory,
)
from tests.tickets.form_pages import (
    HX,
    SEND_FORM_QUERIES,
    html,
    new_form_url,
    offered_ids,
    radio,
    root_id,
    send_url,
    written,
)
from tickets import rules, selectors
from tickets.models import TicketFormRequest

pytestmark = pytest.mark.django_db


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
        expected = rules.form_type_refusal(ticket_type=choice.ticket_type, conversation_id=conversation.pk)
        assert expected is not None
        assert choice.refusal == expected


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
