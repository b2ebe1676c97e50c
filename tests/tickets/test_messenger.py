"""The customer side of tickets: a contact's tickets, the ticket page, and the ticket forms sent to them."""

import re

import pytest
from django.urls import reverse

from inbox.messenger import messenger_link
from inbox.models import Part, PartKind
from tests.factories import (
    BackOfficeTicketFactory,
    ContactFactory,
    ConversationFactory,
    CustomerTicketFactory,
    TicketAttributeFactory,
    TicketStateFactory,
    TicketTypeFactory,
    state,
)
from tickets import actions
from tickets.models import SharingPolicy, StateCategory, Ticket, TicketCategory, TicketFormRequest, TicketType

pytestmark = pytest.mark.django_db

LIST_QUERIES = 5  # the session, the live version, the contact, their tickets, their pending forms


@pytest.fixture
def contact_client(client, contact):
    assert client.get(messenger_link(contact)).status_code == 302
    return client


@pytest.fixture
def refund_type():
    """A back-office type that may be shared, with customer-visible attributes and an internal one."""
    ticket_type = TicketTypeFactory(name="Refund request", icon="banknote")
    TicketAttributeFactory(
        ticket_type=ticket_type,
        key="order",
        name="Order number",
        visible_to_customers=True,
        required_for_customers=True,
        position=1,
    )
    TicketAttributeFactory(
        ticket_type=ticket_type, key="amount", name="Amount", kind="decimal", visible_to_customers=True
    )
    TicketAttributeFactory(ticket_type=ticket_type, key="risk", name="Internal risk score", kind="integer")
    return ticket_type


@pytest.fixture
def refund_form(conversation, refund_type, teammate):
    return actions.send_ticket_form(actor=teammate, conversation_id=conversation.pk, ticket_type_id=refund_type.pk)


def form_url(form) -> str:
    return reverse("messenger-tickets:form", args=[form.pk])


def ticket_url(ticket) -> str:
    return reverse("messenger-tickets:ticket", args=[ticket.pk])


def filled(**changes) -> dict:
    return {"title": "My refund", "description": "", "attr_order": "1042", "attr_amount": "19.90"} | changes


def typed(ticket_type, *, customer: bool):
    """A type with a customer-visible and an internal attribute, like `refund_type`, of either category."""
    new_type = TicketTypeFactory(name=f"{ticket_type} {customer}", customer=customer)
    TicketAttributeFactory(ticket_type=new_type, key="order", name="Order number", visible_to_customers=True)
    TicketAttributeFactory(ticket_type=new_type, key="risk", name="Internal risk score", kind="integer")
    return new_type


def normalised(html: str, *names: str) -> str:
    """The page with what differs between two tickets of equal content blanked: numbers (ids, dates), the CSRF
    token, the script nonce, the live parts' versions (digests of what they show, dates included), and the type
    names."""
    html = re.sub(r'("x-csrftoken": "|name="csrfmiddlewaretoken" value="|nonce="|\?v=)[^"]+', r"\1", html)
    for name in names:
        html = html.replace(name, "TYPE")
    return re.sub(r"\d+", "N", html)


def worked_pair(teammate, contact):
    """A customer ticket and a shared back-office ticket of the same content, moved through the same states."""
    shared = actions.create_back_office_ticket(
        actor=teammate,
        ticket_type_id=typed("Refund", customer=False).pk,
        conversation_id=ConversationFactory(contact=contact).pk,
        title="Refund 1042",
        attributes={"order": "1042", "risk": "7"},
        share=True,
    )
    own = actions.create_customer_ticket(
        actor=teammate,
        ticket_type_id=typed("Order", customer=True).pk,
        contact_id=contact.pk,
        title="Refund 1042",
        attributes={"order": "1042", "risk": "7"},
    )
    for ticket in (shared, own):
        actions.change_ticket_state(actor=teammate, ticket_id=ticket.pk, state_id=state(StateCategory.IN_PROGRESS).pk)
    return shared, own


# --- The ticket list ---


def test_ticket_list_shows_a_shared_ticket_exactly_like_a_customer_ticket(contact_client, contact, teammate):
    shared, own = worked_pair(teammate, contact)

    html = contact_client.get(reverse("messenger-tickets:list")).content.decode()

    rows = re.findall(r'<li class="customer-ticket-row">.*?</li>', html, flags=re.S)
    names = [shared.ticket_type.name, own.ticket_type.name]
    assert len(rows) == 2
    assert normalised(rows[0], *names) == normalised(rows[1], *names)
    assert f"#{shared.pk}" in html and f"#{own.pk}" in html and "In progress" in html


def test_ticket_list_leaves_out_unshared_and_other_contacts_tickets(contact_client, conversation, teammate):
    BackOfficeTicketFactory(actor=teammate, conversation=conversation, title="Unshared investigation")
    CustomerTicketFactory(actor=teammate, title="Someone else's order")

    html = contact_client.get(reverse("messenger-tickets:list")).content.decode()

    assert "Unshared investigation" not in html and "Someone else" not in html
    assert "No tickets yet" in html


def test_ticket_list_shows_the_forms_to_fill(contact_client, refund_form):
    html = contact_client.get(reverse("messenger-tickets:list")).content.decode()

    assert "Forms to fill" in html and form_url(refund_form) in html and "Refund request" in html


def test_ticket_list_leaves_out_a_submitted_form(contact_client, refund_form):
    contact_client.post(form_url(refund_form), filled())

    html = contact_client.get(reverse("messenger-tickets:list")).content.decode()

    assert form_url(refund_form) not in html and "My refund" in html


def test_ticket_list_leaves_out_a_form_whose_type_was_archived(contact_client, refund_form, refund_type):
    actions.archive_ticket_type(ticket_type_id=refund_type.pk)

    assert form_url(refund_form) not in contact_client.get(reverse("messenger-tickets:list")).content.decode()


@pytest.mark.parametrize("n_tickets", [1, 6])
def test_ticket_list_query_count_is_constant(contact_client, contact, teammate, django_assert_num_queries, n_tickets):
    for _ in range(n_tickets):
        CustomerTicketFactory(actor=teammate, contact=contact)

    with django_assert_num_queries(LIST_QUERIES):
        contact_client.get(reverse("messenger-tickets:list"))


def test_messenger_ticket_pages_need_a_signed_in_contact(client, teammate):
    ticket = CustomerTicketFactory(actor=teammate)

    assert client.get(reverse("messenger-tickets:list")).status_code == 403
    assert client.get(ticket_url(ticket)).status_code == 403


def test_messenger_home_links_to_the_tickets(contact_client):
    assert reverse("messenger-tickets:list") in contact_client.get(reverse("messenger:home")).content.decode()


# --- One ticket ---


def test_ticket_page_renders_a_shared_ticket_exactly_like_a_customer_ticket(contact_client, contact, teammate):
    shared, own = worked_pair(teammate, contact)
    names = [shared.ticket_type.name, own.ticket_type.name]

    shared_html = contact_client.get(ticket_url(shared)).content.decode()
    own_html = contact_client.get(ticket_url(own)).content.decode()

    assert normalised(shared_html, *names) == normalised(own_html, *names)
    assert "Order number" in shared_html and "1042" in shared_html


def test_ticket_page_shows_the_customer_label_and_its_history(contact_client, conversation, teammate):
    ticket = BackOfficeTicketFactory(actor=teammate, conversation=conversation, share=True)
    waiting = TicketStateFactory(internal_label="Blocked on the bank", customer_label="Waiting on the bank")
    ticket.ticket_type.states.add(waiting)
    actions.change_ticket_state(actor=teammate, ticket_id=ticket.pk, state_id=waiting.pk)

    html = contact_client.get(ticket_url(ticket)).content.decode()

    status = html[html.index('id="ticket-status"') :]
    assert 'Status: <span class="state">Waiting on the bank</span>' in status
    assert re.findall(r"</time> · ([^<]+)</li>", status) == ["Submitted", "Waiting on the bank"]
    assert "Blocked on the bank" not in html


def test_ticket_page_history_hides_a_move_between_states_of_the_same_customer_label(
    contact_client, conversation, teammate
):
    ticket = BackOfficeTicketFactory(actor=teammate, conversation=conversation, share=True)
    escalated = TicketStateFactory(internal_label="Escalated to finance", customer_label="In progress")
    ticket.ticket_type.states.add(escalated)
    for state_id in (state(StateCategory.IN_PROGRESS).pk, escalated.pk, state(StateCategory.IN_PROGRESS).pk):
        actions.change_ticket_state(actor=teammate, ticket_id=ticket.pk, state_id=state_id)

    html = contact_client.get(ticket_url(ticket)).content.decode()

    assert re.findall(r"</time> · ([^<]+)</li>", html) == ["Submitted", "In progress"]


def test_ticket_page_status_part_answers_the_poll_with_the_new_state(contact_client, conversation, teammate):
    ticket = BackOfficeTicketFactory(actor=teammate, conversation=conversation, share=True)
    actions.change_ticket_state(actor=teammate, ticket_id=ticket.pk, state_id=state(StateCategory.RESOLVED).pk)

    response = contact_client.get(ticket_url(ticket), headers={"HX-Request": "true", "HX-Target": "ticket-status"})

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="ticket-status"') and "Resolved" in html


def test_ticket_page_shows_a_date_attribute_as_a_date(contact_client, contact, teammate):
    ticket_type = TicketTypeFactory(customer=True)
    TicketAttributeFactory(
        ticket_type=ticket_type, key="since", name="Since", kind="datetime", visible_to_customers=True
    )
    ticket = CustomerTicketFactory(
        actor=teammate, contact=contact, ticket_type=ticket_type, attributes={"since": "2026-11-25T14:30:00+00:00"}
    )

    html = contact_client.get(ticket_url(ticket)).content.decode()

    assert "2026-11-25T14:30" not in html.replace('datetime="', "") and "Nov 25, 2026, 14:30" in html  # as {% moment %}


def test_ticket_page_of_an_unshared_back_office_ticket_is_404(contact_client, conversation, teammate):
    ticket = BackOfficeTicketFactory(actor=teammate, conversation=conversation)

    assert contact_client.get(ticket_url(ticket)).status_code == 404


def test_ticket_page_of_another_contacts_ticket_is_404(contact_client, teammate):
    ticket = CustomerTicketFactory(actor=teammate)

    assert contact_client.get(ticket_url(ticket)).status_code == 404


def test_ticket_page_not_found_leads_back_to_the_messages(contact_client, teammate):
    html = contact_client.get(ticket_url(CustomerTicketFactory(actor=teammate))).content.decode()

    assert f'href="{reverse("messenger:home")}"' in html and f'href="{reverse("inbox:home")}"' not in html


# --- A conversation's forms and tickets (loaded into its page) ---


def test_conversation_page_loads_its_forms_and_tickets(contact_client, conversation):
    html = contact_client.get(reverse("messenger:conversation", args=[conversation.pk])).content.decode()

    assert f'hx-get="{reverse("messenger-tickets:conversation-tickets", args=[conversation.pk])}"' in html


def test_conversation_tickets_shows_the_form_sent_into_it(contact_client, conversation, refund_form):
    url = reverse("messenger-tickets:conversation-tickets", args=[conversation.pk])

    html = contact_client.get(url, headers={"HX-Request": "true"}).content.decode()

    assert html.lstrip().startswith('<section id="conversation-tickets"')
    assert "The team sent you a form" in html and form_url(refund_form) in html


def test_conversation_tickets_shows_the_ticket_shared_in_it(contact_client, conversation, teammate):
    ticket = BackOfficeTicketFactory(actor=teammate, conversation=conversation, share=True, title="Refund 1042")

    html = contact_client.get(
        reverse("messenger-tickets:conversation-tickets", args=[conversation.pk])
    ).content.decode()

    assert ticket_url(ticket) in html and "Refund 1042" in html


def test_conversation_tickets_of_another_contacts_conversation_is_404(contact_client):
    other = ConversationFactory(contact=ContactFactory())

    assert contact_client.get(reverse("messenger-tickets:conversation-tickets", args=[other.pk])).status_code == 404


# --- The form page ---


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


# --- Submitting a form ---


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
