"""The tickets' live topics (helpdesk/live.py): a ticket (`ticket-9`), the conversation it is linked to or whose
timeline gets its events, and the ticket lists that show it (`tickets-all`, `tickets-unassigned`,
`tickets-trackers`, `tickets-team-3`, `tickets-assignee-7`, which name the nav's counts too)."""

from typing import Any

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from helpdesk.live import Touched, counter, topics_of
from inbox.live import conversation_topic
from inbox.models import OwnerKind
from tickets import events
from tickets.models import StateCategory, Ticket, TicketCategory, TicketCount, TicketState

TICKETS_ALL, TICKETS_UNASSIGNED, TRACKERS = "tickets-all", "tickets-unassigned", "tickets-trackers"


def ticket_topic(ticket_id: int) -> str:
    return f"ticket-{ticket_id}"


def ticket_view_topic(slug: str, *, teammate_id: int) -> str:
    """The topic of a ticket view (`mine`, `all`, `unassigned`, `trackers`, `team-<id>`): its list and its count."""
    if slug == "mine":
        return f"tickets-assignee-{teammate_id}"
    return f"tickets-{slug}"


def ticket_lists(*, team_id: int | None, assignee_id: int | None, category: str = "") -> set[str]:
    """The ticket lists a ticket with this team, assignee and category is in."""
    lists = {TICKETS_ALL, f"tickets-assignee-{assignee_id}" if assignee_id else TICKETS_UNASSIGNED}
    if team_id:
        lists.add(f"tickets-team-{team_id}")
    return lists | ({TRACKERS} if category == TicketCategory.TRACKER else set())


def ticket_touched(ticket_id: int, *, counted: bool, before: frozenset[str] | set[str] = frozenset()) -> Touched:
    """A ticket changed: it, the conversation whose timeline shows its events, and the lists it is in (and, given
    `before`, was in); their counts too when `counted` (its state or owners changed)."""
    row = (
        Ticket.objects.filter(pk=ticket_id)
        .values("team_id", "assignee_id", "category", "linked_conversation_id", "linked_ticket__thread_id", "thread_id")
        .first()
    )
    if row is None:
        return Touched(topics={ticket_topic(ticket_id)})
    lists = ticket_lists(team_id=row["team_id"], assignee_id=row["assignee_id"], category=row["category"]) | before
    conversation_id = row["linked_conversation_id"] or row["linked_ticket__thread_id"] or row["thread_id"]
    topics = {ticket_topic(ticket_id)} | lists | ({conversation_topic(conversation_id)} if conversation_id else set())
    return Touched(topics=topics, counted=lists if counted else set())


@topics_of(events.TicketCreated, events.TicketStateChanged)
def state_changed(payload: dict[str, Any]) -> Touched:
    return ticket_touched(payload["ticket_id"], counted=True)


@topics_of(events.TicketAssigned)
def assigned(payload: dict[str, Any]) -> Touched:
    before = ticket_lists(team_id=payload.get("from_team_id"), assignee_id=payload.get("from_assignee_id"))
    return ticket_touched(payload["ticket_id"], counted=True, before=before)


@topics_of(
    events.TicketNotePosted,
    events.TicketNoteCrossPosted,
    events.TicketAttributesChanged,
    events.TicketShared,
    events.ResponseTargetMissed,
)
def changed(payload: dict[str, Any]) -> Touched:
    return ticket_touched(payload["ticket_id"], counted=False)


@topics_of(events.TicketLinkedToTracker, events.TicketUnlinkedFromTracker)
def tracker_link_changed(payload: dict[str, Any]) -> Touched:
    """The tracker, and the conversation linked or unlinked (a customer ticket's: its thread)."""
    touched = ticket_touched(payload["tracker_id"], counted=False)
    conversation_id = payload["conversation_id"] or (
        Ticket.objects.filter(pk=payload["customer_ticket_id"]).values_list("thread_id", flat=True).first()
    )
    linked = {conversation_topic(conversation_id)} if conversation_id else set()
    return Touched(topics=touched.topics | linked)


@topics_of(events.TrackerReplySent, events.TrackerReplyDelivered)
def tracker_replied(payload: dict[str, Any]) -> Touched:
    return ticket_touched(payload["tracker_id"], counted=False)


@topics_of(events.TicketFormSent, events.TicketFormSubmitted)
def form_changed(payload: dict[str, Any]) -> Touched:
    return Touched(topics={conversation_topic(payload["conversation_id"])})


@counter
def count_ticket_lists(topics: set[str]) -> dict[str, int]:
    """The unresolved tickets of each ticket list among `topics`, from the counts the database keeps. One query."""
    by_team, by_assignee = Q(owner_kind=OwnerKind.TEAM), Q(owner_kind=OwnerKind.ASSIGNEE)
    wanted: dict[str, Q] = {}
    for topic in topics:
        if topic == TICKETS_ALL:
            wanted[topic] = by_team
        elif topic == TICKETS_UNASSIGNED:
            wanted[topic] = by_assignee & Q(owner_id=0)
        elif topic == TRACKERS:
            wanted[topic] = by_team & Q(category=TicketCategory.TRACKER)
        elif topic.startswith(("tickets-team-", "tickets-assignee-")):
            kind, owner_id = topic.removeprefix("tickets-").split("-")
            wanted[topic] = Q(owner_kind=kind, owner_id=int(owner_id))
    if not wanted:
        return {}
    unresolved = TicketCount.objects.filter(
        state_id__in=TicketState.objects.exclude(category=StateCategory.RESOLVED).values("pk")
    )
    sums = {f"n{i}": Coalesce(Sum("total", filter=q), 0) for i, q in enumerate(wanted.values())}
    row = unresolved.aggregate(**sums)
    return {topic: row[f"n{i}"] for i, topic in enumerate(wanted)}
