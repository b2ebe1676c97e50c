"""Every change to conversations goes through these functions.

Each locks the conversation row, checks the rules, writes, adds the timeline part and records its
event in the outbox, all in one transaction. `actor=None` means the system (a task, the sweep).
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from helpdesk.errors import InvalidInput, NotFound, RuleViolation
from helpdesk.moments import moment_label
from helpdesk.outbox import Event, record
from inbox import events
from inbox.attachments import CheckedFile, IncomingFile, StoredFile, check_files, store_files
from inbox.models import (
    WORKING,
    Attachment,
    Channel,
    Contact,
    Conversation,
    ConversationState,
    Part,
    PartKind,
    Team,
    Teammate,
)

MAX_BODY_LENGTH = 20_000


class WakeReason(StrEnum):
    SNOOZE_EXPIRED = "snooze_expired"
    CUSTOMER_MESSAGE = "customer_message"
    TICKET_UPDATE = "ticket_update"
    TICKET_MOVED = "ticket_moved"  # the ticket it was snoozed until moved
    TEAMMATE = "teammate"


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
        _wake(conversation, reason=WakeReason.CUSTOMER_MESSAGE, body="Un-snoozed: the customer replied.")
    elif conversation.state == ConversationState.CLOSED:
        _set_state(conversation, ConversationState.OPEN)
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
def assign_conversation(
    *, actor: Teammate | None, conversation_id: int, assignee_id: int | None, team_id: int | None
) -> list[Event]:
    """Set the conversation's assignee and team (None clears). A no-op when nothing changes."""
    conversation = lock_conversation(conversation_id)
    before = (conversation.assignee_id, conversation.team_id)
    if before == (assignee_id, team_id):
        return []
    assignee = _get_or_invalid(Teammate.objects.filter(WORKING), assignee_id, "assignee", "teammate")
    if assignee is not None and assignee.back_office_only:
        message = f"{assignee} works the back office only and is never given a conversation; assign a ticket instead."
        raise InvalidInput(message, {"assignee": [message]})
    team = _get_or_invalid(Team.objects.all(), team_id, "team", "team")
    conversation.assignee, conversation.team = assignee, team
    conversation.save(update_fields=["assignee", "team", "updated_at"])
    add_event_part(
        conversation,
        event_type="assigned",
        body=f"{actor_name(actor)} assigned this conversation to {_assignment(assignee, team)}.",
        actor=actor,
        assignee_id=assignee_id,
        team_id=team_id,
    )
    return record(
        events.ConversationAssigned(
            conversation_id=conversation.pk,
            assignee_id=assignee_id,
            team_id=team_id,
            actor_id=actor.pk if actor else None,
            from_assignee_id=before[0],
            from_team_id=before[1],
        )
    )


def _assignment(assignee: Teammate | None, team: Team | None) -> str:
    if assignee and team:
        return f"{assignee} ({team})"
    if team:
        return f"the {team} team"
    return str(assignee or "nobody")


def _get_or_invalid[M: Model](queryset: QuerySet[M], pk: int | None, field: str, noun: str) -> M | None:
    if pk is None:
        return None
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise InvalidInput(f"That {noun} does not exist.", {field: [f"Choose an existing {noun}."]})
    return obj


@transaction.atomic
def snooze_conversation(
    *, actor: Teammate | None, conversation_id: int, until: datetime, wake_on_ticket_id: int | None = None
) -> list[Event]:
    """Snooze until a time in the future, or with `wake_on_ticket_id` until that ticket moves (deliver_ticket_update)
    and `until` at the latest; the same snooze again is a no-op. The caller checks the ticket is linked
    (tickets.actions.snooze_until_ticket_moves). Emits ConversationSnoozed."""
    conversation = lock_conversation(conversation_id)
    if conversation.state == ConversationState.SNOOZED and (
        conversation.snoozed_until,
        conversation.wake_on_ticket_id,
    ) == (
        until,
        wake_on_ticket_id,
    ):
        return []
    if until <= timezone.now():
        raise InvalidInput("Snooze time must be in the future.", {"until": ["Choose a time in the future."]})
    if conversation.state == ConversationState.CLOSED:
        raise RuleViolation("A closed conversation cannot be snoozed; reopen it first.")
    _set_state(conversation, ConversationState.SNOOZED, snoozed_until=until, wake_on_ticket_id=wake_on_ticket_id)
    how_long = f"until {moment_label(until)}"
    if wake_on_ticket_id is not None:
        how_long = f"until ticket #{wake_on_ticket_id} moves ({how_long} at the latest)"
    add_event_part(
        conversation,
        event_type="snoozed",
        body=f"{actor_name(actor)} snoozed this conversation {how_long}.",
        actor=actor,
        until=until.isoformat(),
        **({"wake_on_ticket_id": wake_on_ticket_id} if wake_on_ticket_id is not None else {}),
    )
    return record(
        events.ConversationSnoozed(
            conversation_id=conversation.pk, until=until.isoformat(), actor_id=actor.pk if actor else None
        )
    )


@transaction.atomic
def wake_conversation(*, conversation_id: int, reason: WakeReason, actor: Teammate | None = None) -> bool:
    """Un-snooze. For `snooze_expired`, only once the deadline has passed. Returns False if nothing changed."""
    conversation = lock_conversation(conversation_id)
    if conversation.state != ConversationState.SNOOZED:
        return False
    deadline = conversation.snoozed_until
    if reason == WakeReason.SNOOZE_EXPIRED and deadline is not None and deadline > timezone.now():
        return False  # re-snoozed to a later time after the sweep selected it
    body = {
        WakeReason.SNOOZE_EXPIRED: "Un-snoozed: the snooze time has passed.",
        WakeReason.TEAMMATE: f"{actor_name(actor)} un-snoozed this conversation.",
    }.get(reason, "Un-snoozed.")
    _wake(conversation, reason=reason, body=body, actor=actor)
    return True


def _wake(conversation: Conversation, *, reason: str, body: str, actor: Teammate | None = None, **data: Any) -> None:
    _set_state(conversation, ConversationState.OPEN)
    add_event_part(conversation, event_type="unsnoozed", body=body, actor=actor, reason=reason, **data)
    record(events.ConversationWoken(conversation_id=conversation.pk, reason=reason))


@transaction.atomic
def close_conversation(*, actor: Teammate | None, conversation_id: int) -> list[Event]:
    """Close (from open or snoozed); closing a closed conversation is a no-op. Emits ConversationClosed."""
    conversation = lock_conversation(conversation_id)
    if conversation.state == ConversationState.CLOSED:
        return []
    _set_state(conversation, ConversationState.CLOSED)
    body = f"{actor_name(actor)} closed this conversation."
    add_event_part(conversation, event_type="closed", body=body, actor=actor)
    return record(events.ConversationClosed(conversation_id=conversation.pk, actor_id=actor.pk if actor else None))


@transaction.atomic
def reopen_conversation(*, actor: Teammate | None, conversation_id: int) -> list[Event]:
    """Reopen a closed or snoozed conversation; an open one is a no-op. Emits ConversationReopened."""
    conversation = lock_conversation(conversation_id)
    if conversation.state == ConversationState.OPEN:
        return []
    _set_state(conversation, ConversationState.OPEN)
    body = f"{actor_name(actor)} reopened this conversation."
    add_event_part(conversation, event_type="reopened", body=body, actor=actor)
    return record(events.ConversationReopened(conversation_id=conversation.pk, actor_id=actor.pk if actor else None))


def _set_state(
    conversation: Conversation,
    state: str,
    *,
    snoozed_until: datetime | None = None,
    wake_on_ticket_id: int | None = None,
) -> None:
    conversation.state, conversation.snoozed_until = state, snoozed_until
    conversation.wake_on_ticket_id = wake_on_ticket_id
    conversation.save(update_fields=["state", "snoozed_until", "wake_on_ticket_id", "updated_at"])


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
        _wake(
            conversation,
            reason=WakeReason.TICKET_MOVED,
            body=f"Un-snoozed: ticket #{ticket_id} moved, as the snooze asked.",
            ticket_id=ticket_id,
        )
    elif conversation.state == ConversationState.SNOOZED and not same_assignee:
        _wake(
            conversation,
            reason=WakeReason.TICKET_UPDATE,
            body=f"Un-snoozed: ticket #{ticket_id} was updated.",
            ticket_id=ticket_id,
        )
    else:
        conversation.save(update_fields=["updated_at"])
    record(events.TicketUpdateDelivered(conversation_id=conversation.pk, part_id=part.pk, ticket_id=ticket_id))
    return part


@transaction.atomic
def sign_out_contact_everywhere(*, actor: Teammate, contact_id: int) -> Contact:
    """End every messenger link and session of the contact: its session version moves on, and the messenger refuses
    a link or a session made with an earlier one. Locks the contact row. Raises NotFound."""
    contact = Contact.objects.select_for_update().filter(pk=contact_id).first()
    if contact is None:
        raise NotFound("That contact does not exist.")
    contact.session_version += 1
    contact.save(update_fields=["session_version"])
    return contact


# How often a contact's last_seen_at is written at most: a messenger page polls every few seconds, and a write at
# each poll would be a row update per open tab every few seconds for a value only read to the minute.
SEEN_WRITE_EVERY = timedelta(minutes=1)


def mark_contact_seen(*, contact_id: int, now: datetime | None = None) -> bool:
    """The contact has a messenger page open now. One conditional UPDATE, and only when last_seen_at is older than
    SEEN_WRITE_EVERY (so concurrent requests write it once). No lock held past the statement; no event. Returns
    whether it was written."""
    now = now or timezone.now()
    stale = Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=now - SEEN_WRITE_EVERY)
    return bool(Contact.objects.filter(stale, pk=contact_id).update(last_seen_at=now))
