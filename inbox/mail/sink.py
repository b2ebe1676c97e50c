"""Where `make run` sends mail when no provider or relay is configured: a maildir under var/mail (MAIL_SINK_DIR),
which any mail reader opens (`mutt -f var/mail`) and `manage.py sent_mail` prints."""

import mailbox
from collections.abc import Sequence

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage


class MaildirBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for folder in ("tmp", "new", "cur"):  # Maildir(create=True) makes them only when the folder itself is new
            (settings.MAIL_SINK_DIR / folder).mkdir(parents=True, exist_ok=True)
        box = mailbox.Maildir(settings.MAIL_SINK_DIR)
        for message in email_messages:
            box.add(message.message().as_bytes())
        return len(email_messages)
