"""Email out (inbox.mail): a reply in an email conversation is sent after the commit, once, threaded, with its
delivery status on the part; failures are retried with backoff, then shown."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from inbox import actions
from inbox.mail import actions as mail_actions
from inbox.models import Channel, Conversation, DeliveryStatus, OutboundEmail
from tests.concurrency import run_at_once
from tests.factories import ContactFactory, ConversationFactory, TeamFactory
from tests.files import pdf
from tests.inbox.mail_messages import raw_email

UNREACHABLE_SMTP = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},  # the discard port: nothing listens
    }
}


@pytest.fixture
def email_conversation(db, apply_outbox):
    mail_actions.receive_email(raw=raw_email(message_id="<customer-1@example.com>"), source="test")
    apply_outbox()
    return Conversation.objects.get()


def test_reply_in_an_email_conversation_is_sent_threaded(email_conversation, teammate, apply_outbox):
    email_conversation.team = TeamFactory(name="Billing")
    email_conversation.save(update_fields=["team"])

    part = actions.post_reply(actor=teammate, conversation_id=email_conversation.pk, body="It ships today.")
    assert not mail.outbox  # nothing before the outbox runs, after the commit
    apply_outbox()

    (message,) = mail.outbox
    assert message.to == ["ada@example.com"]
    assert message.subject == "Re: My parcel never arrived"
    assert message.body == "It ships today."
    assert message.from_email == '"Support" <support@helpdesk.localhost>'  # never the team's name: it is internal
    assert message.reply_to == [mail_actions.reply_address(email_conversation)]
    assert message.extra_headers["In-Reply-To"] == "<customer-1@example.com>"
    assert "<customer-1@example.com>" in message.extra_headers["References"]
    email = OutboundEmail.objects.get(part=part)
    assert (email.status, email.attempts) == (DeliveryStatus.SENT, 1)
    assert message.extra_headers["Message-ID"] == email.message_id


def test_a_redelivered_send_sends_once(email_conversation, teammate, apply_outbox):
    part = actions.post_reply(actor=teammate, conversation_id=email_conversation.pk, body="Once only")
    apply_outbox()

    mail_actions.deliver_email(outbound_email_id=part.outbound_email.pk)
    mail_actions.queue_email(
        key=f"reply:{part.pk}", kind="reply", contact=email_conversation.contact, subject="again", body="again"
    )
    apply_outbox()

    assert len(mail.outbox) == 1


def test_messenger_replies_and_internal_notes_are_never_emailed(db, teammate, apply_outbox):
    # A contact with the messenger open: a reply is emailed only to one who is away (tests/inbox/test_notifications.py).
    here = ContactFactory(email="ada@example.com", last_seen_at=timezone.now())
    messenger = ConversationFactory(contact=here, channel=Channel.MESSENGER)
    email = ConversationFactory(contact=ContactFactory(email="bob@example.com"), channel=Channel.EMAIL)

    actions.post_reply(actor=teammate, conversation_id=messenger.pk, body="In the messenger")
    actions.post_note(actor=teammate, conversation_id=email.pk, body="Internal: refund approved")
    apply_outbox()

    assert not mail.outbox
    assert not OutboundEmail.objects.exists()


def test_the_customers_answer_to_a_reply_continues_the_conversation(email_conversation, teammate, apply_outbox):
    actions.post_reply(actor=teammate, conversation_id=email_conversation.pk, body="Which order?")
    apply_outbox()
    sent = mail.outbox[0]

    mail_actions.receive_email(
        raw=raw_email(body="Order 4471", headers={"In-Reply-To": sent.extra_headers["Message-ID"]}), source="test"
    )
    apply_outbox()

    assert list(email_conversation.parts.values_list("body", flat=True))[-1] == "Order 4471"


def test_a_failed_send_is_retried_with_backoff_then_shown_failed(
    email_conversation, teammate, apply_outbox, settings, teammate_client
):
    settings.MAILERS = UNREACHABLE_SMTP
    settings.EMAIL_MAX_ATTEMPTS = 2
    part = actions.post_reply(actor=teammate, conversation_id=email_conversation.pk, body="Can you hear me?")
    apply_outbox()

    email = OutboundEmail.objects.get(part=part)
    assert (email.status, email.attempts) == (DeliveryStatus.QUEUED, 1)
    assert "refused" in email.last_error.lower() or "connect" in email.last_error.lower()
    assert email.next_attempt_at > timezone.now()
    assert mail_actions.retry_due_emails() == 0  # not due yet

    OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert mail_actions.retry_due_emails() == 1
    apply_outbox()

    email.refresh_from_db()
    assert (email.status, email.attempts) == (DeliveryStatus.FAILED, 2)
    page = teammate_client.get(reverse("inbox:conversation", args=["all", email_conversation.pk]))
    assert b"Email failed" in page.content


def test_a_failed_email_is_sent_again_from_the_timeline(
    email_conversation, teammate, apply_outbox, settings, teammate_client
):
    settings.MAILERS = UNREACHABLE_SMTP
    settings.EMAIL_MAX_ATTEMPTS = 1
    part = actions.post_reply(actor=teammate, conversation_id=email_conversation.pk, body="Retry me")
    apply_outbox()
    timeline = teammate_client.get(reverse("inbox:conversation-timeline", args=[email_conversation.pk]))
    resend = reverse("inbox:email-resend", args=[email_conversation.pk, part.outbound_email.pk])
    assert "Email failed" in timeline.content.decode() and resend in timeline.content.decode()
    elsewhere = ConversationFactory()
    wrong = reverse("inbox:email-resend", args=[elsewhere.pk, part.outbound_email.pk])
    assert teammate_client.post(wrong).status_code == 404  # only from its own conversation

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    response = teammate_client.post(resend)
    assert response.status_code == 200 and "Email queued" in response.content.decode()
    apply_outbox()
    assert OutboundEmail.objects.get(part=part).status == DeliveryStatus.SENT
    assert [message.body for message in mail.outbox] == ["Retry me"]
    again = teammate_client.post(resend)
    assert again.status_code == 422  # sent: nothing to send again


def test_no_mail_to_a_contact_whose_address_bounced(db, teammate, apply_outbox, teammate_client):
    contact = ContactFactory(email="gone@example.com", email_failing_since=timezone.now(), email_failure="Bounced")
    conversation = ConversationFactory(contact=contact, channel=Channel.EMAIL)

    part = actions.post_reply(actor=teammate, conversation_id=conversation.pk, body="Hello?")
    apply_outbox()

    assert not mail.outbox
    email = OutboundEmail.objects.get(part=part)
    assert email.status == DeliveryStatus.FAILED
    assert "failing" in email.last_error
    page = teammate_client.get(reverse("inbox:conversation", args=["all", conversation.pk]))
    assert b"Email failed" in page.content


def test_sent_status_shows_on_the_part(email_conversation, teammate, apply_outbox, teammate_client):
    actions.post_reply(actor=teammate, conversation_id=email_conversation.pk, body="Shipped.")
    apply_outbox()

    page = teammate_client.get(reverse("inbox:conversation", args=["all", email_conversation.pk]))

    assert b"Email sent" in page.content
    assert b"Original email" in page.content  # the customer's message links to the raw mail


def test_timeline_version_changes_when_a_delivery_does(email_conversation, teammate, apply_outbox, settings):
    from inbox.selectors import get_conversation_pane, get_conversation_versions

    settings.MAILERS = UNREACHABLE_SMTP
    actions.post_reply(actor=teammate, conversation_id=email_conversation.pk, body="Hello")
    before = get_conversation_versions(conversation_id=email_conversation.pk)[1]
    apply_outbox()

    after = get_conversation_versions(conversation_id=email_conversation.pk)[1]
    assert after != before
    assert after == get_conversation_pane(conversation_id=email_conversation.pk).timeline_version


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_delivering_the_same_email_at_once_send_it_once(teammate):
    conversation = ConversationFactory(contact=ContactFactory(email="ada@example.com"), channel=Channel.EMAIL)
    part = actions.post_reply(actor=teammate, conversation_id=conversation.pk, body="Exactly once")
    email_id = mail_actions.queue_email(  # as the reply's outbox handler does
        key=f"reply:{part.pk}",
        kind="reply",
        contact=conversation.contact,
        conversation=conversation,
        part=part,
        subject="Re",
        body="Exactly once",
    ).pk

    outcomes = run_at_once(*[lambda: mail_actions.deliver_email(outbound_email_id=email_id)] * 8)

    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert [message.body for message in mail.outbox] == ["Exactly once"]
    assert OutboundEmail.objects.get(pk=email_id).attempts == 1


def test_a_replys_files_go_with_its_email(email_conversation, teammate, apply_outbox):
    invoice = pdf()

    actions.post_reply(actor=teammate, conversation_id=email_conversation.pk, body="Attached.", attachments=[invoice])
    apply_outbox()

    (message,) = mail.outbox
    assert message.attachments == [(invoice.name, invoice.content, "application/pdf")]


def test_a_teams_name_on_emails_is_the_from_name_of_its_replies(email_conversation, teammate, apply_outbox):
    email_conversation.team = TeamFactory(name="Billing (internal)", email_name="Acme Billing")
    email_conversation.save(update_fields=["team"])

    actions.post_reply(actor=teammate, conversation_id=email_conversation.pk, body="Refunded.")
    apply_outbox()

    assert mail.outbox[0].from_email == '"Acme Billing" <support@helpdesk.localhost>'
