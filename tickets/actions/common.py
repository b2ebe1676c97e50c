"""What the ticket actions share: locking, validation, creating the row."""

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from helpdesk.errors import InvalidInput, NotFound, RuleViolation
from helpdesk.outbox import record
from inbox.actions import actor_name
from inbox.models import WORKING, Team, Teammate
from tickets import events, rules
from tickets.attributes import Audience, clean_attribute_values
from tickets.models import (
    OWNED_CATEGORIES,
    AuditField,
    StateCategory,
    Ticket,
    TicketAudit,
    TicketCategory,
    TicketPart,
    TicketPartKind,
    TicketState,
    TicketType,
)

MAX_TITLE_LENGTH = 200


def lock_ticket(ticket_id: int) -> Ticket:
    """The ticket, locked FOR UPDATE until the transaction ends. Raises NotFound."""
    ticket = Ticket.objects.select_for_update(of=("self",)).select_related("state").filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound(f"Ticket #{ticket_id} does not exist.")
    return ticket


def get_live_type(ticket_type_id: int, *, category: str) -> TicketType:
    ticket_type = TicketType.objects.prefetch_related("attributes").filter(pk=ticket_type_id).first()
    if ticket_type is None or ticket_type.category != category:
        raise InvalidInput(
            f"Choose a {TicketCategory(category).label.lower()} ticket type.",
            {"ticket_type": ["Choose a ticket type from the list."]},
        )
    if ticket_type.archived:
        raise InvalidInput(f"The ticket type “{ticket_type.name}” is archived.", {"ticket_type": [rules.ARCHIVED_TYPE]})
    return ticket_type


def first_state(ticket_type: TicketType, category: str) -> TicketState:
    state = ticket_type.states.filter(category=category, archived=False).order_by("position", "pk").first()
    if state is None:
        raise RuleViolation(
            f"The ticket type “{ticket_type.name}” has no {StateCategory(category).label} state; an admin must add one."
        )
    return state


def clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise InvalidInput("A ticket needs a title.", {"title": ["This field is required."]})
    if len(title) > MAX_TITLE_LENGTH:
        raise InvalidInput("The title is too long.", {"title": [f"Keep it to {MAX_TITLE_LENGTH} characters."]})
    return title


def insert_ticket(*, ticket_type: TicketType, actor: Teammate | None, audience: Audience, **fields: Any) -> Ticket:
    """Insert a ticket after validating its title and attributes; a constraint violation becomes a RuleViolation."""
    fields["title"] = clean_title(fields["title"])
    fields["attributes"] = clean_attribute_values(
        ticket_type.attributes.all(), fields.get("attributes") or {}, audience=audience
    )
    fields["description"] = (fields.get("description") or "").strip()
    fields["team_id"] = fields.get("team_id") or ticket_type.default_team_id
    check_assignment(fields.get("assignee_id"), fields["team_id"], category=ticket_type.category)
    try:
        with transaction.atomic():
            ticket = Ticket.objects.create(
                ticket_type=ticket_type,
                category=ticket_type.category,
                sharing_policy=ticket_type.sharing_policy,
                state=first_state(ticket_type, StateCategory.SUBMITTED),
                created_by=actor,
                **fields,
            )
    except IntegrityError as error:
        if "ticket_one_shared_per_conversation" in str(error):
            raise RuleViolation(rules.one_shared_per_conversation()) from error
        raise
    creation = [Change(AuditField.STATE, "", ticket.state.internal_label)]
    audit(ticket, actor, *creation, *([Change(AuditField.SHARED, "no", "yes")] if ticket.is_shared else []))
    TicketPart.objects.create(
        ticket=ticket,
        kind=TicketPartKind.EVENT,
        event_type="created",
        body=f"{actor_name(actor)} created this ticket"
        + (" and shared it with the customer." if ticket.is_shared else "."),
        author=actor,
        data={"to_state_id": ticket.state_id},
    )
    record(
        events.TicketCreated(
            ticket_id=ticket.pk, category=ticket.category, actor_id=actor_id(actor), is_shared=ticket.is_shared
        )
    )
    return ticket


def check_assignment(assignee_id: int | None, team_id: int | None, *, category: str | None = None) -> None:
    """Refuse a teammate or team that does not exist, and a back-office or tracker ticket without a team."""
    if assignee_id is not None and not Teammate.objects.filter(WORKING, pk=assignee_id).exists():
        raise InvalidInput("That teammate does not exist.", {"assignee": ["Choose an active teammate."]})
    if team_id is None and category in OWNED_CATEGORIES:
        raise InvalidInput(
            f"A {TicketCategory(category).label.lower()} ticket always belongs to a team, so that it shows in "
            "that team's tickets.",
            {"team": ["Choose a team."]},
        )
    if team_id is not None and not Team.objects.filter(pk=team_id).exists():
        raise InvalidInput("That team does not exist.", {"team": ["Choose an existing team."]})


def actor_id(actor: Teammate | None) -> int | None:
    return actor.pk if actor else None


@dataclass(frozen=True, slots=True)
class Change:
    """One change for the ticket's audit, as people read the values."""

    field: AuditField
    from_value: str
    to_value: str
    attribute: str = ""


def audit(ticket: Ticket, actor: Teammate | None, *changes: Change) -> None:
    """Append the changes to the ticket's audit, in the caller's transaction (append-only: tickets 0011)."""
    TicketAudit.objects.bulk_create(
        TicketAudit(
            ticket=ticket,
            actor_id=actor_id(actor),
            actor_name=actor_name(actor),
            field=change.field,
            attribute=change.attribute,
            from_value=change.from_value,
            to_value=change.to_value,
        )
        for change in changes
    )
