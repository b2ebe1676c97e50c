"""The customer side of conversations: signed links, a contact's own conversations, nothing internal."""

from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse

from inbox import actions
from inbox.messenger import SESSION_KEY, messenger_link
from inbox.models import Conversation, Part, PartKind
from tests.factories import ContactFactory, ConversationFactory, PartFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact_client(client, contact):
    assert client.get(messenger_link(contact)).status_code == 302
    return client


def test_messenger_link_signs_the_contact_in(client, contact):
    response = client.get(messenger_link(contact))

    assert response["Location"] == reverse("messenger:home")
    assert client.session[SESSION_KEY] == contact.pk


def test_messenger_link_refuses_a_tampered_token(client, contact):
    token = messenger_link(contact).rstrip("/").split("/")[-1]

    response = client.get(reverse("messenger:enter", args=[token[:-2] + "xx"]))

    assert response.status_code == 403
    assert SESSION_KEY not in client.session


def test_messenger_link_refuses_a_guessed_contact_id(client, contact):
    forged = signing.dumps({"contact": contact.pk}, salt="some other salt")

    assert client.get(reverse("messenger:enter", args=[forged])).status_code == 403


def test_messenger_link_expires(client, contact, settings):
    link = messenger_link(contact)
    settings.MESSENGER_LINK_MAX_AGE = timedelta(seconds=-1)

    response = client.get(link)

    assert response.status_code == 403
    assert "This link has expired" in response.content.decode()


def test_messenger_pages_need_a_signed_in_contact(client, conversation):
    assert client.get(reverse("messenger:home")).status_code == 403
    assert client.get(reverse("messenger:conversation", args=[conversation.pk])).status_code == 403


def test_messenger_teammate_session_is_not_a_contact(teammate_client, conversation):
    assert teammate_client.get(reverse("messenger:conversation", args=[conversation.pk])).status_code == 403


def test_messenger_home_lists_only_the_contacts_conversations(contact_client, contact):
    ConversationFactory(contact=contact, subject="My parcel")
    ConversationFactory(subject="Someone else's refund")

    html = contact_client.get(reverse("messenger:home")).content.decode()

    assert "My parcel" in html
    assert "Someone else&#x27;s refund" not in html and "Someone else's refund" not in html


def test_messenger_conversation_of_another_contact_is_404(contact_client):
    other = ConversationFactory(contact=ContactFactory())

    assert contact_client.get(reverse("messenger:conversation", args=[other.pk])).status_code == 404


def test_messenger_conversation_shows_messages_and_replies_only(contact_client, contact, teammate):
    conversation = ConversationFactory(contact=contact)
    PartFactory(conversation=conversation, body="Where is my parcel?")
    actions.post_reply(actor=teammate, conversation_id=conversation.pk, body="It left the warehouse today.")
    actions.post_note(actor=teammate, conversation_id=conversation.pk, body="SENTINEL internal note")
    actions.assign_conversation(actor=teammate, conversation_id=conversation.pk, assignee_id=teammate.pk, team_id=None)
    Part.objects.create(conversation=conversation, kind=PartKind.CROSS_POST, body="SENTINEL cross-post")

    html = contact_client.get(reverse("messenger:conversation", args=[conversation.pk])).content.decode()

    assert "Where is my parcel?" in html and "It left the warehouse today." in html
    assert "SENTINEL" not in html
    assert "assigned this conversation" not in html


def test_messenger_start_opens_a_conversation(contact_client, contact):
    response = contact_client.post(reverse("messenger:start"), {"subject": "Refund", "body": "Please refund me"})

    conversation = Conversation.objects.get(contact=contact)
    assert response["Location"] == reverse("messenger:conversation", args=[conversation.pk])
    assert conversation.parts.get().body == "Please refund me"


def test_messenger_start_refuses_an_empty_message(contact_client, contact):
    response = contact_client.post(reverse("messenger:start"), {"subject": "Refund", "body": "  "})

    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert not Conversation.objects.exists()


def test_messenger_write_records_a_customer_message(contact_client, contact):
    conversation = ConversationFactory(contact=contact, snoozed=True)

    contact_client.post(reverse("messenger:write", args=[conversation.pk]), {"body": "Any news?"})

    conversation.refresh_from_db()
    assert conversation.parts.filter(kind=PartKind.CUSTOMER_MESSAGE, body="Any news?").exists()
    assert conversation.state == "open"


def test_messenger_write_into_another_contacts_conversation_is_404(contact_client):
    other = ConversationFactory(contact=ContactFactory())

    response = contact_client.post(reverse("messenger:write", args=[other.pk]), {"body": "Hijack"})

    assert response.status_code == 404
    assert not other.parts.exists()


def test_messenger_write_refuses_a_too_long_message_and_keeps_it(contact_client, contact):
    conversation = ConversationFactory(contact=contact)

    response = contact_client.post(reverse("messenger:write", args=[conversation.pk]), {"body": "x" * 20_001})

    assert response.status_code == 422
    assert "at most 20000 characters" in response.content.decode()
    assert not conversation.parts.exists()


def test_messenger_leave_signs_the_contact_out(contact_client, contact):
    contact_client.post(reverse("messenger:leave"))

    assert contact_client.get(reverse("messenger:home")).status_code == 403
