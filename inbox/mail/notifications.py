"""Notifications: the emails that tell a customer something happened (a ticket opened or moved, a form to fill, a
reply while they were away), each with a signed link into the messenger.

Subscribers (here for the inbox's events, `tickets.notifications` for the tickets') build the context from
customer-only shapes (the customer selectors) and queue the email through `queue_notification`; the templates in
`templates/emails/` are plain text. Each email has a stable key, so a redelivered event never sends it twice.
"""

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from inbox.mail import actions
from inbox.messenger import messenger_url
from inbox.models import Contact, Conversation, OutboundEmail, OutboundKind


def queue_notification(
    *,
    key: str,
    contact: Contact,
    conversation: Conversation,
    subject: str,
    template: str,
    context: dict[str, Any],
    to: str,
) -> OutboundEmail:
    """Render `template` (plain text) with `context` and queue it for the contact, exactly once per `key`
    (queue_email). `to` is the messenger path the email's signed link opens. A contact without a usable address
    gets a failed email with the reason, never an error."""
    body = render_to_string(
        template,
        context
        | {
            "name": contact.name,
            "link": messenger_url(contact, to=to),
            "link_days": settings.MESSENGER_LINK_MAX_AGE.days,
            "help_desk": settings.MAIL_FROM_NAME,
        },
    )
    return actions.queue_email(
        key=key,
        kind=OutboundKind.NOTIFICATION,
        contact=contact,
        conversation=conversation,
        subject=" ".join(subject.split()),  # one line: a title's line break must not end the header
        body=body.strip() + "\n",
    )
