"""A teammate's messenger reply is emailed to a customer who is away (inbox.mail.handlers.email_reply_to_away_contact):
away means no messenger page of theirs asked anything for MESSENGER_AWAY_AFTER, which messenger requests record
(last_seen_at, written at most once a minute)."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from helpdesk.models import OutboxEvent
from helpdesk.outbox import apply_event
from inbox import actions
from inbox.messenger import SEEN_KEY, messenger_link
from inbox.models import Channel, Contact, OutboundEmail, OutboundKind
from tests.factories import ContactFactory, ConversationFactory, PartFactory, TeammateFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver/messenger/enter/[^/\s]+/")


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def maya(db):
    return TeammateFactory(first_name="Maya", last_name="Internal-Surname")


def conversation_of(*, seen_ago: timedelta | None, channel: str = Channel.MESSENGER):
    seen = timezone.now() - seen_ago if seen_ago is not None else None
    contact = ContactFactory(name="Ada", email="ada@example.com", last_seen_at=seen)
    return ConversationFactory(contact=contact, subject="My parcel", channel=channel)


def test_reply_to_a_contact_seen_10_seconds_ago_is_not_emailed(maya, apply_outbox):
    conversation = conversation_of(seen_ago=timedelta(seconds=10))

    actions.post_reply(actor=maya, conversation_id=conversation.pk, body="It ships today.")
    apply_outbox()

    assert not mail.outbox
    assert not OutboundEmail.objects.exists()


@pytest.mark.parametrize("seen_ago", [timedelta(minutes=10), None], ids=["away", "never-seen"])
def test_reply_to_an_away_contact_is_emailed_once_with_a_link_to_the_conversation(maya, apply_outbox, client, seen_ago):
    conversation = conversation_of(seen_ago=seen_ago)

    part = actions.post_reply(actor=maya, conversation_id=conversation.pk, body="It ships today.")
    apply_outbox()

    (message,) = mail.outbox
    assert message.to == ["ada@example.com"]
    assert message.subject == "Maya replied: My parcel"
    assert 'Maya replied to "My parcel":\n\nIt ships today.' in message.body
    assert "Internal-Surname" not in message.body + message.subject + message.from_email
    email = OutboundEmail.objects.get()
    assert (email.kind, email.key) == (OutboundKind.NOTIFICATION, f"reply-notice:{part.pk}")
    assert email.conversation_id == conversation.pk

    OutboxEvent.objects.update(done_at=None)  # every event delivered again
    for event_id in OutboxEvent.objects.values_list("pk", flat=True):
        apply_event(event_id)
    assert len(mail.outbox) == 1

    page = client.get(LINK.search(message.body).group(0), follow=True)
    assert page.request["PATH_INFO"] == reverse("messenger:conversation", args=[conversation.pk])
    assert b"It ships today." in page.content


def test_the_reply_notice_link_expires_as_messenger_links_do(maya, apply_outbox, client, settings):
    conversation = conversation_of(seen_ago=None)
    actions.post_reply(actor=maya, conversation_id=conversation.pk, body="Hello")
    apply_outbox()
    link = LINK.search(mail.outbox[0].body).group(0)

    settings.MESSENGER_LINK_MAX_AGE = timedelta(seconds=-1)

    assert client.get(link).status_code == 403
    assert client.get(reverse("messenger:conversation", args=[conversation.pk])).status_code == 403


def test_a_link_cannot_be_made_to_open_a_page_outside_the_messenger(client):
    contact = ContactFactory()

    response = client.get(messenger_link(contact, to="https://evil.example/messenger/"))

    assert response.status_code == 302 and response["Location"] == reverse("messenger:home")


def test_reply_in_an_email_conversation_is_emailed_once_not_noticed_again(maya, apply_outbox):
    conversation = conversation_of(seen_ago=None, channel=Channel.EMAIL)

    actions.post_reply(actor=maya, conversation_id=conversation.pk, body="It ships today.")
    apply_outbox()

    (message,) = mail.outbox
    assert message.body == "It ships today."
    assert OutboundEmail.objects.get().kind == OutboundKind.REPLY


def test_notes_and_customer_messages_are_never_noticed(maya, apply_outbox):
    conversation = conversation_of(seen_ago=None)

    actions.post_note(actor=maya, conversation_id=conversation.pk, body="Internal: refund approved")
    actions.record_customer_message(conversation_id=conversation.pk, body="Any news?")
    apply_outbox()

    assert not mail.outbox


def test_reply_to_an_away_contact_without_address_is_a_failed_email(maya, apply_outbox):
    conversation = ConversationFactory(contact=ContactFactory(email=""))

    actions.post_reply(actor=maya, conversation_id=conversation.pk, body="Hello")
    apply_outbox()

    assert not mail.outbox
    assert OutboundEmail.objects.get().last_error == "The contact has no email address."


# --- last_seen_at ---


def seen_at(contact: Contact):
    return Contact.objects.values_list("last_seen_at", flat=True).get(pk=contact.pk)


def test_opening_the_messenger_marks_the_contact_seen(client):
    contact = ContactFactory(last_seen_at=None)

    client.get(messenger_link(contact))

    assert timezone.now() - seen_at(contact) < timedelta(seconds=5)


def test_a_live_poll_marks_the_contact_seen_at_most_once_a_minute_per_session(client):
    contact = ContactFactory()
    conversation = ConversationFactory(contact=contact)
    client.get(messenger_link(contact))
    poll = {"headers": {"HX-Request": "true", "HX-Target": "messenger-thread"}, "data": {"v": "0"}}
    url = reverse("messenger:conversation", args=[conversation.pk])
    long_ago = timezone.now() - timedelta(minutes=10)
    Contact.objects.filter(pk=contact.pk).update(last_seen_at=long_ago)

    client.get(url, **poll)
    assert seen_at(contact) == long_ago  # this session wrote it less than a minute ago

    session = client.session
    session[SEEN_KEY] -= 61
    session.save()
    client.get(url, **poll)
    assert timezone.now() - seen_at(contact) < timedelta(seconds=5)


def test_mark_contact_seen_writes_once_a_minute():
    contact = ContactFactory(last_seen_at=None)
    now = timezone.now()

    assert actions.mark_contact_seen(contact_id=contact.pk, now=now)
    assert not actions.mark_contact_seen(contact_id=contact.pk, now=now + timedelta(seconds=30))
    assert actions.mark_contact_seen(contact_id=contact.pk, now=now + timedelta(seconds=61))
    assert seen_at(contact) == now + timedelta(seconds=61)


def test_a_reply_is_noticed_after_the_contact_left(maya, apply_outbox, client):
    contact = ContactFactory(email="ada@example.com")
    conversation = ConversationFactory(contact=contact)
    client.get(messenger_link(contact))

    actions.post_reply(actor=maya, conversation_id=conversation.pk, body="First")
    apply_outbox()
    assert not mail.outbox  # still here

    Contact.objects.filter(pk=contact.pk).update(last_seen_at=timezone.now() - timedelta(minutes=4))
    actions.post_reply(actor=maya, conversation_id=conversation.pk, body="Second")
    apply_outbox()
    assert [message.subject for message in mail.outbox] == [f"Maya replied: {conversation.subject}"]


# --- Cost ---

NOTICE_QUERIES = 10


@pytest.mark.parametrize("n_parts", [1, 30])
def test_reply_notice_query_count_does_not_grow_with_the_conversation(
    maya, apply_outbox, django_assert_max_num_queries, n_parts
):
    conversation = conversation_of(seen_ago=None)
    PartFactory.create_batch(n_parts, conversation=conversation)
    actions.post_reply(actor=maya, conversation_id=conversation.pk, body="Hello")
    (row,) = OutboxEvent.objects.filter(done_at=None, handler__endswith="email_reply_to_away_contact")

    from inbox.mail.handlers import email_reply_to_away_contact

    with django_assert_max_num_queries(NOTICE_QUERIES):
        email_reply_to_away_contact(row)

    assert OutboundEmail.objects.filter(key__startswith="reply-notice:").count() == 1
