"""Events of the inbox app, recorded in the outbox by its actions."""

from dataclasses import dataclass

from helpdesk.outbox import Event


@dataclass(frozen=True, kw_only=True)
class ConversationStarted(Event):
    """A contact wrote a first message (it is not also a CustomerMessageReceived)."""

    conversation_id: int
    contact_id: int
    part_id: int


@dataclass(frozen=True, kw_only=True)
class CustomerMessageReceived(Event):
    """A contact wrote in an existing conversation."""

    conversation_id: int
    part_id: int


@dataclass(frozen=True, kw_only=True)
class ReplyPosted(Event):
    conversation_id: int
    part_id: int
    actor_id: int | None


@dataclass(frozen=True, kw_only=True)
class ConversationNotePosted(Event):
    conversation_id: int
    part_id: int
    actor_id: int | None


@dataclass(frozen=True, kw_only=True)
class ConversationAssigned(Event):
    conversation_id: int
    assignee_id: int | None
    team_id: int | None
    actor_id: int | None
    # Who had it before: the lists it leaves change too.
    from_assignee_id: int | None = None
    from_team_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class ConversationSnoozed(Event):
    conversation_id: int
    until: str
    actor_id: int | None


@dataclass(frozen=True, kw_only=True)
class ConversationWoken(Event):
    conversation_id: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class ConversationClosed(Event):
    conversation_id: int
    actor_id: int | None


@dataclass(frozen=True, kw_only=True)
class ConversationReopened(Event):
    conversation_id: int
    actor_id: int | None


@dataclass(frozen=True, kw_only=True)
class TicketUpdateDelivered(Event):
    """A ticket's cross-posted note or state event reached the conversation."""

    conversation_id: int
    part_id: int
    ticket_id: int


@dataclass(frozen=True, kw_only=True)
class InboundEmailReceived(Event):
    """A message was stored raw (inbox.mail): it is read and delivered after the commit."""

    inbound_email_id: int


@dataclass(frozen=True, kw_only=True)
class EmailQueued(Event):
    """An email to a customer was written: it is sent after the commit (and again when a retry is due)."""

    outbound_email_id: int
