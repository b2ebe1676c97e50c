"""The customer side of tickets: the ticket forms sent to a contact, shown and submitted."""

import re

import pytest

from inbox.models import Part, PartKind
from tests.factories import (
    BackOfficeTicketFactory,
    ConversationFactory,
    TicketAttributeFactory,
    TicketTypeFactory,
)
from tests.tickets.messenger.helpers import (
    filled,
    form_url,
    ticket_url,
)
from tickets import actions
from tickets.models import SharingPolicy, Ticket, TicketCategory, TicketFormRequest, TicketType

pytestmark = pytest.mark.django_db


def test_form_page_shows_only_customer_visible_live_attributes(contact_client, refund_form, refund_type):
    TicketAttributeFactory(
        ticket_type=refund_type, key="old", name="Old field", visible_to_customers=True, archived=True
    )

    html = contact_client.get(form_url(refund_form)).content.decode()

    fields = set(re.findall(r'name="(attr_[a-z_]+)"', html))
    assert fields == {"attr_order", "attr_amount"}
    assert "Internal risk score" not in html and "Old field" not in html


@pytest.mark.parametrize(
    ("kind", "markup"),
    [
        ("text", 'type="text" name="attr_x"'),
        ("multiline_text", '<textarea name="attr_x"'),
        ("integer", 'type="number" name="attr_x"'),
        ("decimal", 'type="number" name="attr_x" step="any"'),
        ("boolean", 'type="checkbox" name="attr_x"'),
        ("datetime", 'type="datetime-local" name="attr_x"'),
        ("list", '<select name="attr_x"'),
    ],
)
def test_form_page_renders_each_attribute_kind_as_its_input(contact_client, conversation, kind, markup):
    ticket_type = TicketTypeFactory(customer=True)
    options = ["Small", "Large"] if kind == "list" else []
    TicketAttributeFactory(ticket_type=ticket_type, key="x", kind=kind, options=options, visible_to_customers=True)
    form = actions.send_ticket_form(actor=None, conversation_id=conversation.pk, ticket_type_id=ticket_type.pk)

    assert markup in contact_client.get(form_url(form)).content.decode()


def test_form_page_marks_customer_required_attributes_required(contact_client, refund_form):
    html = contact_client.get(form_url(refund_form)).content.decode()

    assert re.search(r'<input type="text" name="attr_order"[^>]* required', html)
    assert not re.search(r'<input [^>]*name="attr_amount"[^>]* required', html)


def test_form_page_of_a_submitted_form_leads_to_its_ticket(contact_client, refund_form):
    contact_client.post(form_url(refund_form), filled())
    refund_form.refresh_from_db()

    response = contact_client.get(form_url(refund_form))

    assert response["Location"] == ticket_url(refund_form.ticket)


def test_form_page_of_an_archived_type_says_it_is_no_longer_available(contact_client, refund_form, refund_type):
    actions.archive_ticket_type(ticket_type_id=refund_type.pk)

    html = contact_client.get(form_url(refund_form)).content.decode()

    assert "no longer available" in html and 'name="attr_order"' not in html


def test_form_page_of_another_contacts_form_is_404(contact_client, refund_type):
    other = actions.send_ticket_form(
        actor=None, conversation_id=ConversationFactory().pk, ticket_type_id=refund_type.pk
    )

    assert contact_client.get(form_url(other)).status_code == 404


def test_form_submit_creates_a_shared_ticket_linked_to_the_conversation(contact_client, conversation, refund_form):
    response = contact_client.post(form_url(refund_form), filled())

    ticket = Ticket.objects.get()
    assert response["Location"] == ticket_url(ticket)
    assert (ticket.category, ticket.linked_conversation, ticket.is_shared) == (
        TicketCategory.BACK_OFFICE,
        conversation,
        True,
    )
    assert ticket.attributes == {"order": "1042", "amount": "19.90"}


def test_form_submit_posts_an_event_in_the_conversation(contact_client, conversation, refund_form):
    contact_client.post(form_url(refund_form), filled())

    event = conversation.parts.filter(kind=PartKind.EVENT).latest("pk")
    assert event.data["ticket_id"] == Ticket.objects.get().pk


def test_form_submit_shows_the_new_ticket_with_a_thank_you(contact_client, refund_form):
    response = contact_client.post(form_url(refund_form), filled(), follow=True)

    html = response.content.decode()
    assert "we received your request" in html and "My refund" in html and "Submitted" in html


def test_form_submit_of_a_customer_type_turns_the_conversation_into_the_ticket(contact_client, conversation):
    ticket_type = TicketTypeFactory(customer=True)
    form = actions.send_ticket_form(actor=None, conversation_id=conversation.pk, ticket_type_id=ticket_type.pk)

    response = contact_client.post(form_url(form), {"title": "Broken lamp"})

    ticket = Ticket.objects.get()
    assert (ticket.thread, response["Location"]) == (conversation, ticket_url(ticket))


def test_form_submit_missing_a_required_attribute_is_422_with_the_message_in_place(contact_client, refund_form):
    response = contact_client.post(form_url(refund_form), filled(attr_order=""))

    html = response.content.decode()
    assert response.status_code == 422
    assert re.search(r'id="ticket-form-attr_order_error".*This field is required', html, flags=re.S)
    assert 'value="My refund"' in html and 'value="19.90"' in html
    assert not Ticket.objects.exists()


def test_form_submit_refused_by_the_action_shows_its_message_on_the_field(contact_client, refund_form, refund_type):
    # A text field takes a line break; the action's own check refuses it and names the attribute.
    TicketAttributeFactory(ticket_type=refund_type, key="note", name="Note", visible_to_customers=True)

    response = contact_client.post(form_url(refund_form), filled(attr_note="first\nsecond"))

    html = response.content.decode()
    assert response.status_code == 422
    assert re.search(r'id="ticket-form-attr_note_error".*Note must be a single line', html, flags=re.S)
    assert not Ticket.objects.exists()


def test_form_submit_of_a_bad_number_is_422_and_keeps_what_was_typed(contact_client, refund_form):
    response = contact_client.post(form_url(refund_form), filled(attr_amount="twelve"))

    assert response.status_code == 422
    assert 'value="twelve"' in response.content.decode()


def test_form_submit_when_a_ticket_was_shared_meanwhile_is_422_and_keeps_what_was_typed(
    contact_client, conversation, refund_form, teammate
):
    BackOfficeTicketFactory(actor=teammate, conversation=conversation, share=True)
    parts_before = Part.objects.count()

    response = contact_client.post(form_url(refund_form), filled(description="It was broken"))

    html = response.content.decode()
    assert response.status_code == 422
    assert "already has a shared ticket" in html
    assert 'value="My refund"' in html and "It was broken" in html and 'value="1042"' in html
    assert (Ticket.objects.count(), Part.objects.count()) == (1, parts_before)


def test_form_submit_of_an_already_submitted_form_is_422_and_writes_nothing(contact_client, refund_form):
    contact_client.post(form_url(refund_form), filled())
    parts_before = Part.objects.count()

    response = contact_client.post(form_url(refund_form), filled(title="Again"))

    assert response.status_code == 422
    assert "already been sent" in response.content.decode()
    assert (Ticket.objects.count(), Part.objects.count()) == (1, parts_before)


def test_form_submit_of_an_archived_type_is_422_and_writes_nothing(contact_client, refund_form, refund_type):
    actions.archive_ticket_type(ticket_type_id=refund_type.pk)

    response = contact_client.post(form_url(refund_form), filled())

    assert response.status_code == 422
    assert "no longer available" in response.content.decode()
    assert not Ticket.objects.exists()


def test_form_submit_of_a_type_no_longer_shared_is_422_and_writes_nothing(contact_client, refund_form, refund_type):
    # An admin may still change the policy of a type that has no tickets yet.
    TicketType.objects.filter(pk=refund_type.pk).update(sharing_policy=SharingPolicy.NEVER)

    response = contact_client.post(form_url(refund_form), filled())

    assert response.status_code == 422
    assert "never shared" in response.content.decode()
    assert not Ticket.objects.exists()


def test_form_submit_of_another_contacts_form_is_404_and_writes_nothing(contact_client, refund_type):
    other = actions.send_ticket_form(
        actor=None, conversation_id=ConversationFactory().pk, ticket_type_id=refund_type.pk
    )

    response = contact_client.post(form_url(other), filled())

    assert response.status_code == 404
    assert not Ticket.objects.exists()
    other.refresh_from_db()
    assert other.submitted_at is None


@pytest.mark.parametrize(
    "tampered",
    [
        "attr_risk",
        "never_shared_type",
        "archived_type",
        "unoffered_type",
        "other_conversation",
        "share",
        "assignee",
    ],
)
def test_form_submit_refuses_fields_the_form_does_not_have(contact_client, refund_form, teammate, tampered):
    extra = {
        "attr_risk": lambda: {"attr_risk": "1"},
        "never_shared_type": lambda: {"ticket_type": TicketTypeFactory(never_shared=True).pk},
        "archived_type": lambda: {"ticket_type": TicketTypeFactory(archived=True).pk},
        "unoffered_type": lambda: {"ticket_type": TicketTypeFactory(tracker=True).pk},
        "other_conversation": lambda: {"conversation": ConversationFactory().pk},
        "share": lambda: {"share": "on"},
        "assignee": lambda: {"assignee": teammate.pk, "team": ""},
    }[tampered]()

    response = contact_client.post(form_url(refund_form), filled(**extra))

    assert response.status_code == 422
    assert "sent fields the form does not have" in response.content.decode()
    assert not Ticket.objects.exists()
    assert not TicketFormRequest.objects.filter(submitted_at__isnull=False).exists()
