"""Email through a real Celery worker: the local SMTP server stores a message, the worker reads it into a
conversation, and a teammate's reply reaches the worker's outbound sink (a maildir, as under `make run`)."""

import mailbox
import smtplib
from email import message_from_bytes, policy

import pytest

from inbox import actions
from inbox.mail.smtp import smtp_server
from inbox.models import Conversation, DeliveryStatus, OutboundEmail
from tests.factories import TeammateFactory
from tests.inbox.mail_messages import raw_email
from tests.inbox.test_email_smtp import free_port
from tests.worker import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(scope="module", autouse=True)
def sink(tmp_path_factory):
    """The worker's outbound mail goes to this maildir (its settings come from the environment it starts in)."""
    path = tmp_path_factory.mktemp("sent-mail")
    patch = pytest.MonkeyPatch()
    patch.setenv("MAIL_SINK_DIR", str(path))
    patch.delenv("EMAIL_HOST", raising=False)
    patch.delenv("ANYMAIL_ESP", raising=False)
    yield path
    patch.undo()


def test_mail_in_and_out_through_the_worker(worker, sink):
    server = smtp_server(host="127.0.0.1", port=free_port())
    server.start()
    try:
        with smtplib.SMTP("127.0.0.1", server.port, timeout=30) as client:
            client.sendmail("ada@example.com", ["support@helpdesk.localhost"], raw_email(message_id="<w1@example.com>"))
    finally:
        server.stop()
    conversation = wait_for(lambda: Conversation.objects.first())

    part = actions.post_reply(actor=TeammateFactory(), conversation_id=conversation.pk, body="On its way.")

    wait_for(lambda: OutboundEmail.objects.filter(part=part, status=DeliveryStatus.SENT).exists())
    (sent,) = [message_from_bytes(message.as_bytes(), policy=policy.default) for message in mailbox.Maildir(sink)]
    assert sent["In-Reply-To"] == "<w1@example.com>"
    assert sent.get_body().get_content().strip() == "On its way."
