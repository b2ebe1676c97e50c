"""The contact panel of a conversation: who the customer is, and their messenger link, absolute on SITE_URL, for a
teammate to copy and send them."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from inbox.messenger import SESSION_KEY, messenger_link, messenger_url
from tests.factories import ContactFactory, ConversationFactory

pytestmark = pytest.mark.django_db


def link_url(conversation) -> str:
    return reverse("inbox:contact-link", args=[conversation.pk])


def test_conversation_pane_shows_the_contact_and_offers_the_link_without_signing_one(teammate_client):
    contact = ContactFactory(name="Lena García", email="lena@example.com")
    conversation = ConversationFactory(contact=contact, assignee=None)

    html = teammate_client.get(reverse("inbox:conversation", args=["all", conversation.pk])).content.decode()

    panel = html[html.index('class="contact-panel"') :]
    assert "Lena García" in panel and 'href="mailto:lena@example.com"' in panel
    assert "Copy messenger link" in panel and link_url(conversation) in panel
    assert "/messenger/enter/" not in html  # signed only when asked for


def test_contact_link_is_absolute_on_site_url_and_signs_the_contact_in(teammate_client, settings):
    settings.SITE_URL = "https://help.example.com"
    contact = ContactFactory(name="Lena García")
    conversation = ConversationFactory(contact=contact)

    response = teammate_client.get(link_url(conversation), headers={"HX-Request": "true"})

    html = response.content.decode()
    link = re.search(r'<input type="text" id="messenger-link" value="([^"]+)" readonly', html).group(1)
    assert link.startswith("https://help.example.com/messenger/enter/")
    assert '<label for="messenger-link">Messenger link for Lena García</label>' in html
    assert 'data-copy="messenger-link"' in html and "valid\n    for 7 days" in html
    assert "no-store" in response["Cache-Control"]  # a credential: no cache keeps it
    customer = Client()  # someone else, with no session: the customer who got the link
    entered = customer.get(link.removeprefix(settings.SITE_URL))
    assert entered.status_code == 302 and customer.session[SESSION_KEY] == contact.pk
    assert "Lena García" in customer.get(entered["Location"]).content.decode()


def test_contact_link_follows_site_url(teammate_client, settings, conversation):
    settings.SITE_URL = "http://127.0.0.1:8101"

    html = teammate_client.get(link_url(conversation)).content.decode()

    assert 'value="http://127.0.0.1:8101/messenger/enter/' in html
    assert messenger_url(conversation.contact).startswith("http://127.0.0.1:8101/messenger/enter/")


def test_contact_link_needs_a_signed_in_teammate(client, conversation):
    response = client.get(link_url(conversation))

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_contact_link_of_a_signed_in_contact_is_refused(client, conversation):
    """A customer's messenger session is not a teammate's: it cannot mint links, not even its own."""
    assert client.get(messenger_link(conversation.contact)).status_code == 302

    assert client.get(link_url(conversation)).status_code == 302  # to the teammates' login


def test_contact_link_only_reads(teammate_client, conversation):
    assert teammate_client.post(link_url(conversation)).status_code == 405


def test_contact_link_of_an_unknown_conversation_is_404(teammate_client, conversation):
    assert teammate_client.get(reverse("inbox:contact-link", args=[conversation.pk + 1000])).status_code == 404
