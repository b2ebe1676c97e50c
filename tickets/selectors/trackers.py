"""Reads of tracker tickets for the teammates' pages: the picker of open trackers, what a tracker links, and the
delivery of its reply to every linked customer."""

import zlib
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import Coalesce

from helpdesk.errors import NotFound
from helpdesk.pagination import Cursor, Key, Page, paginate
from inbox.models import ConversationState
from tickets import rules
from tickets.models import StateCategory, Ticket, TicketCategory, TrackerLink, TrackerReply

PICKER_SIZE = 20
LINKS_PAGE_SIZE = 25
LINK_ORDER = [Key("pk", descending=True)]  # newest link first


@dataclass(frozen=True, slots=True)
class TrackerChoice:
    tracker: Ticket
    linked: bool  # already linked to the conversation the picker is for


def list_open_trackers(*, search: str, linked_ids: set[int]) -> tuple[list[TrackerChoice], bool]:
    """Unresolved trackers whose title contains `search`, or whose number it is ("#12" or "12"), most recently
    updated first, at most PICKER_SIZE; and whether there were more. One query."""
    trackers = Ticket.objects.filter(category=TicketCategory.TRACKER).exclude(state__category=StateCategory.RESOLVED)
    search = search.strip()
    if search:
        number = search.removeprefix("#")
        matches = Q(title__icontains=search)
        if number.isdecimal() and len(number) < 19:
            matches |= Q(pk=int(number))
        trackers = trackers.filter(matches)
    rows = list(
        trackers.select_related("ticket_type", "state", "team")
        .annotate(link_count=Count("tracker_links"))
        .order_by("-updated_at", "-pk")[: PICKER_SIZE + 1]
    )
    choices = [TrackerChoice(tracker, tracker.pk in linked_ids) for tracker in rows[:PICKER_SIZE]]
    return choices, len(rows) > PICKER_SIZE


@dataclass(frozen=True, slots=True)
class TrackerLinks:
    """A page of what a tracker links (each with its conversation, contact and assignee), and how many
    linked conversations are in each state (a customer ticket counts by its thread)."""

    tracker_id: int
    page: Page
    state_counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.state_counts.values())

    @property
    def counts(self) -> list[tuple[str, str, int]]:
        """(state, label, count) of every state, in the states' order."""
        return [(state, label, self.state_counts.get(state, 0)) for state, label in ConversationState.choices]

    @property
    def version(self) -> str:
        newest = self.page.rows[0].pk if self.page.rows else 0
        return f"{newest}-" + "-".join(str(count) for _state, _label, count in self.counts)


def tracker_links_conversation(*, tracker_id: int, conversation_id: int) -> bool:
    """Whether the tracker links this conversation, or the customer ticket whose thread it is."""
    return TrackerLink.objects.filter(
        Q(conversation_id=conversation_id) | Q(customer_ticket__thread_id=conversation_id), tracker_id=tracker_id
    ).exists()


def get_linking_ticket_id(*, conversation_id: int, scope: Q) -> int:
    """The oldest ticket in `scope` linked to the conversation: its customer ticket, a back-office ticket linked to it
    or to its customer ticket, a tracker linking either. Raises NotFound."""
    linking = (
        Q(thread_id=conversation_id)
        | Q(linked_conversation_id=conversation_id)
        | Q(linked_ticket__thread_id=conversation_id)
        | Q(tracker_links__conversation_id=conversation_id)
        | Q(tracker_links__customer_ticket__thread_id=conversation_id)
    )
    found = Ticket.objects.filter(scope).filter(linking).order_by("pk").values_list("pk", flat=True).first()
    if found is None:
        raise NotFound(f"Conversation #{conversation_id} is linked to none of your tickets.")
    return found


def get_tracker_links(*, tracker_id: int, cursor: Cursor | None) -> TrackerLinks:
    """The tracker's links, newest first, by keyset pages, and the linked conversations' counts by state. Three
    queries. Raises NotFound for anything but a tracker."""
    if not Ticket.objects.filter(pk=tracker_id, category=TicketCategory.TRACKER).exists():
        raise NotFound(f"Tracker #{tracker_id} does not exist.")
    links = TrackerLink.objects.filter(tracker_id=tracker_id)
    page = paginate(
        links.select_related(
            "conversation__contact",
            "conversation__assignee",
            "customer_ticket__thread__contact",
            "customer_ticket__thread__assignee",
        ),
        keys=LINK_ORDER,
        cursor=cursor,
        page_size=LINKS_PAGE_SIZE,
    )
    counts = (
        links.annotate(state=Coalesce("conversation__state", "customer_ticket__thread__state"))
        .values("state")
        .annotate(n=Count("pk"))
    )
    return TrackerLinks(tracker_id, page, {row["state"]: row["n"] for row in counts})


@dataclass(frozen=True, slots=True)
class TrackerReplyStatus:
    """A tracker's reply to every linked customer: the latest one sent (None: none yet) with its deliveries
    delivered and pending, and why one cannot be sent now (None: it can)."""

    tracker_id: int
    latest: TrackerReply | None
    delivered: int
    pending: int
    refusal: str | None

    @property
    def version(self) -> str:
        """Of the delivery status: the latest reply and how many of its copies were delivered."""
        return f"{self.latest.pk if self.latest else 0}-{self.delivered}"

    @property
    def form_version(self) -> str:
        """Of the form: whether a reply can be sent, and why not."""
        reason = zlib.crc32(self.refusal.encode()) if self.refusal else "open"
        return f"{self.latest.pk if self.latest else 0}-{reason}"


def get_tracker_reply_status(*, tracker_id: int) -> TrackerReplyStatus:
    """The tracker's reply status. At most five queries. Raises NotFound for anything but a tracker."""
    tracker = Ticket.objects.select_related("state").filter(pk=tracker_id, category=TicketCategory.TRACKER).first()
    if tracker is None:
        raise NotFound(f"Tracker #{tracker_id} does not exist.")
    latest = (
        TrackerReply.objects.filter(tracker=tracker)
        .select_related("author")
        .annotate(
            delivered=Count("deliveries", filter=Q(deliveries__part__isnull=False)),
            total=Count("deliveries"),
        )
        .order_by("-pk")
        .first()
    )
    return TrackerReplyStatus(
        tracker_id=tracker.pk,
        latest=latest,
        delivered=latest.delivered if latest else 0,
        pending=latest.total - latest.delivered if latest else 0,
        refusal=rules.tracker_reply_refusal(tracker=tracker),
    )
