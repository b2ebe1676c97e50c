"""Email in (inbox.mail): a message is stored raw, then read into a conversation, or set aside with the reason."""

import pytest
from django.core import mail
from django.urls import reverse

from helpdesk.errors import InvalidInput
from inbox.mail import actions as mail_actions
from inbox.mail import parse as mail_parse
from inbox.models import (
    Channel,
    Contact,
    Conversation,
    InboundEmail,
    InboundStatus,
    OutboundEmail,
    Part,
    PartKind,
)
from tests.factories import ContactFactory, ConversationFactory
from tests.files import png_bytes
from tests.inbox.mail_messages import bounce_email, html_only_email, raw_email


@pytest.fixture
def deliver(db, apply_outbox):
    """Receive raw messages as the SMTP server does, and apply the outbox as the worker would."""

    def deliver(*raws: bytes, envelope_to: list[str] | None = None) -> list[InboundEmail]:
        ids = [mail_actions.receive_email(raw=raw, source="test", envelope_to=envelope_to).pk for raw in raws]
        apply_outbox()
        return [InboundEmail.objects.get(pk=pk) for pk in ids]

    return deliver


def test_new_email_opens_a_conversation_for_a_new_contact(deliver):
    (inbound,) = deliver(raw_email(message_id="<first@example.com>"))

    assert inbound.status == InboundStatus.DELIVERED
    conversation = inbound.part.conversation
    assert conversation.channel == Channel.EMAIL
    assert conversation.subject == "My parcel never arrived"
    assert (conversation.contact.name, conversation.contact.email) == ("Ada Lovelace", "ada@example.com")
    assert inbound.part.body == "Hello, my parcel never arrived."
    assert inbound.part.email_message_id == "<first@example.com>"


def test_new_email_from_a_known_address_goes_to_that_contact(deliver):
    contact = ContactFactory(email="Ada@Example.com")

    (inbound,) = deliver(raw_email())

    assert inbound.part.conversation.contact == contact
    assert Contact.objects.count() == 1


def test_reply_to_the_reply_address_continues_the_conversation(deliver):
    (first,) = deliver(raw_email())
    conversation = first.part.conversation
    address = mail_actions.reply_address(conversation)

    (reply,) = deliver(raw_email(to=address, subject="Re: My parcel", body="Any news?"))

    assert reply.part.conversation == conversation
    assert list(conversation.parts.values_list("body", flat=True)) == ["Hello, my parcel never arrived.", "Any news?"]


def test_reply_threads_by_in_reply_to_and_references(deliver):
    (first,) = deliver(raw_email(message_id="<one@example.com>"))

    (by_in_reply_to,) = deliver(raw_email(body="Second", headers={"In-Reply-To": "<one@example.com>"}))
    (by_references,) = deliver(raw_email(body="Third", headers={"References": "<x@example.com> <one@example.com>"}))

    conversation = first.part.conversation
    assert by_in_reply_to.part.conversation == conversation
    assert by_references.part.conversation == conversation
    assert Conversation.objects.count() == 1


def test_forged_in_reply_to_never_joins_another_contacts_conversation(deliver):
    (victims,) = deliver(raw_email(sender="victim@example.com", message_id="<victim@example.com>"))
    victim_address = mail_actions.reply_address(victims.part.conversation)

    (forged,) = deliver(
        raw_email(
            sender="mallory@example.com",
            to=victim_address,
            body="Hijack",
            headers={"In-Reply-To": "<victim@example.com>"},
        )
    )

    assert forged.part.conversation != victims.part.conversation
    assert forged.part.conversation.contact.email == "mallory@example.com"
    assert victims.part.conversation.parts.count() == 1


def test_quoted_history_and_signature_are_trimmed_and_the_raw_message_kept(deliver, teammate_client):
    body = (
        "Yes, the order number is 4471.\n\n-- \nAda\nSent with love\n\n"
        "On Tue, 1 Dec 2026 at 10:00, Support <support@helpdesk.localhost> wrote:\n> Which order is it?\n"
    )
    (inbound,) = deliver(raw_email(body=body))

    assert inbound.part.body == "Yes, the order number is 4471."
    response = teammate_client.get(reverse("inbox:email-raw", args=[inbound.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert b"Which order is it?" in response.content


def test_raw_message_is_for_teammates_only(deliver, client):
    (inbound,) = deliver(raw_email(body="Private words"))

    response = client.get(reverse("inbox:email-raw", args=[inbound.pk]))

    assert response.status_code in (302, 403)
    assert b"Private words" not in response.content


def test_html_only_mail_is_read_as_text_without_markup(deliver):
    html = '<p>Hello <b>team</b></p><script>alert("x")</script><p onclick="evil()">Second line</p>'

    (inbound,) = deliver(html_only_email(html=html))

    assert inbound.part.body == "Hello team\nSecond line"
    assert "alert" not in inbound.part.body and "<" not in inbound.part.body


def test_html_is_sanitised():
    parsed = mail_parse.parse_email(raw_email(html='<p>Hi</p><img src=x onerror="evil()"><script>bad()</script>'))

    assert "<p>Hi</p>" in parsed.html
    assert "onerror" not in parsed.html and "<script" not in parsed.html


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"X-Autoreply": "yes"},
        {"Precedence": "bulk"},
        {"X-Auto-Response-Suppress": "All"},
    ],
)
def test_automatic_replies_open_nothing_and_get_no_answer(deliver, headers):
    (inbound,) = deliver(raw_email(headers=headers, subject="Out of office"))

    assert inbound.status == InboundStatus.IGNORED
    assert inbound.reason == "An automatic reply."
    assert not Conversation.objects.exists()
    assert not OutboundEmail.objects.exists() and not mail.outbox


def test_bounce_marks_the_contacts_address_failing(deliver):
    contact = ContactFactory(email="gone@example.com")

    (inbound,) = deliver(bounce_email(failed="gone@example.com"))

    assert inbound.status == InboundStatus.IGNORED
    assert not Conversation.objects.exists()
    contact.refresh_from_db()
    assert contact.email_failing_since is not None


def test_mail_from_the_help_desks_own_address_opens_nothing(deliver):
    (inbound,) = deliver(raw_email(sender="Support <support@helpdesk.localhost>"))

    assert inbound.status == InboundStatus.IGNORED
    assert not Conversation.objects.exists()


def test_a_flood_from_one_sender_stops_opening_conversations(deliver, settings):
    settings.MAIL_FLOOD_LIMIT = 3

    received = deliver(*(raw_email(subject=f"Message {n}") for n in range(5)))

    assert [inbound.status for inbound in received] == [InboundStatus.DELIVERED] * 3 + [InboundStatus.IGNORED] * 2
    assert Conversation.objects.count() == 3


def test_two_help_desks_auto_replying_to_each_other_make_no_loop(deliver):
    """The other desk acknowledges everything with an auto-reply; we never answer automatically, and its
    acknowledgements open nothing."""
    (ack,) = deliver(raw_email(sender="desk@other.example", headers={"Auto-Submitted": "auto-replied"}))
    unmarked = deliver(*(raw_email(sender="desk@other.example", subject=f"Ticket received {n}") for n in range(25)))

    assert ack.status == InboundStatus.IGNORED
    # MAIL_FLOOD_LIMIT (20) messages an hour from one sender, the acknowledgement among them
    assert sum(inbound.status == InboundStatus.DELIVERED for inbound in unmarked) == 19
    assert not OutboundEmail.objects.exists() and not mail.outbox


def test_malformed_mime_is_kept_and_never_crashes(deliver):
    raw = (
        b"From: ada@example.com\r\nSubject: broken\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="never-closed"\r\n\r\n--never-closed\r\n'
        b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n@@@not base64@@@"
    )

    (inbound,) = deliver(raw)

    assert inbound.status in (InboundStatus.DELIVERED, InboundStatus.FAILED)
    assert bytes(InboundEmail.objects.get(pk=inbound.pk).raw) == raw


@pytest.mark.parametrize("charset", ["x-unknown-charset", "utf-8"])
def test_unknown_and_broken_charsets_are_read_with_replacements(deliver, charset):
    raw = (
        f"From: ada@example.com\r\nSubject: charset\r\nContent-Type: text/plain; charset={charset}\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
    ).encode() + b"Caf\xe9 ol\xc3\xa9 \xff\xfe done"

    (inbound,) = deliver(raw)

    assert inbound.status == InboundStatus.DELIVERED
    assert inbound.part.body.startswith("Caf") and inbound.part.body.endswith("done")


def test_ten_thousand_recipients_open_one_conversation(deliver):
    recipients = ", ".join(f"person{n}@example.org" for n in range(10_000))

    (inbound,) = deliver(raw_email(to=f"support@helpdesk.localhost, {recipients}"))

    assert inbound.status == InboundStatus.DELIVERED
    assert Conversation.objects.count() == 1 and Contact.objects.count() == 1


def test_a_message_over_the_size_limit_is_refused_and_nothing_stored(db, settings):
    settings.MAIL_MAX_BYTES = 1000

    with pytest.raises(InvalidInput, match="limited to"):
        mail_actions.receive_email(raw=raw_email(body="x" * 2000), source="test")

    assert not InboundEmail.objects.exists()


def test_a_message_without_sender_fails_visibly_and_can_be_retried(deliver, teammate, apply_outbox):
    (inbound,) = deliver(b"Subject: who am I\r\n\r\nNo From header here.")

    assert inbound.status == InboundStatus.FAILED
    assert "no sender" in inbound.reason

    mail_actions.retry_inbound_email(actor=teammate, inbound_email_id=inbound.pk)
    apply_outbox()
    inbound.refresh_from_db()
    assert inbound.status == InboundStatus.FAILED
    assert inbound.attempts == 2


def test_a_read_error_loses_nothing_and_a_retry_delivers(deliver, teammate, apply_outbox, monkeypatch):
    real_parse = mail_actions.parse_email
    monkeypatch.setattr(mail_actions, "parse_email", lambda *args, **kwargs: 1 / 0)
    (inbound,) = deliver(raw_email())
    assert inbound.status == InboundStatus.FAILED
    assert "ZeroDivisionError" in inbound.reason
    assert not Part.objects.exists()

    monkeypatch.setattr(mail_actions, "parse_email", real_parse)
    mail_actions.retry_inbound_email(actor=teammate, inbound_email_id=inbound.pk)
    apply_outbox()

    inbound.refresh_from_db()
    assert inbound.status == InboundStatus.DELIVERED
    assert inbound.part.kind == PartKind.CUSTOMER_MESSAGE


def test_only_failed_messages_can_be_retried(deliver, teammate):
    (inbound,) = deliver(raw_email())

    with pytest.raises(InvalidInput, match="Only failed messages"):
        mail_actions.retry_inbound_email(actor=teammate, inbound_email_id=inbound.pk)


def test_processing_twice_delivers_once(deliver):
    (inbound,) = deliver(raw_email())

    mail_actions.process_inbound_email(inbound_email_id=inbound.pk)

    assert Part.objects.count() == 1


def test_receiving_enqueues_only_after_commit(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        mail_actions.receive_email(raw=raw_email(), source="test")

    assert len(callbacks) == 1
    assert InboundEmail.objects.get().status == InboundStatus.RECEIVED


def test_a_customer_message_by_email_reopens_a_closed_conversation(deliver):
    conversation = ConversationFactory(contact=ContactFactory(email="ada@example.com"), state="closed")

    (inbound,) = deliver(raw_email(), envelope_to=[mail_actions.reply_address(conversation)])

    conversation.refresh_from_db()
    assert inbound.part.conversation == conversation
    assert conversation.state == "open"


def test_email_attachments_are_stored_on_the_part(deliver):
    photo = png_bytes()

    (inbound,) = deliver(raw_email(body="Label attached.", files=[("label.png", "image/png", photo)]))

    (attachment,) = inbound.part.attachments.all()
    assert (attachment.name, attachment.content_type) == ("label.png", "image/png")
    assert attachment.file.read() == photo


def test_a_refused_email_attachment_costs_the_customer_nothing_else(deliver):
    html = b"<html><script>alert(1)</script></html>"

    (inbound,) = deliver(
        raw_email(
            body="Two files.",
            files=[("photo.png", "image/png", html), ("label.png", "image/png", png_bytes())],
        )
    )

    assert inbound.status == InboundStatus.DELIVERED
    assert [attachment.name for attachment in inbound.part.attachments.all()] == ["label.png"]
    assert inbound.part.body.startswith("Two files.\n\n[Not attached: photo.png: ")
