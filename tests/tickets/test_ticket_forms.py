"""Rule 10: ticket forms sent into a conversation and submitted by its customer, through the actions."""

import threading

import pytest
from django.db import connection

from helpdesk.errors import InvalidInput, NotFound, RuleViolation
from inbox.models import Part
from tests.factories import (
    BackOfficeTicketFactory,
    ContactFactory,
    ConversationFactory,
    CustomerTicketFactory,
    TeammateFactory,
    TicketAttributeFactory,
    TicketTypeFactory,
    add_order_number,
)
from tickets import actions
from tickets.models import Ticket, TicketCategory, TicketFormRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def refund_type():
    ticket_type = TicketTypeFactory(name="Refund request")
    add_order_number(ticket_type)
    TicketAttributeFactory(ticket_type=ticket_type, key="risk", name="Risk score", kind="integer")
    return ticket_type


def sent(conversation, ticket_type, actor=None):
    return actions.send_ticket_form(actor=actor, conversation_id=conversation.pk, ticket_type_id=ticket_type.pk)


def submit(form, **fields):
    fields.setdefault("title", "My refund")
    fields.setdefault("attributes", {"order": "1042"})
    return actions.submit_ticket_form(contact_id=form.conversation.contact_id, form_id=form.pk, **fields)


def test_send_ticket_form_offers_customer_types(teammate, conversation):
    form = sent(conversation, TicketTypeFactory(customer=True), teammate)

    assert form.conversation == conversation
    assert conversation.parts.get(event_type="ticket_form_sent").author == teammate


def test_send_ticket_form_offers_back_office_types_that_may_be_shared(teammate, conversation, refund_type):
    assert sent(conversation, refund_type, teammate).ticket_type == refund_type


@pytest.mark.parametrize(
    "traits", [{"never_shared": True}, {"tracker": True}, {"archived": True}, {"customer": True, "archived": True}]
)
def test_send_ticket_form_refuses_types_rule_10_excludes(teammate, conversation, traits):
    with pytest.raises(RuleViolation):
        sent(conversation, TicketTypeFactory(**traits), teammate)

    assert not TicketFormRequest.objects.exists()
    assert not conversation.parts.exists()


def test_send_ticket_form_refuses_unknown_type(teammate, conversation):
    with pytest.raises(InvalidInput):
        actions.send_ticket_form(actor=teammate, conversation_id=conversation.pk, ticket_type_id=999999)


def test_send_ticket_form_refuses_back_office_form_when_a_ticket_is_already_shared(teammate, conversation, refund_type):
    shared = BackOfficeTicketFactory(actor=teammate, conversation=conversation, share=True)

    with pytest.raises(RuleViolation, match=f"already has a shared ticket \\(#{shared.pk}\\)"):
        sent(conversation, refund_type, teammate)


def test_submit_back_office_form_creates_a_shared_ticket_linked_to_the_conversation(conversation, refund_type):
    ticket = submit(sent(conversation, refund_type))

    assert (ticket.category, ticket.linked_conversation, ticket.is_shared) == (
        TicketCategory.BACK_OFFICE,
        conversation,
        True,
    )
    assert ticket.attributes == {"order": "1042"}
    assert TicketFormRequest.objects.get().ticket == ticket


def test_submit_customer_form_turns_the_conversation_into_a_customer_ticket(conversation):
    ticket = submit(sent(conversation, TicketTypeFactory(customer=True)), attributes={})

    assert ticket.thread == conversation
    assert conversation.parts.filter(event_type="ticket_created").exists()


def test_submit_refuses_missing_customer_required_attribute(conversation, refund_type):
    form = sent(conversation, refund_type)

    with pytest.raises(InvalidInput) as error:
        submit(form, attributes={})

    assert error.value.errors == {"order": ["Order number is required."]}
    assert not Ticket.objects.exists()
    form.refresh_from_db()
    assert form.submitted_at is None


def test_submit_refuses_internal_attribute(conversation, refund_type):
    with pytest.raises(InvalidInput) as error:
        submit(sent(conversation, refund_type), attributes={"order": "1042", "risk": "1"})

    assert error.value.errors == {"risk": ["This field cannot be set here."]}


def test_submit_by_another_contact_is_not_found(conversation, refund_type):
    form = sent(conversation, refund_type)

    with pytest.raises(NotFound):
        actions.submit_ticket_form(contact_id=ContactFactory().pk, form_id=form.pk, title="Mine now")


def test_submit_twice_is_refused(conversation, refund_type):
    form = sent(conversation, refund_type)
    submit(form)

    with pytest.raises(RuleViolation, match="already been sent"):
        submit(form)

    assert Ticket.objects.count() == 1


def test_submit_when_a_ticket_was_shared_meanwhile_is_refused_and_writes_nothing(teammate, conversation, refund_type):
    form = sent(conversation, refund_type)
    BackOfficeTicketFactory(actor=teammate, conversation=conversation, share=True)
    parts_before = Part.objects.count()

    with pytest.raises(RuleViolation, match="already has a shared ticket"):
        submit(form)

    form.refresh_from_db()
    assert (form.ticket, Ticket.objects.count(), Part.objects.count()) == (None, 1, parts_before)


def test_submit_of_archived_type_is_refused(conversation, refund_type):
    form = sent(conversation, refund_type)
    actions.archive_ticket_type(ticket_type_id=refund_type.pk)

    with pytest.raises(RuleViolation, match="no longer available"):
        submit(form)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_forms_submitted_at_the_same_moment_share_one_ticket():
    conversation = ConversationFactory()
    ticket_type = TicketTypeFactory()
    forms = [sent(conversation, ticket_type, TeammateFactory()) for _ in range(2)]
    barrier, outcomes = threading.Barrier(2), [None, None]

    def run(index):
        try:
            connection.ensure_connection()
            barrier.wait(timeout=10)
            outcomes[index] = submit(forms[index], attributes={})
        except Exception as error:  # the test names what it expects
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    refusals = [o for o in outcomes if isinstance(o, RuleViolation)]
    assert len(refusals) == 1, outcomes
    assert Ticket.objects.filter(linked_conversation=conversation, is_shared=True).count() == 1


def test_convert_to_customer_ticket_refuses_a_conversation_with_a_shared_ticket(teammate, conversation):
    BackOfficeTicketFactory(actor=teammate, conversation=conversation, share=True)

    with pytest.raises(RuleViolation, match="cannot also become a customer ticket"):
        actions.convert_to_customer_ticket(
            actor=teammate,
            conversation_id=conversation.pk,
            ticket_type_id=TicketTypeFactory(customer=True).pk,
            title="Order problem",
        )


def test_convert_to_customer_ticket_refuses_a_thread(teammate):
    customer_ticket = CustomerTicketFactory(actor=teammate)

    with pytest.raises(RuleViolation, match="already is customer ticket"):
        actions.convert_to_customer_ticket(
            actor=teammate,
            conversation_id=customer_ticket.thread_id,
            ticket_type_id=customer_ticket.ticket_type_id,
            title="Again",
        )


def test_submit_posts_an_event_naming_the_customer(conversation, refund_type):
    ticket = submit(sent(conversation, refund_type))

    event = conversation.parts.get(event_type="ticket_form_submitted")
    assert event.body == f"{conversation.contact} submitted the Refund request form: ticket #{ticket.pk}."
