"""Mail from a provider's inbound webhook (django-anymail, Mailgun here): signature checked, then the same
pipeline as SMTP."""

import base64
import hashlib
import hmac

import pytest

from inbox.models import Conversation, InboundEmail
from tests.inbox.mail_messages import raw_email

KEY = "mailgun-signing-key"
URL = "/anymail/mailgun/inbound/"
AUTH = {"Authorization": "Basic " + base64.b64encode(b"hook:secret").decode()}  # anymail's WEBHOOK_SECRET


@pytest.fixture
def mailgun(settings):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": KEY, "WEBHOOK_SECRET": "hook:secret"}


def signed(*, key: str = KEY, **fields: str) -> dict[str, str]:
    timestamp, token = "1764700000", "a" * 50
    signature = hmac.new(key.encode(), (timestamp + token).encode(), hashlib.sha256).hexdigest()
    return {"timestamp": timestamp, "token": token, "signature": signature, **fields}


def test_a_signed_inbound_webhook_opens_a_conversation(db, client, mailgun, apply_outbox):
    raw = raw_email(subject="Via Mailgun", body="Hello from the provider").decode()

    response = client.post(URL, signed(**{"body-mime": raw, "recipient": "support@helpdesk.localhost"}), headers=AUTH)
    apply_outbox()

    assert response.status_code == 200
    assert InboundEmail.objects.get().source == "mailgun"
    conversation = Conversation.objects.get()
    assert conversation.subject == "Via Mailgun"
    assert conversation.parts.get().body == "Hello from the provider"


def test_a_wrongly_signed_webhook_is_refused_and_stores_nothing(db, client, mailgun):
    response = client.post(URL, signed(key="guessed", **{"body-mime": raw_email().decode()}), headers=AUTH)

    assert response.status_code == 400
    assert not InboundEmail.objects.exists()


@pytest.mark.parametrize("provider", ["mailgun", "postmark", "sendgrid"])
@pytest.mark.parametrize("body", [b"", b"--BoUnDaRyStRiNg--\r\n", b"\xff\xfe garbage", b"[1, 2"])
def test_garbage_to_a_webhook_is_a_4xx_and_stores_nothing(db, client, mailgun, provider, body):
    response = client.post(f"/anymail/{provider}/inbound/", body, content_type="application/json", headers=AUTH)

    assert 400 <= response.status_code < 500
    assert not InboundEmail.objects.exists()


def test_a_provider_that_is_not_set_up_has_no_webhook(db, client, settings):
    settings.ANYMAIL = {}

    response = client.post("/anymail/postmark/inbound/", b"{}", content_type="application/json")

    assert response.status_code == 404


def test_a_webhook_call_without_the_secret_is_refused(db, client, mailgun):
    raw = raw_email().decode()

    response = client.post("/anymail/postmark/inbound/", {"RawEmail": raw}, content_type="application/json")

    assert response.status_code in (400, 401, 403)
    assert not InboundEmail.objects.exists()
