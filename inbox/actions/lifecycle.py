"""Who owns a conversation and its state: assign, snooze and wake, close and reopen."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from helpdesk.errors import InvalidInput, RuleViolation
from helpdesk.moments import moment_label
from helpdesk.outbox import Event, record
from inbox import events
from inbox.actions.common import actor_name, add_event_part, lock_conversation
from inbox.models import (
    WORKING,
    Conversation,
    ConversationState,
    Team,
    Teammate,
)


class WakeReason(StrEnum):
    SNOOZE_EXPIRED = "snooze_expired"
    CUSTOMER_MESSAGE = "customer_message"
    TICKET_UPDATE = "ticket_update"
    TICKET_MOVED = "ticket_moved"  # the ticket it was snoozed until moved
    TEAMMATE = "teammate"


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
    set_state(conversation, ConversationState.SNOOZED, snoozed_until=until, wake_on_ticket_id=wake_on_ticket_id)
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
    wake(conversation, reason=reason, body=body, actor=actor)
    return True


def wake(conversation: Conversation, *, reason: str, body: str, actor: Teammate | None = None, **data: Any) -> None:
    set_state(conversation, ConversationState.OPEN)
    add_event_part(conversation, event_type="unsnoozed", body=body, actor=actor, reason=reason, **data)
    record(events.ConversationWoken(conversation_id=conversation.pk, reason=reason))


@transaction.atomic
def close_conversation(*, actor: Teammate | None, conversation_id: int) -> list[Event]:
    """Close (from open or snoozed); closing a closed conversation is a no-op. Emits ConversationClosed."""
    conversation = lock_conversation(conversation_id)
    if conversation.state == ConversationState.CLOSED:
        return []
    set_state(conversation, ConversationState.CLOSED)
    body = f"{actor_name(actor)} closed this conversation."
    add_event_part(conversation, event_type="closed", body=body, actor=actor)
    return record(events.ConversationClosed(conversation_id=conversation.pk, actor_id=actor.pk if actor else None))


@transaction.atomic
def reopen_conversation(*, actor: Teammate | None, conversation_id: int) -> list[Event]:
    """Reopen a closed or snoozed conversation; an open one is a no-op. Emits ConversationReopened."""
    conversation = lock_conversation(conversation_id)
    if conversation.state == ConversationState.OPEN:
        return []
    set_state(conversation, ConversationState.OPEN)
    body = f"{actor_name(actor)} reopened this conversation."
    add_event_part(conversation, event_type="reopened", body=body, actor=actor)
    return record(events.ConversationReopened(conversation_id=conversation.pk, actor_id=actor.pk if actor else None))


def set_state(
    conversation: Conversation,
    state: str,
    *,
    snoozed_until: datetime | None = None,
    wake_on_ticket_id: int | None = None,
) -> None:
    conversation.state, conversation.snoozed_until = state, snoozed_until
    conversation.wake_on_ticket_id = wake_on_ticket_id
    conversation.save(update_fields=["state", "snoozed_until", "wake_on_ticket_id", "updated_at"])
