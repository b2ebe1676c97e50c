"""Every write of the email channel: storing a message as it arrived, reading it into a conversation, and queueing,
sending and retrying the mail sent to customers.

Inbound: `receive_email` stores the raw bytes and records InboundEmailReceived in one transaction; the outbox then
runs `process_inbound_email`, which never raises for a message it cannot read: the message is kept as failed, with
the reason, for an admin to retry (`retry_inbound_email`). Outbound: `queue_email` writes the email and records
EmailQueued in the caller's transaction; the outbox runs `deliver_email`, which sends it under the row's lock and
marks it sent in the same transaction, so a redelivered event sends nothing twice. A failed send waits
EMAIL_RETRY_BASE, doubling, and `retry_due_emails` queues it again (Celery beat).
"""

import logging
import secrets
import smtplib
import uuid

from anymail.exceptions import AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from helpdesk.errors import DomainError, InvalidInput, NotFound
from helpdesk.outbox import record
from inbox import events
from inbox.actions import MAX_BODY_LENGTH, record_customer_message, start_conversation
from inbox.attachments import IncomingFile, check_files
from inbox.mail.parse import ParsedEmail, parse_email
from inbox.models import (
    Attachment,
    Channel,
    Contact,
    Conversation,
    DeliveryStatus,
    InboundEmail,
    InboundStatus,
    OutboundEmail,
    OutboundKind,
    Part,
    Teammate,
)

logger = logging.getLogger(__name__)

# Refusals that no retry will change: the address does not exist, the provider refuses the recipient.
PERMANENT_ERRORS = (smtplib.SMTPRecipientsRefused, AnymailRecipientsRefused)


@transaction.atomic
def receive_email(
    *,
    raw: bytes,
    source: str,
    envelope_from: str = "",
    envelope_to: list[str] | None = None,
    source_key: str | None = None,
) -> InboundEmail:
    """Store a message as it arrived; it is read after the commit. A message whose `source_key` was stored already is
    not stored again. Raises InvalidInput for an empty message or one over MAIL_MAX_BYTES. Emits
    InboundEmailReceived."""
    if source_key and (stored := InboundEmail.objects.filter(source_key=source_key).first()):
        return stored
    if not raw.strip():
        raise InvalidInput("The message is empty.")
    if len(raw) > settings.MAIL_MAX_BYTES:
        raise InvalidInput(f"Messages are limited to {settings.MAIL_MAX_BYTES // (1024 * 1024)} MB.")
    inbound = InboundEmail.objects.create(
        raw=raw,
        source=source[:16],
        envelope_from=envelope_from[:998],
        envelope_to=(envelope_to or [])[:100],
        source_key=source_key,
    )
    record(events.InboundEmailReceived(inbound_email_id=inbound.pk))
    return inbound


@transaction.atomic
def process_inbound_email(*, inbound_email_id: int) -> InboundEmail:
    """Read a received message into a conversation (a new one, or the one it replies to), or set it aside as noise
    with the reason. Locks the row; a message already processed is left as it is. A message that cannot be read
    is marked failed with the reason, never raised."""
    inbound = InboundEmail.objects.select_for_update().filter(pk=inbound_email_id).first()
    if inbound is None:
        raise NotFound("That message does not exist.")
    if inbound.status != InboundStatus.RECEIVED:
        return inbound
    inbound.attempts += 1
    try:
        with transaction.atomic():
            parsed = parse_email(
                bytes(inbound.raw), envelope_from=inbound.envelope_from, envelope_to=inbound.envelope_to
            )
            inbound.sender, inbound.subject, inbound.message_id = parsed.sender, parsed.subject, parsed.message_id[:998]
            inbound.status, inbound.reason, part = _deliver(inbound, parsed)
            inbound.part = part
    except DomainError as error:
        inbound.status, inbound.reason = InboundStatus.FAILED, error.message[:500]
    except Exception as error:  # a message we cannot read is kept for an admin, whatever went wrong
        logger.exception("Could not read inbound email %s", inbound.pk)
        inbound.status, inbound.reason = InboundStatus.FAILED, f"{type(error).__name__}: {error}"[:500]
    inbound.save(update_fields=["sender", "subject", "message_id", "status", "reason", "part", "attempts"])
    return inbound


def _deliver(inbound: InboundEmail, parsed: ParsedEmail) -> tuple[str, str, Part | None]:
    """Status, reason and part of a parsed message: ignored as noise, or delivered as a customer message."""
    if not parsed.sender:
        return InboundStatus.FAILED, "The message has no sender address (From).", None
    if is_own_address(parsed.sender):
        return InboundStatus.IGNORED, "Sent by the help desk's own address (a loop).", None
    if parsed.noise == "bounce":
        failing = mark_addresses_failing(parsed.bounced_addresses, reason=f"Bounced: {parsed.subject}"[:500])
        return InboundStatus.IGNORED, f"A bounce; {failing} contact address(es) marked failing.", None
    if parsed.noise:
        return InboundStatus.IGNORED, "An automatic reply.", None
    recent = InboundEmail.objects.filter(
        sender=parsed.sender, received_at__gte=timezone.now() - settings.MAIL_FLOOD_WINDOW
    ).exclude(pk=inbound.pk)
    if recent.count() >= settings.MAIL_FLOOD_LIMIT:
        return (
            InboundStatus.IGNORED,
            f"More than {settings.MAIL_FLOOD_LIMIT} messages from this sender in an hour.",
            None,
        )
    files, refused = acceptable_files(parsed)
    body = parsed.text or ("" if files else "(empty message)")
    if refused:
        body += "\n\n" + "\n".join(f"[Not attached: {refusal}]" for refusal in refused)
    body = body.strip()[:MAX_BODY_LENGTH]
    message_id = parsed.message_id[:998]
    if (conversation_id := find_thread(parsed)) is not None:
        part = record_customer_message(
            conversation_id=conversation_id, body=body, email_message_id=message_id, attachments=files
        )
    else:
        contact = get_or_create_email_contact(address=parsed.sender, name=parsed.sender_name)
        conversation = start_conversation(
            contact_id=contact.pk,
            body=body,
            subject=parsed.subject,
            channel=Channel.EMAIL,
            email_message_id=message_id,
            attachments=files,
        )
        part = conversation.parts.get()
    return InboundStatus.DELIVERED, "", part


def acceptable_files(parsed: ParsedEmail) -> tuple[list[IncomingFile], list[str]]:
    """The mail's files that the attachment rules accept together, and why each other one was left out: one bad file
    does not cost the customer their message (in the browser, the form asks again instead)."""
    accepted: list[IncomingFile] = []
    refused: list[str] = []
    for incoming in parsed.files:
        try:
            check_files([*accepted, incoming])
        except InvalidInput as error:
            refused.append(f"{incoming.name}: {error.message}")
        else:
            accepted.append(incoming)
    return accepted, refused


def find_thread(parsed: ParsedEmail) -> int | None:
    """The conversation a message replies to: by the reply address it was sent to, else by the Message-IDs it
    answers. Only a conversation of the sender's own address: a forged In-Reply-To or reply address pointing at
    another contact's conversation starts a new conversation instead."""
    own = Q(contact__email__iexact=parsed.sender)
    if parsed.reply_tokens:
        by_token = Conversation.objects.filter(own, reply_token__in=parsed.reply_tokens).values_list("pk", flat=True)
        if found := by_token.first():
            return found
    if parsed.thread_ids:
        by_part = Part.objects.filter(
            email_message_id__in=parsed.thread_ids, conversation__contact__email__iexact=parsed.sender
        )
        if found := by_part.order_by("-pk").values_list("conversation_id", flat=True).first():
            return found
        by_email = OutboundEmail.objects.filter(
            message_id__in=parsed.thread_ids, conversation__contact__email__iexact=parsed.sender
        )
        return by_email.order_by("-pk").values_list("conversation_id", flat=True).first()
    return None


def get_or_create_email_contact(*, address: str, name: str) -> Contact:
    """The contact who writes from this address (the oldest, if several share it), created when new."""
    contact = Contact.objects.filter(email__iexact=address).order_by("pk").first()
    if contact is None:
        contact, _ = Contact.objects.get_or_create(
            external_id=f"email:{address}"[:100], defaults={"email": address, "name": name or address.split("@")[0]}
        )
    return contact


def is_own_address(address: str) -> bool:
    domain = address.rpartition("@")[2].lower()
    return address.lower() == settings.SUPPORT_EMAIL.lower() or domain == settings.MAIL_DOMAIN.lower()


def mark_addresses_failing(addresses: list[str], *, reason: str) -> int:
    """Contacts at these addresses get no more mail until their address changes. Returns how many."""
    if not addresses:
        return 0
    query = Q()
    for address in addresses:
        query |= Q(email__iexact=address)
    return Contact.objects.filter(query).update(email_failing_since=timezone.now(), email_failure=reason)


@transaction.atomic
def retry_inbound_email(*, actor: Teammate, inbound_email_id: int) -> InboundEmail:
    """Read a failed message again (after a fix). Raises NotFound, InvalidInput when it did not fail. Emits
    InboundEmailReceived."""
    inbound = InboundEmail.objects.select_for_update().filter(pk=inbound_email_id).first()
    if inbound is None:
        raise NotFound("That message does not exist.")
    if inbound.status != InboundStatus.FAILED:
        raise InvalidInput(f"Only failed messages can be retried; this one is {inbound.get_status_display().lower()}.")
    inbound.status, inbound.reason = InboundStatus.RECEIVED, f"Retried by {actor.display_name}."
    inbound.save(update_fields=["status", "reason"])
    record(events.InboundEmailReceived(inbound_email_id=inbound.pk))
    return inbound


def reply_address(conversation: Conversation) -> str:
    """The conversation's reply address; its token is made the first time it is asked for."""
    if not conversation.reply_token:
        # Only where none was made yet: a stale copy of the row never replaces the token mail already carries.
        Conversation.objects.filter(pk=conversation.pk, reply_token=None).update(reply_token=secrets.token_hex(10))
        conversation.reply_token = Conversation.objects.values_list("reply_token", flat=True).get(pk=conversation.pk)
    return f"reply+{conversation.reply_token}@{settings.MAIL_DOMAIN}"


def thread_headers(conversation: Conversation) -> tuple[str, str]:
    """In-Reply-To and References of a new email in the conversation: the customer's last message and the ids of
    the conversation's latest emails."""
    ids = list(
        Part.objects.filter(conversation=conversation)
        .exclude(email_message_id="")
        .order_by("-pk")
        .values_list("email_message_id", flat=True)[:10]
    )
    sent = OutboundEmail.objects.filter(conversation=conversation).order_by("-pk").values_list("message_id", flat=True)
    references = list(dict.fromkeys([*ids, *sent[:10]]))[::-1]
    return (ids[0] if ids else ""), " ".join(references)


def queue_email(
    *,
    key: str,
    kind: OutboundKind,
    contact: Contact,
    subject: str,
    body: str,
    conversation: Conversation | None = None,
    part: Part | None = None,
) -> OutboundEmail:
    """Write an email to a contact, sent after the commit (exactly once per `key`: queueing the same key again
    returns the first). A contact without an address, or whose address bounced, gets a failed email with the
    reason instead, so that the part shows it was not sent. Emits EmailQueued."""
    if existing := OutboundEmail.objects.filter(key=key).first():
        return existing
    in_reply_to, references = thread_headers(conversation) if conversation else ("", "")
    email = OutboundEmail.objects.create(
        key=key,
        kind=kind,
        contact=contact,
        conversation=conversation,
        part=part,
        to=contact.email,
        # The team's name for customers, else the help desk's: never the team's internal name, which the customer's
        # pages never show either (tests/test_email_leaks.py).
        from_name=(conversation and conversation.team and conversation.team.email_name) or settings.MAIL_FROM_NAME,
        subject=subject[:998],
        body=body,
        message_id=f"<{uuid.uuid4().hex}@{settings.MAIL_DOMAIN}>",
        in_reply_to=in_reply_to,
        references=references,
        reply_to=reply_address(conversation) if conversation else "",
    )
    refusal = _refusal(contact)
    if refusal:
        email.status, email.last_error = DeliveryStatus.FAILED, refusal
        email.save(update_fields=["status", "last_error"])
    else:
        record(events.EmailQueued(outbound_email_id=email.pk))
    return email


def _refusal(contact: Contact) -> str:
    if not contact.email:
        return "The contact has no email address."
    if contact.email_failing_since:
        return f"The contact's address is failing ({contact.email_failure or 'it bounced'})."
    return ""


@transaction.atomic
def deliver_email(*, outbound_email_id: int) -> OutboundEmail | None:
    """Send a queued email, holding its row's lock, and mark it sent in the same transaction. Sent or failed mail,
    and mail whose retry is not due yet, is left alone. A failure is kept with its reason: retried later with
    backoff, or failed for good after EMAIL_MAX_ATTEMPTS or a permanent refusal."""
    email = OutboundEmail.objects.select_for_update().filter(pk=outbound_email_id).first()
    now = timezone.now()
    if (
        email is None
        or email.status != DeliveryStatus.QUEUED
        or (email.next_attempt_at and email.next_attempt_at > now)
    ):
        return email
    email.attempts += 1
    try:
        mailers.default.send_messages([_message(email)])
    except Exception as error:
        email.last_error = f"{type(error).__name__}: {error}"[:1000]
        if isinstance(error, PERMANENT_ERRORS) or email.attempts >= settings.EMAIL_MAX_ATTEMPTS:
            email.status, email.next_attempt_at = DeliveryStatus.FAILED, None
        else:
            email.next_attempt_at = now + settings.EMAIL_RETRY_BASE * 2 ** (email.attempts - 1)
        logger.warning("Email %s not sent (attempt %s): %s", email.pk, email.attempts, email.last_error)
    else:
        email.status, email.sent_at, email.next_attempt_at, email.last_error = DeliveryStatus.SENT, now, None, ""
    email.save(update_fields=["attempts", "last_error", "status", "sent_at", "next_attempt_at"])
    return email


def _message(email: OutboundEmail) -> EmailMessage:
    headers = {"Message-ID": email.message_id}
    if email.in_reply_to:
        headers["In-Reply-To"] = email.in_reply_to
    if email.references:
        headers["References"] = email.references
    if email.kind == OutboundKind.NOTIFICATION:  # RFC 3834: no auto-reply may answer it
        headers |= {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"}
    message = EmailMessage(
        subject=email.subject,
        body=email.body,
        from_email=f'"{email.from_name}" <{settings.SUPPORT_EMAIL}>' if email.from_name else settings.SUPPORT_EMAIL,
        to=[email.to],
        reply_to=[email.reply_to] if email.reply_to else None,
        headers=headers,
    )
    # A reply's files go with it (only a reply has a part: notifications carry none).
    for attachment in Attachment.objects.filter(part_id=email.part_id) if email.part_id else ():
        with attachment.file.open("rb") as file:
            message.attach(attachment.name, file.read(), attachment.content_type)
    return message


@transaction.atomic
def retry_due_emails(*, limit: int = 500) -> int:
    """Queue again the emails whose retry is due. Returns how many. Emits EmailQueued for each."""
    due = list(
        OutboundEmail.objects.select_for_update(skip_locked=True)
        .filter(status=DeliveryStatus.QUEUED, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    # Cleared: the event now carries the retry, and the next beat does not queue it a second time.
    OutboundEmail.objects.filter(pk__in=due).update(next_attempt_at=None)
    record(*(events.EmailQueued(outbound_email_id=pk) for pk in due))
    return len(due)


@transaction.atomic
def resend_email(*, actor: Teammate, outbound_email_id: int) -> OutboundEmail:
    """Try a failed email again (an admin fixed the address or the provider). Raises NotFound, InvalidInput."""
    email = OutboundEmail.objects.select_for_update().select_related("contact").filter(pk=outbound_email_id).first()
    if email is None:
        raise NotFound("That email does not exist.")
    if email.status != DeliveryStatus.FAILED:
        raise InvalidInput("Only failed emails can be sent again.")
    if refusal := _refusal(email.contact):
        raise InvalidInput(refusal)
    email.status, email.attempts, email.next_attempt_at = DeliveryStatus.QUEUED, 0, None
    email.to, email.last_error = email.contact.email, f"Sent again by {actor.display_name}."
    email.save(update_fields=["status", "attempts", "next_attempt_at", "to", "last_error"])
    record(events.EmailQueued(outbound_email_id=email.pk))
    return email
