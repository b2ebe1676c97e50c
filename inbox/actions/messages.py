"""What a conversation's timeline receives: the customer's messages, replies and notes, and a ticket's updates."""

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from helpdesk.errors import NotFound
from helpdesk.outbox import record
from inbox import events
from inbox.actions.common import (
    add_event_part,
    attach_files,
    attach_stored,
    clean_message,
    lock_conversation,
)
from inbox.actions.lifecycle import (
    WakeReason,
    set_state,
    wake,
)
from inbox.attachments import IncomingFile, StoredFile
from inbox.models import (
    Channel,
    Contact,
    Conversation,
    ConversationState,
    Part,
    PartKind,
    Teammate,
)


@transaction.atomic
def start_conversation(
    *,
    contact_id: int,
    body: str,
    subject: str = "",
    channel: Channel = Channel.MESSENGER,
    email_message_id: str = "",
    attachments: Sequence[IncomingFile] = (),
) -> Conversation:
    """A contact writes a first message, with files or not (in the messenger, or by email with its Message-ID).
    Emits ConversationStarted."""
    body, files = clean_message(body, attachments)
    if not Contact.objects.filter(pk=contact_id).exists():
        raise NotFound("That contact does not exist.")
    now = timezone.now()
    conversation = Conversation.objects.create(
        contact_id=contact_id, subject=subject[:200], waiting_since=now, channel=channel
    )
    part = Part.objects.create(
        conversation=conversation, kind=PartKind.CUSTOMER_MESSAGE, body=body, email_message_id=email_message_id
    )
    attach_files(part, files)
    record(events.ConversationStarted(conversation_id=conversation.pk, contact_id=contact_id, part_id=part.pk))
    return conversation


@transaction.atomic
def record_customer_message(
    *, conversation_id: int, body: str, email_message_id: str = "", attachments: Sequence[IncomingFile] = ()
) -> Part:
    """The contact writes in their conversation (by email: with its Message-ID), with files or not: un-snoozes or
    reopens it. Emits CustomerMessageReceived."""
    body, files = clean_message(body, attachments)
    conversation = lock_conversation(conversation_id)
    part = Part.objects.create(
        conversation=conversation, kind=PartKind.CUSTOMER_MESSAGE, body=body, email_message_id=email_message_id
    )
    attach_files(part, files)
    if conversation.state == ConversationState.SNOOZED:
        wake(conversation, reason=WakeReason.CUSTOMER_MESSAGE, body="Un-snoozed: the customer replied.")
    elif conversation.state == ConversationState.CLOSED:
        set_state(conversation, ConversationState.OPEN)
        add_event_part(conversation, event_type="reopened", body="Reopened: the customer replied.")
        record(events.ConversationReopened(conversation_id=conversation.pk, actor_id=None))
    conversation.waiting_since = conversation.waiting_since or part.created_at
    conversation.save(update_fields=["waiting_since", "updated_at"])
    record(events.CustomerMessageReceived(conversation_id=conversation.pk, part_id=part.pk))
    return part


@transaction.atomic
def post_reply(
    *,
    actor: Teammate | None,
    conversation_id: int,
    body: str,
    source_key: str | None = None,
    attachments: Sequence[IncomingFile] = (),
) -> Part:
    """A teammate answers the customer (customer-visible), with files or not. Emits ReplyPosted.

    A delivery (a tracker's reply to all its customers) passes its `source_key`: posting it again returns the
    reply already posted."""
    body, files = clean_message(body, attachments)
    conversation = lock_conversation(conversation_id)
    if source_key and (posted := Part.objects.filter(source_key=source_key).first()):
        return posted
    part = Part.objects.create(
        conversation=conversation, kind=PartKind.REPLY, body=body, author=actor, source_key=source_key
    )
    attach_files(part, files)
    conversation.waiting_since = None
    conversation.save(update_fields=["waiting_since", "updated_at"])
    record(events.ReplyPosted(conversation_id=conversation.pk, part_id=part.pk, actor_id=actor.pk if actor else None))
    return part


@transaction.atomic
def post_note(
    *, actor: Teammate | None, conversation_id: int, body: str, attachments: Sequence[IncomingFile] = ()
) -> Part:
    """A teammate (or, with `actor=None`, a workflow) writes an internal note, with files or not. Emits
    ConversationNotePosted."""
    body, files = clean_message(body, attachments)
    conversation = lock_conversation(conversation_id)
    part = Part.objects.create(conversation=conversation, kind=PartKind.NOTE, body=body, author=actor)
    attach_files(part, files)
    conversation.save(update_fields=["updated_at"])
    record(
        events.ConversationNotePosted(
            conversation_id=conversation.pk, part_id=part.pk, actor_id=actor.pk if actor else None
        )
    )
    return part


@transaction.atomic
def deliver_ticket_update(
    *,
    conversation_id: int,
    source_key: str,
    kind: str,
    body: str,
    ticket_id: int,
    ticket_assignee_id: int | None,
    author_id: int | None,
    event_type: str = "",
    data: dict[str, Any] | None = None,
    files: Sequence[StoredFile] = (),
) -> Part | None:
    """Post a ticket's cross-posted note (with its note's stored `files`) or state event into a conversation, then
    apply the un-snooze rule.

    Idempotent by `source_key`: returns None when that delivery already happened. Locks the conversation.
    Rule 9: a snoozed conversation wakes unless it and the ticket have the same (non-empty) assignee; one snoozed
    until this very ticket moves wakes whoever is assigned.
    """
    conversation = lock_conversation(conversation_id)
    if Part.objects.filter(source_key=source_key).exists():
        return None
    part = Part.objects.create(
        conversation=conversation,
        kind=kind,
        event_type=event_type,
        body=body,
        author_id=author_id,
        data={**(data or {}), "ticket_id": ticket_id},
        source_key=source_key,
    )
    attach_stored(part, files)
    same_assignee = ticket_assignee_id is not None and ticket_assignee_id == conversation.assignee_id
    asked_for = conversation.wake_on_ticket_id == ticket_id  # snoozed until this ticket moves: whoever is assigned
    if conversation.state == ConversationState.SNOOZED and asked_for:
        wake(
            conversation,
            reason=WakeReason.TICKET_MOVED,
            body=f"Un-snoozed: ticket #{ticket_id} moved, as the snooze asked.",
            ticket_id=ticket_id,
        )
    elif conversation.state == ConversationState.SNOOZED and not same_assignee:
        wake(
            conversation,
            reason=WakeReason.TICKET_UPDATE,
            body=f"Un-snoozed: ticket #{ticket_id} was updated.",
            ticket_id=ticket_id,
        )
    else:
        conversation.save(update_fields=["updated_at"])
    record(events.TicketUpdateDelivered(conversation_id=conversation.pk, part_id=part.pk, ticket_id=ticket_id))
    return part
