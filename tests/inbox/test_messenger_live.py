"""The messenger's live conversation regions: the thread and the conversation list poll with their version and
are answered 204 while nothing they show changed, and only a change the customer can see moves that version."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from inbox import actions
from inbox.messenger import messenger_link
from inbox.models import Part, PartKind
from inbox.selectors import get_contact_conversations_version, get_customer_thread_version
from tests.factories import ContactFactory, ConversationFactory, PartFactory

pytestmark = pytest.mark.django_db

# A poll answered 204: the session, the contact's session version (signed out everywhere?), then the region's
# one-query version. Never more, whatever the data.
POLL_QUERIES = 3


@pytest.fixture
def contact_client(client, contact):
    assert client.get(messenger_link(contact)).status_code == 302
    return client


def live_version(html: str, region: str) -> str:
    """The version a region polls with: the `?v=` of its own hx-get."""
    return re.search(rf'id="{region}"[^>]*hx-get="[^"?]*\?v=([^"]*)"', html, flags=re.S).group(1)


def poll(client, url: str, region: str, version: str):
    return client.get(url, {"v": version}, headers={"HX-Request": "true", "HX-Target": region})


# --- The thread of a conversation ---


def thread_url(conversation) -> str:
    return reverse("messenger:conversation", args=[conversation.pk])


def thread_version(client, conversation) -> str:
    return live_version(client.get(thread_url(conversation)).content.decode(), "messenger-thread")


@pytest.mark.parametrize("n_parts", [1, 30])
def test_thread_poll_answers_204_in_three_queries_while_nothing_came(
    contact_client, conversation, django_assert_max_num_queries, n_parts
):
    PartFactory.create_batch(n_parts, conversation=conversation)
    version = thread_version(contact_client, conversation)

    with django_assert_max_num_queries(POLL_QUERIES):
        response = poll(contact_client, thread_url(conversation), "messenger-thread", version)

    assert response.status_code == 204 and response.content == b""


def test_thread_poll_brings_a_reply_with_the_new_version(contact_client, conversation, teammate):
    PartFactory(conversation=conversation, body="Where is my parcel?")
    version = thread_version(contact_client, conversation)
    reply = actions.post_reply(actor=teammate, conversation_id=conversation.pk, body="It left the warehouse today.")

    response = poll(contact_client, thread_url(conversation), "messenger-thread", version)

    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<ol id="messenger-thread"')
    assert "Where is my parcel?" in html and "It left the warehouse today." in html
    assert live_version(html, "messenger-thread") == str(reply.pk) != version
    assert 'hx-target="this"' in html and 'hx-swap="outerHTML"' in html  # htmx 2 would inherit a parent's


def test_thread_version_does_not_move_for_anything_internal(contact_client, conversation, teammate):
    PartFactory(conversation=conversation, body="Where is my parcel?")
    version = thread_version(contact_client, conversation)
    actions.post_note(actor=teammate, conversation_id=conversation.pk, body="SENTINEL internal note")
    actions.assign_conversation(actor=teammate, conversation_id=conversation.pk, assignee_id=teammate.pk, team_id=None)
    actions.snooze_conversation(
        actor=teammate, conversation_id=conversation.pk, until=conversation.created_at + timedelta(days=1)
    )
    Part.objects.create(conversation=conversation, kind=PartKind.CROSS_POST, body="SENTINEL cross-post")

    response = poll(contact_client, thread_url(conversation), "messenger-thread", version)

    assert response.status_code == 204
    assert get_customer_thread_version(contact_id=conversation.contact_id, conversation_id=conversation.pk) == int(
        version
    )


def test_thread_poll_of_another_contacts_conversation_is_404(contact_client):
    other = ConversationFactory(contact=ContactFactory())
    PartFactory(conversation=other, body="SENTINEL someone else's message")

    for version in ("", "0", str(other.parts.get().pk)):
        response = poll(contact_client, thread_url(other), "messenger-thread", version)
        assert response.status_code == 404 and "SENTINEL" not in response.content.decode()


def test_thread_poll_refuses_a_bad_version(contact_client, conversation):
    response = poll(contact_client, thread_url(conversation), "messenger-thread", "x" * 65)

    assert response.status_code == 400


# --- The conversation list (messenger home) ---


def home_version(client) -> str:
    return live_version(client.get(reverse("messenger:home")).content.decode(), "messenger-conversations")


def test_home_poll_answers_204_in_three_queries_while_nothing_changed(
    contact_client, contact, django_assert_max_num_queries
):
    for _ in range(3):
        PartFactory(conversation=ConversationFactory(contact=contact))
    version = home_version(contact_client)

    with django_assert_max_num_queries(POLL_QUERIES):
        response = poll(contact_client, reverse("messenger:home"), "messenger-conversations", version)

    assert response.status_code == 204


def test_home_poll_brings_a_conversation_with_a_new_reply_first(contact_client, contact, teammate):
    first = ConversationFactory(contact=contact, subject="My parcel")
    PartFactory(conversation=first)
    PartFactory(conversation=ConversationFactory(contact=contact, subject="My refund"))
    version = home_version(contact_client)
    actions.post_reply(actor=teammate, conversation_id=first.pk, body="It left the warehouse.")

    response = poll(contact_client, reverse("messenger:home"), "messenger-conversations", version)

    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<div id="messenger-conversations"')
    assert html.index("My parcel") < html.index("My refund")
    assert live_version(html, "messenger-conversations") != version


def test_home_shows_and_versions_the_last_message_not_an_internal_change(contact_client, contact, teammate):
    """`updated_at` also moves on a note or an assignment: the list must not show the customer when it did."""
    conversation = ConversationFactory(contact=contact)
    message = PartFactory(conversation=conversation)
    version = home_version(contact_client)
    actions.post_note(actor=teammate, conversation_id=conversation.pk, body="SENTINEL internal note")
    actions.assign_conversation(actor=teammate, conversation_id=conversation.pk, assignee_id=teammate.pk, team_id=None)

    html = contact_client.get(reverse("messenger:home")).content.decode()

    assert get_contact_conversations_version(contact_id=contact.pk) == version
    assert poll(contact_client, reverse("messenger:home"), "messenger-conversations", version).status_code == 204
    assert f'datetime="{message.created_at.isoformat()}"' in html
