"""The customer side of tickets: a contact's tickets, one ticket's page, a conversation's forms and tickets."""

import re

import pytest
from django.urls import reverse

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
from tests.tickets.messenger.helpers import (
    LIST_QUERIES,
    filled,
    form_url,
    normalised,
    ticket_url,
    worked_pair,
)
from tickets import actions
from tickets.models import StateCategory

pytestmark = pytest.mark.django_db


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
def test_ticket_list_query_count_is_constant(
    contact_client, contact, teammate, django_assert_max_num_queries, n_tickets
):
    tickets = [CustomerTicketFactory(actor=teammate, contact=contact, title=f"Ticket {n}") for n in range(n_tickets)]

    with django_assert_max_num_queries(LIST_QUERIES):
        response = contact_client.get(reverse("messenger-tickets:list"))
    assert response.status_code == 200 and all(ticket.title in response.content.decode() for ticket in tickets)


def test_messenger_ticket_pages_need_a_signed_in_contact(client, teammate):
    ticket = CustomerTicketFactory(actor=teammate)

    assert client.get(reverse("messenger-tickets:list")).status_code == 403
    assert client.get(ticket_url(ticket)).status_code == 403


def test_messenger_home_links_to_the_tickets(contact_client):
    assert reverse("messenger-tickets:list") in contact_client.get(reverse("messenger:home")).content.decode()


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


def test_conversation_page_comes_with_its_forms_and_tickets_which_poll_themselves(
    contact_client, conversation, refund_form
):
    html = contact_client.get(reverse("messenger:conversation", args=[conversation.pk])).content.decode()

    assert not re.search(r'hx-trigger="[^"]*\bload\b', html)  # nothing fetched on load (issue 12)
    assert form_url(refund_form) in html[html.index('<section id="conversation-tickets"') :]
    url = reverse("messenger-tickets:conversation-tickets", args=[conversation.pk])
    assert re.search(rf'id="conversation-tickets"[^>]*hx-get="{url}\?v=[^"]+" hx-trigger="every 2s"', html)


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
