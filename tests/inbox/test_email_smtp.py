"""The email channel through real SMTP, both ways: a customer's mail client talks to the help desk's SMTP server
(inbox.mail.smtp, as `make run` serves it), and the help desk sends through SMTP to the customer's mail server (a
second aiosmtpd here)."""

import smtplib
import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse

from inbox.mail.smtp import smtp_server
from inbox.models import Conversation, InboundEmail, InboundStatus
from tests.inbox.mail_messages import raw_email

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def help_desk_smtp():
    server = smtp_server(host="127.0.0.1", port=free_port())
    server.start()
    yield server
    server.stop()


class MailboxHandler:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(envelope.original_content)
        return "250 OK"


@pytest.fixture
def customer_mail_server(settings):
    handler = MailboxHandler()
    server = Controller(handler, hostname="127.0.0.1", port=free_port())
    server.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 5},
        }
    }
    yield handler
    server.stop()


def send(server: Controller, raw: bytes, *, to: str = "support@helpdesk.localhost") -> None:
    with smtplib.SMTP(server.hostname, server.port, timeout=30) as client:
        client.sendmail("ada@example.com", [to], raw)


def test_email_round_trip_through_smtp(help_desk_smtp, customer_mail_server, apply_outbox, teammate_client):
    send(help_desk_smtp, raw_email(subject="Label photo", body="The label is torn.", message_id="<m1@example.com>"))
    apply_outbox()

    conversation = Conversation.objects.get()
    all_view = teammate_client.get(reverse("inbox:view", args=["all"]))
    assert b"Label photo" in all_view.content

    response = teammate_client.post(
        reverse("inbox:conversation-message", args=[conversation.pk]),
        {"kind": "reply", "body": "We'll send a new one."},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    apply_outbox()

    (delivered,) = customer_mail_server.messages
    reply = message_from_bytes(delivered, policy=policy.default)
    assert reply["To"] == "ada@example.com"
    assert reply["In-Reply-To"] == "<m1@example.com>"
    assert reply["Subject"] == "Re: Label photo"
    assert "We'll send a new one." in reply.get_body().get_content()

    answer = raw_email(
        subject="Re: Label photo",
        body="Thanks!\n\nOn Wed, Support wrote:\n> We'll send a new one.",
        headers={"In-Reply-To": reply["Message-ID"], "References": f"<m1@example.com> {reply['Message-ID']}"},
    )
    send(help_desk_smtp, answer, to=reply["Reply-To"])
    apply_outbox()

    assert list(conversation.parts.values_list("body", flat=True)) == [
        "The label is torn.",
        "We'll send a new one.",
        "Thanks!",
    ]


def test_a_25_mb_message_is_accepted_and_a_larger_one_refused(help_desk_smtp, apply_outbox, settings):
    big = raw_email(body="Photos attached.", files=[("photos.zip", "application/zip", b"\0" * (18 * 1024 * 1024))])
    assert 24 * 1024 * 1024 < len(big) <= settings.MAIL_MAX_BYTES  # base64 grows 18 MB to about 24.3 MB

    send(help_desk_smtp, big)
    too_big = raw_email(files=[("more.zip", "application/zip", b"\0" * (20 * 1024 * 1024))])
    with pytest.raises(smtplib.SMTPException) as refusal:
        send(help_desk_smtp, too_big)
    apply_outbox()

    assert "552" in str(refusal.value)
    (inbound,) = InboundEmail.objects.all()
    assert inbound.status == InboundStatus.DELIVERED
    # 18 MB of zeros is no file the attachment rules accept: the message is kept, and says what was left out
    assert inbound.part.body.startswith("Photos attached.\n\n[Not attached: photos.zip: ")
