"""The admin of the email channel: sent and received email browsed read-only, with its status; a failed email sent or
read again by an admin action that calls the mail actions."""

import pytest
from django.core import mail
from django.urls import reverse

from inbox.mail import actions as mail_actions
from inbox.models import Contact, DeliveryStatus, InboundEmail, InboundStatus, OutboundEmail, OutboundKind
from tests.admin_pages import CHANGELIST_QUERIES
from tests.factories import ContactFactory, ConversationFactory

pytestmark = pytest.mark.django_db


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:inbox_{model._meta.model_name}_{view}", args=args)


def failed_outbound(n: int = 0) -> OutboundEmail:
    """An email to a contact without an address: failed with the reason (queue_email)."""
    conversation = ConversationFactory(contact=ContactFactory(email=""))
    return mail_actions.queue_email(
        key=f"test:{n}:{conversation.pk}",
        kind=OutboundKind.NOTIFICATION,
        contact=conversation.contact,
        conversation=conversation,
        subject="Your ticket #1 is now Resolved",
        body="Hello",
    )


def failed_inbound(apply_outbox) -> InboundEmail:
    inbound = mail_actions.receive_email(raw=b"Subject: No sender\r\n\r\nHello", source="test")
    apply_outbox()
    inbound.refresh_from_db()
    assert inbound.status == InboundStatus.FAILED
    return inbound


def test_outbound_email_list_shows_status_and_error(admin_client):
    email = failed_outbound()

    response = admin_client.get(admin_url(OutboundEmail, "changelist"), {"status": "failed", "kind": "notification"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [email]
    assert b"The contact has no email address." in response.content


def test_outbound_email_page_is_read_only(admin_client):
    email = failed_outbound()

    assert admin_client.get(admin_url(OutboundEmail, "change", email.pk)).status_code == 200
    assert admin_client.post(admin_url(OutboundEmail, "change", email.pk), {"subject": "x"}).status_code == 403
    assert admin_client.get(admin_url(OutboundEmail, "add")).status_code == 403
    assert admin_client.post(admin_url(OutboundEmail, "delete", email.pk), {"post": "yes"}).status_code == 403
    assert OutboundEmail.objects.get(pk=email.pk).subject == "Your ticket #1 is now Resolved"


def test_send_again_sends_a_failed_email_once_its_address_is_fixed(admin_client, apply_outbox):
    email = failed_outbound()
    Contact.objects.filter(pk=email.contact_id).update(email="ada@example.com")

    response = admin_client.post(
        admin_url(OutboundEmail, "changelist"), {"action": "send_again", "_selected_action": [email.pk]}, follow=True
    )
    apply_outbox()

    assert "Queued again 1 email(s)." in response.content.decode()
    email.refresh_from_db()
    assert email.status == DeliveryStatus.SENT
    assert [message.to for message in mail.outbox] == [["ada@example.com"]]


def test_send_again_refuses_with_the_reason(admin_client):
    email = failed_outbound()  # its contact still has no address

    response = admin_client.post(
        admin_url(OutboundEmail, "changelist"), {"action": "send_again", "_selected_action": [email.pk]}, follow=True
    )

    assert f"Email {email.pk}: The contact has no email address." in response.content.decode()
    assert OutboundEmail.objects.get(pk=email.pk).status == DeliveryStatus.FAILED


def test_inbound_email_page_links_the_raw_message(admin_client, apply_outbox):
    inbound = failed_inbound(apply_outbox)

    listing = admin_client.get(admin_url(InboundEmail, "changelist"), {"status": "failed"})
    page = admin_client.get(admin_url(InboundEmail, "change", inbound.pk))

    assert b"The message has no sender address" in listing.content
    assert reverse("inbox:email-raw", args=[inbound.pk]).encode() in page.content
    assert admin_client.post(admin_url(InboundEmail, "change", inbound.pk), {}).status_code == 403


def test_read_again_reads_a_failed_message_again(admin_client, apply_outbox):
    inbound = failed_inbound(apply_outbox)

    response = admin_client.post(
        admin_url(InboundEmail, "changelist"), {"action": "read_again", "_selected_action": [inbound.pk]}, follow=True
    )

    assert "Reading again 1 email(s)." in response.content.decode()
    inbound.refresh_from_db()
    assert (inbound.status, inbound.reason.startswith("Retried by")) == (InboundStatus.RECEIVED, True)
    apply_outbox()
    inbound.refresh_from_db()
    assert (inbound.status, inbound.attempts) == (InboundStatus.FAILED, 2)


@pytest.mark.parametrize("rows", [3, 30])
def test_email_changelists_query_count_is_bounded(admin_client, apply_outbox, django_assert_max_num_queries, rows):
    for n in range(rows):
        failed_outbound(n)
        mail_actions.receive_email(raw=b"Subject: No sender\r\n\r\nHello", source="test")
    apply_outbox()

    for model in (OutboundEmail, InboundEmail):
        with django_assert_max_num_queries(CHANGELIST_QUERIES):
            response = admin_client.get(admin_url(model, "changelist"))
        assert len(response.context["cl"].result_list) == rows
