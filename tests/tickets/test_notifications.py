"""Ticket notifications by email (tickets.notifications): a customer is told when their ticket is opened or shared,
when its customer-facing status changes, and when a form is sent to them; never about a ticket they cannot see, never
with an internal label, and each email once however often its event is delivered."""

import re
from datetime import timedelta

import pytest
from django.core import mail

from helpdesk.models import OutboxEvent
from helpdesk.outbox import apply_event
from inbox.models import DeliveryStatus, OutboundEmail, OutboundKind
from tests.factories import (
    BackOfficeTicketFactory,
    ContactFactory,
    ConversationFactory,
    CustomerTicketFactory,
    TicketAttributeFactory,
    TicketNoteFactory,
    TicketStateFactory,
    TicketTypeFactory,
    TrackerTicketFactory,
    add_order_number,
    state,
)
from tickets import actions
from tickets.models import StateCategory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver/messenger/enter/[^/\s]+/")


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "http://testserver"  # the test client's host: a link in an email opens as it is


@pytest.fixture
def ada(db):
    return ContactFactory(name="Ada Lovelace", email="ada@example.com")


@pytest.fixture
def order_type(db):
    """A customer type with a customer-visible attribute and an internal one."""
    ticket_type = TicketTypeFactory(name="Order problem", customer=True)
    add_order_number(ticket_type)
    TicketAttributeFactory(ticket_type=ticket_type, key="risk", name="Internal risk score")
    return ticket_type


@pytest.fixture
def refund_type(db):
    ticket_type = TicketTypeFactory(name="Refund request")
    add_order_number(ticket_type)
    TicketAttributeFactory(ticket_type=ticket_type, key="risk", name="Internal risk score")
    return ticket_type


def only_email(outbox: list) -> mail.EmailMessage:
    assert len(outbox) == 1, [message.subject for message in outbox]
    return outbox[0]


def link_in(body: str) -> str:
    return LINK.search(body).group(0)


def redeliver_everything() -> None:
    """Every outbox row of the test applied once more, as a redelivered task or the sweep would."""
    OutboxEvent.objects.update(done_at=None)
    for event_id in OutboxEvent.objects.order_by("pk").values_list("pk", flat=True):
        apply_event(event_id)


# --- A ticket opened ---


def test_customer_ticket_created_emails_the_customer_once(ada, order_type, teammate, apply_outbox, client):
    ticket = CustomerTicketFactory(
        actor=teammate,
        ticket_type=order_type,
        contact=ada,
        title="Broken lamp",
        description="Internal: the courier dropped it",
        attributes={"order": "77", "risk": "high"},
    )
    apply_outbox()

    message = only_email(mail.outbox)
    assert message.to == ["ada@example.com"]
    assert message.subject == f"We've opened ticket #{ticket.pk}: Broken lamp"
    assert "Hello Ada Lovelace," in message.body
    assert "Order problem" in message.body and "Order number: 77" in message.body
    assert f"Status: {state(StateCategory.SUBMITTED).customer_label}" in message.body
    assert "Internal risk score" not in message.body and "high" not in message.body
    assert "courier" not in message.body  # the description is not customer-visible
    assert message.body.rstrip().endswith("ask us for a new one.") and "\n-- \nSupport\n" in message.body
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    email = OutboundEmail.objects.get()
    assert (email.kind, email.status, email.conversation_id) == (OutboundKind.NOTIFICATION, "sent", ticket.thread_id)

    redeliver_everything()
    assert len(mail.outbox) == 1

    page = client.get(link_in(message.body), follow=True)
    assert page.request["PATH_INFO"] == f"/messenger/tickets/{ticket.pk}/" and b"Broken lamp" in page.content


def test_back_office_ticket_created_shared_emails_the_customer(ada, refund_type, teammate, apply_outbox):
    conversation = ConversationFactory(contact=ada)
    ticket = BackOfficeTicketFactory(
        actor=teammate,
        ticket_type=refund_type,
        conversation=conversation,
        title="Refund for order 1042",
        attributes={"order": "1042", "risk": "high"},
        share=True,
    )
    apply_outbox()

    message = only_email(mail.outbox)
    assert message.subject == f"We've opened ticket #{ticket.pk}: Refund for order 1042"
    assert "Order number: 1042" in message.body and "risk" not in message.body.lower()
    assert message.reply_to == [OutboundEmail.objects.get().reply_to]  # the customer's answer joins the conversation
    assert OutboundEmail.objects.get().conversation_id == conversation.pk


def test_back_office_ticket_shared_later_emails_the_customer_once(ada, refund_type, teammate, apply_outbox):
    ticket = BackOfficeTicketFactory(
        actor=teammate, ticket_type=refund_type, conversation=ConversationFactory(contact=ada), title="Refund"
    )
    apply_outbox()
    assert not mail.outbox  # not shared yet: the customer knows nothing of it

    actions.share_ticket(actor=teammate, ticket_id=ticket.pk)
    actions.share_ticket(actor=teammate, ticket_id=ticket.pk)  # a second share is a no-op
    apply_outbox()
    redeliver_everything()

    assert only_email(mail.outbox).subject == f"We've opened ticket #{ticket.pk}: Refund"


def test_unshared_back_office_tickets_and_trackers_email_nobody(ada, refund_type, teammate, apply_outbox):
    conversation = ConversationFactory(contact=ada)
    unshared = BackOfficeTicketFactory(actor=teammate, ticket_type=refund_type, conversation=conversation)
    tracker = TrackerTicketFactory(actor=teammate)
    actions.link_to_tracker(actor=teammate, tracker_id=tracker.pk, conversation_id=conversation.pk)
    for ticket in (unshared, tracker):
        actions.change_ticket_state(actor=teammate, ticket_id=ticket.pk, state_id=state(StateCategory.RESOLVED).pk)
    apply_outbox()

    assert not mail.outbox
    assert not OutboundEmail.objects.exists()


# --- A state change ---


def test_state_change_emails_only_the_customer_label(ada, order_type, teammate, apply_outbox):
    ticket = CustomerTicketFactory(actor=teammate, ticket_type=order_type, contact=ada, title="Broken lamp")
    waiting = TicketStateFactory(
        internal_label="Blocked on courier claim", customer_label="Waiting for you", category="waiting_on_customer"
    )
    order_type.states.add(waiting)
    apply_outbox()
    mail.outbox.clear()

    actions.change_ticket_state(actor=teammate, ticket_id=ticket.pk, state_id=waiting.pk)
    apply_outbox()

    message = only_email(mail.outbox)
    assert message.subject == f"Your ticket #{ticket.pk} is now Waiting for you"
    assert f"Your ticket #{ticket.pk} (Broken lamp) is now: Waiting for you" in message.body
    assert "Blocked on courier claim" not in message.subject + message.body
    assert "/messenger/enter/" in message.body

    redeliver_everything()
    assert len(mail.outbox) == 1


def test_state_change_between_states_of_one_customer_label_emails_nothing(ada, order_type, teammate, apply_outbox):
    ticket = CustomerTicketFactory(actor=teammate, ticket_type=order_type, contact=ada)
    submitted = state(StateCategory.SUBMITTED)
    internal = TicketStateFactory(
        internal_label="Triage by fraud team", customer_label=submitted.customer_label, category="submitted"
    )
    order_type.states.add(internal)
    apply_outbox()
    mail.outbox.clear()

    actions.change_ticket_state(actor=teammate, ticket_id=ticket.pk, state_id=internal.pk)
    actions.change_ticket_state(actor=teammate, ticket_id=ticket.pk, state_id=submitted.pk)
    apply_outbox()

    assert not mail.outbox


def test_each_move_of_a_shared_ticket_tells_its_own_label(ada, refund_type, teammate, apply_outbox):
    ticket = BackOfficeTicketFactory(
        actor=teammate, ticket_type=refund_type, conversation=ConversationFactory(contact=ada), share=True
    )
    for category in (StateCategory.IN_PROGRESS, StateCategory.RESOLVED):
        actions.change_ticket_state(actor=teammate, ticket_id=ticket.pk, state_id=state(category).pk)
    apply_outbox()

    subjects = [message.subject for message in mail.outbox]
    assert subjects[1:] == [
        f"Your ticket #{ticket.pk} is now {state(StateCategory.IN_PROGRESS).customer_label}",
        f"Your ticket #{ticket.pk} is now {state(StateCategory.RESOLVED).customer_label}",
    ]


# --- A ticket form ---


def test_ticket_form_sent_emails_a_link_that_opens_the_form(ada, refund_type, teammate, apply_outbox, client):
    conversation = ConversationFactory(contact=ada, subject="My parcel")
    form = actions.send_ticket_form(actor=teammate, conversation_id=conversation.pk, ticket_type_id=refund_type.pk)
    apply_outbox()

    message = only_email(mail.outbox)
    assert message.subject == "Please fill in: Refund request"
    assert 'about "My parcel"' in message.body and "- Order number (required)" in message.body
    assert "Internal risk score" not in message.body

    redeliver_everything()
    assert len(mail.outbox) == 1

    page = client.get(link_in(message.body), follow=True)
    assert page.status_code == 200 and page.request["PATH_INFO"] == f"/messenger/tickets/forms/{form.pk}/"
    assert b'id="ticket-form-title"' in page.content


def test_ticket_form_link_expires_as_messenger_links_do(ada, refund_type, teammate, apply_outbox, client, settings):
    conversation = ConversationFactory(contact=ada)
    actions.send_ticket_form(actor=teammate, conversation_id=conversation.pk, ticket_type_id=refund_type.pk)
    apply_outbox()

    settings.MESSENGER_LINK_MAX_AGE = timedelta(seconds=-1)
    response = client.get(link_in(only_email(mail.outbox).body))

    assert response.status_code == 403 and client.session.get("messenger_contact_id") is None


def test_a_contact_without_address_gets_a_failed_email_with_the_reason(refund_type, teammate, apply_outbox):
    conversation = ConversationFactory(contact=ContactFactory(email=""))
    actions.send_ticket_form(actor=teammate, conversation_id=conversation.pk, ticket_type_id=refund_type.pk)
    apply_outbox()

    assert not mail.outbox
    email = OutboundEmail.objects.get()
    assert (email.status, email.last_error) == (DeliveryStatus.FAILED, "The contact has no email address.")
    assert not OutboxEvent.objects.filter(done_at__isnull=True).exists()  # nothing left failing in the outbox


# --- Cost ---

NOTIFICATION_QUERIES = 14


@pytest.mark.parametrize("n_notes", [1, 20])
def test_state_change_notification_query_count_does_not_grow_with_notes(
    ada, order_type, teammate, apply_outbox, django_assert_max_num_queries, n_notes
):
    ticket = CustomerTicketFactory(actor=teammate, ticket_type=order_type, contact=ada)
    TicketNoteFactory.create_batch(n_notes, ticket=ticket)
    apply_outbox()
    actions.change_ticket_state(actor=teammate, ticket_id=ticket.pk, state_id=state(StateCategory.RESOLVED).pk)
    (row,) = OutboxEvent.objects.filter(done_at=None, handler__endswith="email_ticket_state_changed")

    from tickets.notifications import email_ticket_state_changed

    with django_assert_max_num_queries(NOTIFICATION_QUERIES):
        email_ticket_state_changed(row)

    assert OutboundEmail.objects.filter(key=f"ticket-state:{row.pk}").exists()
