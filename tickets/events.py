"""Events of the tickets app, recorded in the outbox by its actions."""

from dataclasses import dataclass

from helpdesk.outbox import Event


@dataclass(frozen=True, kw_only=True)
class TicketCreated(Event):
    ticket_id: int
    category: str
    actor_id: int | None
    is_shared: bool


@dataclass(frozen=True, kw_only=True)
class TicketShared(Event):
    ticket_id: int
    conversation_id: int
    actor_id: int | None


@dataclass(frozen=True, kw_only=True)
class TicketNotePosted(Event):
    ticket_id: int
    part_id: int
    actor_id: int


@dataclass(frozen=True, kw_only=True)
class TicketNoteCrossPosted(TicketNotePosted):
    """A note to be copied into the linked conversation(s) or customer ticket(s) (rule 7)."""


@dataclass(frozen=True, kw_only=True)
class TicketStateChanged(Event):
    """Cross-posted as an event into what the ticket is linked to (rule 8)."""

    ticket_id: int
    from_state_id: int
    to_state_id: int
    from_label: str
    to_label: str
    actor_id: int | None


@dataclass(frozen=True, kw_only=True)
class TicketAssigned(Event):
    ticket_id: int
    assignee_id: int | None
    team_id: int | None
    actor_id: int | None
    # Who had it before: the lists it leaves change too.
    from_assignee_id: int | None = None
    from_team_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class TicketLinkedToTracker(Event):
    tracker_id: int
    conversation_id: int | None
    customer_ticket_id: int | None
    actor_id: int | None


@dataclass(frozen=True, kw_only=True)
class TicketUnlinkedFromTracker(Event):
    tracker_id: int
    conversation_id: int | None
    customer_ticket_id: int | None
    actor_id: int | None


@dataclass(frozen=True, kw_only=True)
class TrackerReplySent(Event):
    """A resolved tracker's one reply to every linked customer; each copy is a TrackerReplyQueued."""

    tracker_id: int
    reply_id: int
    deliveries: int
    actor_id: int


@dataclass(frozen=True, kw_only=True)
class TrackerReplyQueued(Event):
    """One copy of a tracker's reply, posted into one conversation after commit."""

    delivery_id: int
    conversation_id: int


@dataclass(frozen=True, kw_only=True)
class TrackerReplyDelivered(Event):
    """One copy of a tracker's reply was posted: the tracker's count of deliveries moved."""

    tracker_id: int
    delivery_id: int
    conversation_id: int


@dataclass(frozen=True, kw_only=True)
class TicketAttributesChanged(Event):
    """A teammate edited the title, description or custom attributes; `changed` names what moved."""

    ticket_id: int
    changed: list[str]
    actor_id: int | None


@dataclass(frozen=True, kw_only=True)
class TicketFormSent(Event):
    form_id: int
    conversation_id: int
    actor_id: int | None


@dataclass(frozen=True, kw_only=True)
class TicketFormSubmitted(Event):
    form_id: int
    ticket_id: int
    conversation_id: int


@dataclass(frozen=True, kw_only=True)
class ResponseTargetDueSoon(Event):
    """A ticket's response target will be missed within RESPONSE_TARGET_WARNING unless someone acts."""

    ticket_id: int
    target: str  # TargetKind
    due_at: str


@dataclass(frozen=True, kw_only=True)
class ResponseTargetMissed(Event):
    ticket_id: int
    target: str  # TargetKind
    due_at: str
