"""The messenger's live ticket regions: a conversation's forms and tickets, a ticket page's status and the ticket
list poll with their version and are answered 204 while nothing they show changed. Only a change the customer
can see moves a version: a note, an assignment or a move between two states of the same customer label never
does (the version is in the customer's page, so it must not tell them that something happened behind the
scenes)."""

import re

import pytest
from django.urls import reverse

from inbox.messenger import messenger_link
from tests.factories import (
    BackOfficeTicketFactory,
    ContactFactory,
    ConversationFactory,
    CustomerTicketFactory,
    TicketStateFactory,
    TicketTypeFactory,
    state,
)
from tickets import actions, selectors
from tickets.models import StateCategory

pytestmark = pytest.mark.django_db

# A poll answered 204: the session, the contact's session version (signed out everywhere?), then the region's
# one-query version (a UNION). Never more, whatever the data.
POLL_QUERIES = 3
LIVE = {"HX-Request": "true"}


@pytest.fixture
def contact_client(client, contact):
    assert client.get(messenger_link(contact)).status_code == 302
    return client


@pytest.fixture
def shared(conversation, teammate):
    """A back-office ticket shared in the contact's conversation, whose type also has an internal state that the
    customer sees as "In progress" (like the default in-progress state)."""
    ticket = BackOfficeTicketFactory(actor=teammate, conversation=conversation, share=True, title="Refund 1042")
    escalated = TicketStateFactory(internal_label="SENTINEL escalated to finance", customer_label="In progress")
    ticket.ticket_type.states.add(escalated)
    actions.change_ticket_state(actor=teammate, ticket_id=ticket.pk, state_id=state(StateCategory.IN_PROGRESS).pk)
    return ticket


def live_version(html: str, region: str) -> str:
    """The version a region polls with: the `?v=` of its own hx-get."""
    return re.search(rf'id="{region}"[^>]*hx-get="[^"?]*\?v=([^"]*)"', html, flags=re.S).group(1)


def poll(client, url: str, region: str, version: str):
    return client.get(url, {"v": version}, headers=LIVE | {"HX-Target": region})


def internal_work(ticket, teammate) -> None:
    """Everything a team does on a ticket that its customer must not notice."""
    escalated = ticket.ticket_type.states.get(internal_label__startswith="SENTINEL")
    actions.post_ticket_note(actor=teammate, ticket_id=ticket.pk, body="SENTINEL note")
    actions.assign_ticket(actor=teammate, ticket_id=ticket.pk, assignee_id=teammate.pk, team_id=ticket.team_id)
    actions.change_ticket_state(actor=teammate, ticket_id=ticket.pk, state_id=escalated.pk)


# --- A conversation's forms and tickets ---


def section_url(conversation) -> str:
    return reverse("messenger-tickets:conversation-tickets", args=[conversation.pk])


def section_version(client, conversation) -> str:
    """What the conversation page's first load of the section gives it to poll with."""
    html = client.get(section_url(conversation), headers=LIVE).content.decode()
    return live_version(html, "conversation-tickets")


@pytest.mark.parametrize("n_forms", [1, 5])
def test_conversation_tickets_poll_answers_204_in_three_queries_while_unchanged(
    contact_client, contact, teammate, django_assert_max_num_queries, n_forms
):
    conversation = ConversationFactory(contact=contact)
    for _ in range(n_forms):
        form_type = TicketTypeFactory()
        actions.send_ticket_form(actor=teammate, conversation_id=conversation.pk, ticket_type_id=form_type.pk)
    CustomerTicketFactory(actor=teammate, contact=contact)
    version = section_version(contact_client, conversation)

    with django_assert_max_num_queries(POLL_QUERIES):
        response = poll(contact_client, section_url(conversation), "conversation-tickets", version)

    assert response.status_code == 204 and response.content == b""


def test_conversation_tickets_poll_brings_a_form_just_sent(contact_client, conversation, teammate):
    version = section_version(contact_client, conversation)
    form_type = TicketTypeFactory(name="Refund request")
    form = actions.send_ticket_form(actor=teammate, conversation_id=conversation.pk, ticket_type_id=form_type.pk)

    response = poll(contact_client, section_url(conversation), "conversation-tickets", version)

    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<section id="conversation-tickets"')
    assert reverse("messenger-tickets:form", args=[form.pk]) in html and "Fill it in" in html
    assert live_version(html, "conversation-tickets") != version
    assert 'hx-target="this"' in html and 'hx-swap="outerHTML"' in html  # htmx 2 would inherit a parent's


def test_conversation_tickets_poll_brings_a_new_customer_facing_label(contact_client, conversation, shared, teammate):
    version = section_version(contact_client, conversation)
    actions.change_ticket_state(actor=teammate, ticket_id=shared.pk, state_id=state(StateCategory.RESOLVED).pk)

    response = poll(contact_client, section_url(conversation), "conversation-tickets", version)

    assert response.status_code == 200 and "Resolved" in response.content.decode()


def test_conversation_tickets_version_does_not_move_for_internal_work(contact_client, conversation, shared, teammate):
    version = section_version(contact_client, conversation)
    BackOfficeTicketFactory(actor=teammate, conversation=conversation, title="SENTINEL unshared")
    internal_work(shared, teammate)

    assert poll(contact_client, section_url(conversation), "conversation-tickets", version).status_code == 204


def test_conversation_tickets_poll_of_another_contacts_conversation_is_404(contact_client, teammate):
    other = ConversationFactory(contact=ContactFactory())
    BackOfficeTicketFactory(actor=teammate, conversation=other, share=True, title="SENTINEL theirs")
    their_version = selectors.get_customer_tickets_version(contact_id=other.contact_id, conversation_id=other.pk)

    for version in ("", their_version):
        response = poll(contact_client, section_url(other), "conversation-tickets", version)
        assert response.status_code == 404 and "SENTINEL" not in response.content.decode()


# --- A ticket page's status ---


def ticket_url(ticket) -> str:
    return reverse("messenger-tickets:ticket", args=[ticket.pk])


def status_version(client, ticket) -> str:
    return live_version(client.get(ticket_url(ticket)).content.decode(), "ticket-status")


def test_ticket_status_poll_answers_204_in_three_queries_while_unchanged(
    contact_client, shared, django_assert_max_num_queries
):
    version = status_version(contact_client, shared)

    with django_assert_max_num_queries(POLL_QUERIES):
        response = poll(contact_client, ticket_url(shared), "ticket-status", version)

    assert response.status_code == 204


def test_ticket_status_poll_brings_the_new_label_and_its_history(contact_client, shared, teammate):
    version = status_version(contact_client, shared)
    actions.change_ticket_state(actor=teammate, ticket_id=shared.pk, state_id=state(StateCategory.RESOLVED).pk)

    response = poll(contact_client, ticket_url(shared), "ticket-status", version)

    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<section id="ticket-status"')
    assert 'Status: <span class="state">Resolved</span>' in html
    assert re.findall(r"</time> · ([^<]+)</li>", html) == ["Submitted", "In progress", "Resolved"]
    assert live_version(html, "ticket-status") != version


def test_ticket_status_version_does_not_move_for_internal_work(contact_client, shared, teammate):
    version = status_version(contact_client, shared)
    internal_work(shared, teammate)

    response = poll(contact_client, ticket_url(shared), "ticket-status", version)

    assert response.status_code == 204
    assert "SENTINEL" not in contact_client.get(ticket_url(shared)).content.decode()


def test_ticket_status_version_is_the_same_for_a_customer_ticket_and_a_shared_one_alike(contact, teammate):
    """Rule 6: the version reads the same customer-facing fields whatever the kind of ticket."""
    own = CustomerTicketFactory(actor=teammate, contact=contact)
    shared_ticket = BackOfficeTicketFactory(
        actor=teammate, conversation=ConversationFactory(contact=contact), share=True
    )
    for ticket in (own, shared_ticket):
        before = selectors.get_customer_ticket_status_version(contact_id=contact.pk, ticket_id=ticket.pk)
        actions.post_ticket_note(actor=teammate, ticket_id=ticket.pk, body="SENTINEL note")
        assert selectors.get_customer_ticket_status_version(contact_id=contact.pk, ticket_id=ticket.pk) == before


@pytest.mark.parametrize("shared_ticket", [True, False], ids=["other-contacts", "unshared"])
def test_ticket_status_poll_of_a_ticket_not_the_contacts_is_404(contact_client, conversation, teammate, shared_ticket):
    if shared_ticket:
        ticket = BackOfficeTicketFactory(actor=teammate, share=True, title="SENTINEL theirs")
    else:
        ticket = BackOfficeTicketFactory(actor=teammate, conversation=conversation, title="SENTINEL unshared")

    for version in ("", "0"):
        response = poll(contact_client, ticket_url(ticket), "ticket-status", version)
        assert response.status_code == 404 and "SENTINEL" not in response.content.decode()


# --- The ticket list ---


def list_version(client) -> str:
    return live_version(client.get(reverse("messenger-tickets:list")).content.decode(), "customer-tickets")


def test_ticket_list_poll_answers_204_in_three_queries_while_unchanged(
    contact_client, contact, shared, teammate, django_assert_max_num_queries
):
    CustomerTicketFactory(actor=teammate, contact=contact)
    version = list_version(contact_client)

    with django_assert_max_num_queries(POLL_QUERIES):
        response = poll(contact_client, reverse("messenger-tickets:list"), "customer-tickets", version)

    assert response.status_code == 204


def test_ticket_list_poll_brings_a_form_and_ignores_internal_work(contact_client, contact, shared, teammate):
    version = list_version(contact_client)
    internal_work(shared, teammate)
    assert poll(contact_client, reverse("messenger-tickets:list"), "customer-tickets", version).status_code == 204

    form_type = TicketTypeFactory(name="Refund request")
    elsewhere = ConversationFactory(contact=contact)
    form = actions.send_ticket_form(actor=teammate, conversation_id=elsewhere.pk, ticket_type_id=form_type.pk)
    response = poll(contact_client, reverse("messenger-tickets:list"), "customer-tickets", version)

    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<div id="customer-tickets"')
    assert reverse("messenger-tickets:form", args=[form.pk]) in html and "Refund 1042" in html
