"""Mail from a provider's inbound webhook (django-anymail, Mailgun here): signature checked, then the same
pipeline as SMTP."""

import hashlib
import hmac

import pytest

from inbox.models import Conversation, InboundEmail
from tests.inbox.mail_messages import raw_email

KEY = "mailgun-signing-key"
URL = "/anymail/mailgun/inbound/"


@pytest.fixture
def mailgun(settings):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": KEY}


def signed(*, key: str = KEY, **fields: str) -> dict[str, str]:
    timestamp, token = "1764700000", "a" * 50
    signature = hmac.new(key.encode(), (timestamp + token).encode(), hashlib.sha256).hexdigest()
    return {"timestamp": timestamp, "token": token, "signature": signature, **fields}


def test_a_signed_inbound_webhook_opens_a_conversation(db, client, mailgun, apply_outbox):
    raw = raw_email(subject="Via Mailgun", body="Hello from the provider").decode()

    response = client.post(URL, signed(**{"body-mime": raw, "recipient": "support@helpdesk.localhost"}))
    apply_outbox()

    assert response.status_code == 200
    assert InboundEmail.objects.get().source == "mailgun"
    conversation = Conversation.objects.get()
    assert conversation.subject == "Via Mailgun"
    assert conversation.parts.get().body == "Hello from the provider"


def test_a_wrongly_signed_webhook_is_refused_and_stores_nothing(db, client, mailgun):
    response = client.post(URL, signed(key="guessed", **{"body-mime": raw_email().decode()}))

    assert response.status_code == 400
    assert not InboundEmail.objects.exists()
