"""The tickets' models, one module per concern, all exported here (where Django and the code look for them)."""

from tickets.models.targets import ResponseTarget, TargetKind, TeamHours, validate_time_zone
from tickets.models.tickets import (
    AuditField,
    Ticket,
    TicketAttachment,
    TicketAudit,
    TicketCount,
    TicketFollower,
    TicketFormRequest,
    TicketPart,
    TicketPartKind,
)
from tickets.models.trackers import TrackerLink, TrackerReply, TrackerReplyDelivery
from tickets.models.types import (
    OWNED_CATEGORIES,
    POLICIES_BY_CATEGORY,
    AttributeKind,
    SharingPolicy,
    StateCategory,
    TicketAttribute,
    TicketCategory,
    TicketState,
    TicketType,
)

__all__ = [
    "AttributeKind",
    "AuditField",
    "OWNED_CATEGORIES",
    "POLICIES_BY_CATEGORY",
    "ResponseTarget",
    "SharingPolicy",
    "StateCategory",
    "TargetKind",
    "TeamHours",
    "Ticket",
    "TicketAttachment",
    "TicketAttribute",
    "TicketAudit",
    "TicketCategory",
    "TicketCount",
    "TicketFollower",
    "TicketFormRequest",
    "TicketPart",
    "TicketPartKind",
    "TicketState",
    "TicketType",
    "TrackerLink",
    "TrackerReply",
    "TrackerReplyDelivery",
    "validate_time_zone",
]
