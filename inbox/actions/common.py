"""What every conversation action shares: message checks, files, the conversation's lock, timeline events."""

from collections.abc import Sequence
from typing import Any

from helpdesk.errors import InvalidInput, NotFound
from inbox.attachments import CheckedFile, IncomingFile, StoredFile, check_files, store_files
from inbox.models import (
    Attachment,
    Conversation,
    Part,
    PartKind,
    Teammate,
)

MAX_BODY_LENGTH = 20_000


def clean_body(body: str, *, files: Sequence[object] = ()) -> str:
    """The message text, trimmed; refused when too long, or empty unless it carries `files`."""
    body = (body or "").strip()
    if not body and not files:
        raise InvalidInput("Write a message first.", {"body": ["This field is required."]})
    if len(body) > MAX_BODY_LENGTH:
        raise InvalidInput(
            f"Messages are limited to {MAX_BODY_LENGTH:,} characters.",
            {"body": [f"Ensure this value has at most {MAX_BODY_LENGTH} characters (it has {len(body)})."]},
        )
    return body


def clean_message(body: str, attachments: Sequence[IncomingFile]) -> tuple[str, list[CheckedFile]]:
    """A message's text and files, all checked before anything is written (inbox.attachments): a message may be
    files alone, or text alone."""
    files = check_files(attachments)
    return clean_body(body, files=files), files


def attach_files(part: Part, files: Sequence[CheckedFile]) -> list[Attachment]:
    """Store checked files as the attachments of a part the caller just wrote, in its transaction."""
    return attach_stored(part, store_files(files)) if files else []


def attach_stored(part: Part, files: Sequence[StoredFile]) -> list[Attachment]:
    """Rows for files already in the storage (a cross-posted note's) on a part the caller just wrote."""
    return Attachment.objects.bulk_create([Attachment(part=part, **file.fields()) for file in files]) if files else []


def lock_conversation(conversation_id: int) -> Conversation:
    """The conversation, locked FOR UPDATE until the transaction ends. Raises NotFound."""
    conversation = Conversation.objects.select_for_update().filter(pk=conversation_id).first()
    if conversation is None:
        raise NotFound("That conversation does not exist.")
    return conversation


def add_event_part(
    conversation: Conversation, *, event_type: str, body: str, actor: Teammate | None = None, **data: Any
) -> Part:
    """Append an event to the timeline of a conversation the caller has locked."""
    return Part.objects.create(
        conversation=conversation, kind=PartKind.EVENT, event_type=event_type, body=body, author=actor, data=data
    )


def actor_name(actor: Teammate | None) -> str:
    """Who did it, for the timeline: the teammate, or the system (a workflow)."""
    return actor.display_name if actor else "The system"
