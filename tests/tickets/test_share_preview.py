"""Preview as customer before sharing (issue 16): the teammate sees the customer's own page of a back-office ticket,
rendered by the messenger's template from the customer-only shape, before sharing it; what the rules refuse is said
instead of a Share button."""

import re

import pytest
from django.urls import reverse

from inbox.messenger import messenger_link
from tests.factories import (
    BackOfficeTicketFactory,
    ConversationFactory,
    CustomerTicketFactory,
    TicketAttributeFactory,
    TicketTypeFactory,
)
from tickets import rules
from tickets.models import TicketPart

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


def article(html: str) -> str:
    """The customer ticket's article, its text alone, whitespace folded; without the links around it."""
    found = re.search(r"<article class=\"messenger customer-ticket\".*?</article>", html, re.S)
    assert found, html[:500]
    text = re.sub(r"<a [^>]*>.*?</a>", "", found.group(0), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", text).split())


@pytest.fixture
def ticket():
    ticket_type = TicketTypeFactory(name="Refund request")
    TicketAttributeFactory(ticket_type=ticket_type, key="order", name="Order", visible_to_customers=True)
    TicketAttributeFactory(ticket_type=ticket_type, key="risk", name="Fraud risk score")  # internal
    attributes = {"order": "1042", "risk": "sentinel-risk-high"}
    ticket = BackOfficeTicketFactory(ticket_type=ticket_type, conversation=ConversationFactory(), attributes=attributes)
    TicketPart.objects.create(ticket=ticket, kind="note", body="Customer looks like a fraudster")
    return ticket


def test_share_preview_is_the_customers_page_of_the_ticket(teammate_client, client, ticket):
    preview = teammate_client.get(reverse("tickets:share-preview", args=[ticket.pk]), headers=HX)
    assert preview.status_code == 200
    seen_before = article(preview.content.decode())
    assert "1042" in seen_before
    assert "sentinel-risk-high" not in seen_before and "fraudster" not in seen_before

    teammate_client.post(reverse("tickets:share", args=[ticket.pk]), headers=HX)
    client.get(messenger_link(ticket.linked_conversation.contact))
    customer_page = client.get(reverse("messenger-tickets:ticket", args=[ticket.pk]))
    assert customer_page.status_code == 200
    assert article(customer_page.content.decode()) == seen_before


def test_share_shares_and_says_so(teammate_client, ticket):
    response = teammate_client.post(reverse("tickets:share", args=[ticket.pk]), headers=HX)
    assert response.status_code == 200 and "Shared with customer" in response.content.decode()
    assert 'id="share-preview"' in response.content.decode() and "hx-swap-oob" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.is_shared


def test_share_preview_of_a_never_type_says_why_and_offers_no_share(teammate_client):
    ticket = BackOfficeTicketFactory(ticket_type=TicketTypeFactory(never_shared=True))
    response = teammate_client.get(reverse("tickets:share-preview", args=[ticket.pk]), headers=HX)
    page = response.content.decode()
    assert "Tickets of this type are never shared with the customer." in page
    assert reverse("tickets:share", args=[ticket.pk]) not in page


def test_share_preview_when_the_conversation_has_a_shared_ticket_says_rule_4(teammate_client):
    conversation = ConversationFactory()
    shared = BackOfficeTicketFactory(conversation=conversation, share=True)
    ticket = BackOfficeTicketFactory(conversation=conversation)
    response = teammate_client.get(reverse("tickets:share-preview", args=[ticket.pk]), headers=HX)
    assert rules.one_shared_per_conversation(shared.pk) in response.content.decode()


def test_share_of_a_customer_ticket_is_refused(teammate_client):
    ticket = CustomerTicketFactory()
    response = teammate_client.post(reverse("tickets:share", args=[ticket.pk]), headers=HX)
    assert response.status_code == 422 and rules.ONLY_BACK_OFFICE_SHARED in response.content.decode()


def test_share_disclosure_only_where_sharing_is_possible(teammate_client, ticket):
    pane = teammate_client.get(reverse("tickets:pane", args=[ticket.pk]), headers=HX).content.decode()
    assert reverse("tickets:share-preview", args=[ticket.pk]) in pane
    never = BackOfficeTicketFactory(ticket_type=TicketTypeFactory(never_shared=True))
    pane = teammate_client.get(reverse("tickets:pane", args=[never.pk]), headers=HX).content.decode()
    assert reverse("tickets:share-preview", args=[never.pk]) not in pane
