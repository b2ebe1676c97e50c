"""The local SMTP server (aiosmtpd) of `make run` and the tests: every message it accepts is stored raw through
`receive_email`, the same pipeline as the providers' webhooks, before the 250 is answered."""

import logging

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection

from helpdesk.errors import InvalidInput
from inbox.mail.actions import receive_email

logger = logging.getLogger(__name__)

MAX_RECIPIENTS = 100  # envelope recipients of one message (its To header may name any number)


def store(raw: bytes, envelope_from: str, envelope_to: list[str]) -> int:
    try:
        return receive_email(raw=raw, source="smtp", envelope_from=envelope_from, envelope_to=envelope_to).pk
    finally:
        # One connection per message: the server's thread lives as long as the server, and a connection kept there
        # would outlive a database restart (and, in tests, the test database).
        connection.close()


class InboundHandler:
    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list) -> str:
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return "452 4.5.3 Too many recipients"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        try:
            inbound_id = await sync_to_async(store, thread_sensitive=True)(
                raw, envelope.mail_from or "<>", list(envelope.rcpt_tos)
            )
        except InvalidInput as error:
            return f"554 5.6.0 {error.message}"
        except Exception:
            logger.exception("Could not store an inbound message")
            return "451 4.3.0 Could not store the message; try again later"
        return f"250 2.0.0 Message accepted as #{inbound_id}"


def smtp_server(*, host: str | None = None, port: int | None = None) -> Controller:
    """A (not yet started) server listening on host:port (SMTP_HOST, SMTP_PORT by default)."""
    return Controller(
        InboundHandler(),
        hostname=host or settings.SMTP_HOST,
        port=settings.SMTP_PORT if port is None else port,
        data_size_limit=settings.MAIL_MAX_BYTES,
        ident="helpdesk",
    )
