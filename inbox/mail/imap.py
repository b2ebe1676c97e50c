"""An IMAP mailbox polled by Celery beat, for teams without a provider's webhook: each unseen message is stored
(receive_email) and then flagged seen. A message stored but not flagged (the worker died in between) is handed over
again at the next poll, and its UIDVALIDITY:UID key stores it once."""

from django.conf import settings
from imap_tools import AND, BaseMailBox, MailBox, MailBoxUnencrypted, MailMessageFlags

from inbox.mail.actions import receive_email

BATCH = 100  # messages per poll; the rest wait for the next one


def mailbox() -> BaseMailBox:
    box_class = MailBox if settings.IMAP_SSL else MailBoxUnencrypted
    return box_class(settings.IMAP_HOST, settings.IMAP_PORT, timeout=30)


def poll_mailbox() -> int:
    """Store the mailbox's unseen messages, oldest first. Returns how many were stored."""
    stored = 0
    with mailbox().login(settings.IMAP_USER, settings.IMAP_PASSWORD, settings.IMAP_FOLDER) as box:
        validity = box.folder.status(settings.IMAP_FOLDER).get("UIDVALIDITY", 0)
        for message in box.fetch(AND(seen=False), mark_seen=False, limit=BATCH, bulk=True):
            if message.uid is None:
                continue
            receive_email(raw=message.obj.as_bytes(), source="imap", source_key=f"imap:{validity}:{message.uid}")
            box.flag(message.uid, MailMessageFlags.SEEN, True)
            stored += 1
    return stored
