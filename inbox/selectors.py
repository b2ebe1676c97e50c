"""Reads of the inbox for views and tasks."""

from datetime import datetime

from inbox.models import Conversation, ConversationState


def list_expired_snooze_ids(*, now: datetime, limit: int) -> list[int]:
    """Snoozed conversations whose deadline has passed, earliest first."""
    return list(
        Conversation.objects.filter(state=ConversationState.SNOOZED, snoozed_until__lte=now)
        .order_by("snoozed_until")
        .values_list("pk", flat=True)[:limit]
    )
