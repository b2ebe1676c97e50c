"""What a customer reads in the messenger: their conversations, the parts they may see, their files, the versions."""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Max, Q, QuerySet
from django.db.models.fields.files import FieldFile
from django.db.models.functions import Coalesce

from helpdesk.errors import NotFound
from inbox.models import (
    CUSTOMER_VISIBLE_PART_KINDS,
    Attachment,
    Contact,
    Conversation,
    MessengerInstallation,
    Part,
)

# --- The customer side (messenger): only what DESIGN.md section 4 lets a contact see ---


def get_contact(*, contact_id: int) -> Contact:
    contact = Contact.objects.filter(pk=contact_id).first()
    if contact is None:
        raise NotFound("That contact does not exist.")
    return contact


def get_contact_session_version(*, contact_id: int) -> int | None:
    """The contact's current messenger session version (None: no such contact); one query by primary key, made on
    every messenger request so that "Sign out everywhere" takes effect at once."""
    return Contact.objects.filter(pk=contact_id).values_list("session_version", flat=True).first()


def content_version(rows: Iterable[tuple[object, ...]]) -> str:
    """A customer live region's version: a short digest of exactly the fields it shows, so that it moves on a
    change the customer can see and on nothing else. A timestamp or a newest event id would also move on an
    internal note, an assignment or a move between two states of the same customer label, and the version is in
    the customer's page: it must not tell them that something happened behind the scenes."""
    text = "\n".join(sorted(repr(row) for row in rows))
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def _contact_conversations(contact_id: int) -> QuerySet[Conversation]:
    # By the last message or reply, not `updated_at`: a note, an event or an assignment also changes that.
    last_visible = Max("parts__created_at", filter=Q(parts__kind__in=CUSTOMER_VISIBLE_PART_KINDS))
    return (
        Conversation.objects.filter(contact_id=contact_id)
        .annotate(last_visible_at=Coalesce(last_visible, "created_at"))
        .order_by("-last_visible_at", "-pk")
    )


def list_contact_conversations(*, contact_id: int, limit: int = 50) -> list[Conversation]:
    """The contact's own conversations, the one with the latest message or reply (`last_visible_at`) first."""
    return list(_contact_conversations(contact_id)[:limit])


def get_contact_conversations_version(*, contact_id: int, limit: int = 50) -> str:
    """The version of the contact's conversation list (content_version of what it shows). One query."""
    # The stubs cannot see the annotation through the helper's return type.
    rows = _contact_conversations(contact_id).values_list("pk", "subject", "last_visible_at")[:limit]  # type: ignore[misc]
    return content_version(rows)


def get_contact_conversation(*, contact_id: int, conversation_id: int) -> Conversation:
    """One of the contact's conversations; anyone else's is NotFound, exactly like one that does not exist."""
    conversation = Conversation.objects.filter(pk=conversation_id, contact_id=contact_id).first()
    if conversation is None:
        raise NotFound("That conversation does not exist.")
    return conversation


def get_customer_thread_version(*, contact_id: int, conversation_id: int) -> int:
    """The newest message or reply of one of the contact's conversations (0: none), the version of its thread in
    the messenger: a note, an event or a cross-post never moves it. One query. Raises NotFound for anyone
    else's conversation, exactly like one that does not exist."""
    row = (
        Conversation.objects.filter(pk=conversation_id, contact_id=contact_id)
        .annotate(last=Max("parts__pk", filter=Q(parts__kind__in=CUSTOMER_VISIBLE_PART_KINDS)))
        .values("last")
        .first()
    )
    if row is None:
        raise NotFound("That conversation does not exist.")
    return row["last"] or 0


def list_customer_visible_parts(*, conversation_id: int) -> list[Part]:
    """The contact's messages and teammates' replies, oldest first, with their attachments: never notes, events or
    cross-posts. Two queries (one without parts)."""
    return list(
        Part.objects.filter(conversation_id=conversation_id, kind__in=CUSTOMER_VISIBLE_PART_KINDS)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("created_at", "pk")
    )


def get_messenger_installation() -> MessengerInstallation:
    """The website messenger's settings (one row, made by migration); without the row, an unsaved one with no
    secret and no origins, which verifies nobody and may be framed nowhere."""
    return MessengerInstallation.objects.filter(pk=1).first() or MessengerInstallation(secret="", allowed_origins="")


def get_lead_session_version(*, contact_id: int) -> int | None:
    """The session version of the lead `contact_id` (None: no such lead), for its cookie (inbox.embed)."""
    return Contact.objects.filter(pk=contact_id, is_lead=True).values_list("session_version", flat=True).first()


@dataclass(frozen=True, slots=True)
class CustomerAttachment:
    """A file as its customer may download it: only what serving it needs, of a part they can see."""

    id: int
    name: str
    content_type: str
    size: int
    file: FieldFile


def get_customer_attachment(*, contact_id: int, attachment_id: int) -> CustomerAttachment:
    """An attachment of one of the contact's own messages or of a reply to them (DESIGN.md section 4): never of a
    note, a cross-post or an event, never of another contact's conversation. Anything else is NotFound, exactly
    like a file that does not exist. One query."""
    attachment = Attachment.objects.filter(
        pk=attachment_id, part__kind__in=CUSTOMER_VISIBLE_PART_KINDS, part__conversation__contact_id=contact_id
    ).first()
    if attachment is None:
        raise NotFound("That file does not exist.")
    return CustomerAttachment(
        id=attachment.pk,
        name=attachment.name,
        content_type=attachment.content_type,
        size=attachment.size,
        file=attachment.file,
    )
