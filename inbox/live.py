"""The inbox's live topics (helpdesk/live.py): a conversation (`conversation-12`) and the lists that show it
(`inbox-all`, `inbox-unassigned`, `inbox-team-3`, `inbox-assignee-7`, which name the nav's counts too)."""

from typing import Any

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from helpdesk.live import Touched, counter, topics_of
from inbox import events
from inbox.models import Conversation, ConversationCount, ConversationState, OwnerKind

INBOX_ALL, INBOX_UNASSIGNED = "inbox-all", "inbox-unassigned"


def conversation_topic(conversation_id: int) -> str:
    return f"conversation-{conversation_id}"


def inbox_view_topic(slug: str, *, teammate_id: int) -> str:
    """The topic of an inbox view (`mine`, `unassigned`, `all`, `team-<id>`): its list and its count."""
    if slug == "mine":
        return f"inbox-assignee-{teammate_id}"
    return f"inbox-{slug}"


def inbox_lists(*, team_id: int | None, assignee_id: int | None) -> set[str]:
    """The lists a conversation with this team and assignee is in."""
    lists = {INBOX_ALL, f"inbox-assignee-{assignee_id}" if assignee_id else INBOX_UNASSIGNED}
    return lists | ({f"inbox-team-{team_id}"} if team_id else set())


def conversation_touched(
    conversation_id: int, *, counted: bool, before: frozenset[str] | set[str] = frozenset()
) -> Touched:
    """A conversation changed: it, and the lists it is in (and, given `before`, was in), which reorder; their
    counts too when `counted` (its state or owners changed)."""
    owners = Conversation.objects.filter(pk=conversation_id).values("team_id", "assignee_id").first()
    lists = (inbox_lists(**owners) if owners else set()) | before
    return Touched(topics={conversation_topic(conversation_id)} | lists, counted=lists if counted else set())


@topics_of(
    events.ConversationStarted,
    events.ConversationSnoozed,
    events.ConversationWoken,
    events.ConversationClosed,
    events.ConversationReopened,
)
def state_changed(payload: dict[str, Any]) -> Touched:
    return conversation_touched(payload["conversation_id"], counted=True)


@topics_of(events.ConversationAssigned)
def assigned(payload: dict[str, Any]) -> Touched:
    before = inbox_lists(team_id=payload.get("from_team_id"), assignee_id=payload.get("from_assignee_id"))
    return conversation_touched(payload["conversation_id"], counted=True, before=before)


@topics_of(
    events.CustomerMessageReceived,
    events.ReplyPosted,
    events.ConversationNotePosted,
    events.TicketUpdateDelivered,
)
def part_added(payload: dict[str, Any]) -> Touched:
    return conversation_touched(payload["conversation_id"], counted=False)


@counter
def count_inbox_lists(topics: set[str]) -> dict[str, int]:
    """The open conversations of each inbox list among `topics`, from the counts the database keeps. One query."""
    wanted: dict[str, Q] = {}
    for topic in topics:
        if topic == INBOX_ALL:
            wanted[topic] = Q(owner_kind=OwnerKind.TEAM)
        elif topic == INBOX_UNASSIGNED:
            wanted[topic] = Q(owner_kind=OwnerKind.ASSIGNEE, owner_id=0)
        elif topic.startswith(("inbox-team-", "inbox-assignee-")):
            kind, owner_id = topic.removeprefix("inbox-").split("-")
            wanted[topic] = Q(owner_kind=kind, owner_id=int(owner_id))
    if not wanted:
        return {}
    sums = {f"n{i}": Coalesce(Sum("total", filter=q), 0) for i, q in enumerate(wanted.values())}
    row = ConversationCount.objects.filter(state=ConversationState.OPEN).aggregate(**sums)
    return {topic: row[f"n{i}"] for i, topic in enumerate(wanted)}
