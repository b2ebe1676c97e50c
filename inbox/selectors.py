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


def list_recent_conversations(*, limit: int) -> list[Conversation]:
    """The `limit` most recently updated conversations, newest first, with contact and assignee loaded.

    One query whatever `limit` is; the placeholder inbox page shows these until the real views land.
    """
    return list(Conversation.objects.select_related("contact", "assignee").order_by("-updated_at", "-pk")[:limit])
