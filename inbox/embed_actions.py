"""The writes of the messenger on the company's website (inbox.embed): website users' contacts, leads, and the
installation's secret."""

import secrets
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from helpdesk.errors import InvalidInput, NotFound, RuleViolation
from inbox.actions import clean_message, start_conversation
from inbox.attachments import IncomingFile
from inbox.models import LEAD_PREFIX, Contact, Conversation, MessengerInstallation, Teammate, new_messenger_secret

LEAD_NAME = "Website visitor"


@transaction.atomic
def identify_contact(*, external_id: str, name: str = "", email: str = "") -> Contact:
    """The contact of a verified website user (inbox.identity), made at their first visit with the page's name and
    email; later visits change neither (unverified, they could point the team's emails elsewhere). Raises
    InvalidInput for an id of a lead's form."""
    if external_id.startswith(LEAD_PREFIX):
        raise InvalidInput("That user id is reserved.")
    contact, _ = Contact.objects.get_or_create(
        external_id=external_id, defaults={"name": name or external_id, "email": email}
    )
    return contact


@transaction.atomic
def start_lead_conversation(
    *, body: str, subject: str = "", email: str = "", attachments: Sequence[IncomingFile] = ()
) -> Conversation:
    """An anonymous visitor writes a first message, with files or not: the lead contact is made now, never at a page
    view (a bot that opens the frame makes nothing). Emits ConversationStarted."""
    clean_message(body, attachments)  # refused before the lead is made
    lead = Contact.objects.create(
        external_id=LEAD_PREFIX + secrets.token_urlsafe(18), is_lead=True, name=LEAD_NAME, email=email
    )
    return start_conversation(contact_id=lead.pk, body=body, subject=subject, attachments=attachments)


@transaction.atomic
def set_lead_email(*, contact_id: int, email: str) -> Contact:
    """A lead leaves an email address (validated by the form), kept on the lead alone: it is never looked up, so it
    opens no other contact's conversations. Locks the contact. Raises NotFound / RuleViolation (not a lead)."""
    contact = Contact.objects.select_for_update().filter(pk=contact_id).first()
    if contact is None:
        raise NotFound("That contact does not exist.")
    if not contact.is_lead:
        raise RuleViolation("Your email address comes from your account on the website.")
    contact.email = email
    contact.save(update_fields=["email"])
    return contact


@transaction.atomic
def rotate_messenger_secret(*, actor: Teammate) -> MessengerInstallation:
    """A new messenger secret: every hash made with the old one is refused from now on (the website's backend needs
    the new one). Locks the installation row, making it when missing."""
    installation, _ = MessengerInstallation.objects.select_for_update().get_or_create(pk=1)
    installation.secret = new_messenger_secret()
    installation.secret_rotated_at = timezone.now()
    installation.save(update_fields=["secret", "secret_rotated_at"])
    return installation
