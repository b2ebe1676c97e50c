"""Working a ticket: notes (and cross-posts), replies, state, assignment, attributes (rules 1, 7, 8)."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from helpdesk.errors import InvalidInput, NotFound, RuleViolation
from helpdesk.outbox import Event, record, record_rows
from inbox import actions as inbox_actions
from inbox.attachments import CheckedFile, IncomingFile, store_files
from inbox.models import Part, Teammate
from tickets import events, rules, targets
from tickets.actions.common import (
    Change,
    actor_id,
    actor_name,
    audit,
    check_assignment,
    clean_title,
    lock_ticket,
)
from tickets.attributes import clean_attribute_values, show_value
from tickets.delivery import keep_delivery
from tickets.models import (
    AuditField,
    StateCategory,
    Ticket,
    TicketAttachment,
    TicketAttribute,
    TicketCategory,
    TicketFollower,
    TicketPart,
    TicketPartKind,
    TicketState,
)


@transaction.atomic
def post_ticket_note(
    *,
    actor: Teammate,
    ticket_id: int,
    body: str,
    cross_post: bool = False,
    attachments: Sequence[IncomingFile] = (),
) -> TicketPart:
    """Post an internal note on a ticket, with files or not; with `cross_post`, also into what it is linked to
    (rule 7), files included, for teammates only.

    Emits TicketNotePosted, or TicketNoteCrossPosted whose handler delivers the copy after commit.
    """
    body, files = inbox_actions.clean_message(body, attachments)
    ticket = lock_ticket(ticket_id)
    if cross_post and ticket.category == TicketCategory.CUSTOMER:
        raise RuleViolation(
            "A customer ticket is not linked to another conversation; post the note without cross-posting."
        )
    part = TicketPart.objects.create(
        ticket=ticket, kind=TicketPartKind.NOTE, body=body, author=actor, cross_posted=cross_post
    )
    attach_files(part, files)
    ticket.save(update_fields=["updated_at"])
    targets.acted(ticket, actor)
    event_class = events.TicketNoteCrossPosted if cross_post else events.TicketNotePosted
    keep_delivery(part, record_rows(event_class(ticket_id=ticket.pk, part_id=part.pk, actor_id=actor.pk)))
    return part


def attach_files(part: TicketPart, files: Sequence[CheckedFile]) -> list[TicketAttachment]:
    """Store checked files as the attachments of a ticket part the caller just wrote, in its transaction."""
    stored = store_files(files) if files else []
    return TicketAttachment.objects.bulk_create([TicketAttachment(part=part, **file.fields()) for file in stored])


def post_ticket_reply(*, actor: Teammate, ticket_id: int, body: str, attachments: Sequence[IncomingFile] = ()) -> Part:
    """Reply to the customer on a customer ticket (in its thread), with files or not. Rule 1: refused on other
    tickets."""
    ticket = Ticket.objects.filter(pk=ticket_id).only("category", "thread_id", "linked_conversation_id").first()
    if ticket is None:
        raise NotFound(f"Ticket #{ticket_id} does not exist.")
    if ticket.category != TicketCategory.CUSTOMER or ticket.thread_id is None:
        where = (
            f"in the linked conversation #{ticket.linked_conversation_id}"
            if ticket.linked_conversation_id
            else "in the linked conversation or customer ticket"
        )
        raise RuleViolation(f"Back-office and tracker tickets take internal notes only; reply to the customer {where}.")
    return inbox_actions.post_reply(actor=actor, conversation_id=ticket.thread_id, body=body, attachments=attachments)


@transaction.atomic
def change_ticket_state(*, actor: Teammate | None, ticket_id: int, state_id: int) -> list[Event]:
    """Move a ticket to one of its type's states; the same state is a no-op.

    Emits TicketStateChanged, whose handler cross-posts the change (rule 8) after commit.
    """
    ticket = lock_ticket(ticket_id)
    if ticket.state_id == state_id:
        return []
    state = TicketState.objects.filter(pk=state_id, archived=False, ticket_types=ticket.ticket_type_id).first()
    if state is None:
        raise InvalidInput(
            "That state is not offered by this ticket type.", {"state": ["Choose a state from the list."]}
        )
    if state.category == StateCategory.RESOLVED and (missing := rules.missing_to_resolve(ticket)):
        raise InvalidInput(rules.fill_to_resolve(missing), {"state": [rules.fill_to_resolve(missing)]})
    previous = ticket.state
    ticket.state = state
    ticket.save(update_fields=["state", "updated_at"])
    targets.state_changed(ticket, previous=previous, actor=actor)
    audit(ticket, actor, Change(AuditField.STATE, previous.internal_label, state.internal_label))
    part = TicketPart.objects.create(
        ticket=ticket,
        kind=TicketPartKind.EVENT,
        event_type="state_changed",
        body=f"{actor_name(actor)} moved this ticket from {previous.internal_label} to {state.internal_label}.",
        author=actor,
        data={"from_state_id": previous.pk, "to_state_id": state.pk},
    )
    changed = events.TicketStateChanged(
        ticket_id=ticket.pk,
        from_state_id=previous.pk,
        to_state_id=state.pk,
        from_label=previous.internal_label,
        to_label=state.internal_label,
        actor_id=actor_id(actor),
    )
    rows = record_rows(changed)
    if ticket.category != TicketCategory.CUSTOMER:  # a customer ticket has nothing to post it into
        keep_delivery(part, rows)
    return [changed]


@transaction.atomic
def assign_ticket(
    *, actor: Teammate | None, ticket_id: int, assignee_id: int | None, team_id: int | None
) -> list[Event]:
    """Set a ticket's assignee and team (None clears); a no-op when nothing changes. Emits TicketAssigned."""
    ticket = lock_ticket(ticket_id)
    before = (ticket.assignee_id, ticket.team_id)
    if before == (assignee_id, team_id):
        return []
    check_assignment(assignee_id, team_id, category=ticket.category)
    ticket.assignee_id, ticket.team_id = assignee_id, team_id
    ticket.save(update_fields=["assignee", "team", "updated_at"])
    targets.team_changed(ticket, previous_team_id=before[1])
    assignee = Teammate.objects.filter(pk=assignee_id).first() if assignee_id is not None else None
    TicketPart.objects.create(
        ticket=ticket,
        kind=TicketPartKind.EVENT,
        event_type="assigned",
        body=f"{actor_name(actor)} assigned this ticket to {assignee or 'nobody'}.",
        author=actor,
        data={"assignee_id": assignee_id, "team_id": team_id},
    )
    return record(
        events.TicketAssigned(
            ticket_id=ticket.pk,
            assignee_id=assignee_id,
            team_id=team_id,
            actor_id=actor_id(actor),
            from_assignee_id=before[0],
            from_team_id=before[1],
        )
    )


@transaction.atomic
def follow_ticket(*, actor: Teammate, ticket_id: int, follow: bool) -> bool:
    """Follow a ticket's state changes (helpdesk/notify.py), or stop; doing it twice changes nothing. Returns whether
    the actor follows it now. Raises NotFound."""
    if not Ticket.objects.filter(pk=ticket_id).exists():
        raise NotFound("That ticket does not exist.")
    if follow:
        TicketFollower.objects.get_or_create(ticket_id=ticket_id, teammate=actor)
    else:
        TicketFollower.objects.filter(ticket_id=ticket_id, teammate=actor).delete()
    return follow


@transaction.atomic
def update_ticket_attributes(
    *, actor: Teammate | None, ticket_id: int, title: str, description: str, attributes: dict[str, Any]
) -> list[Event]:
    """Edit a ticket's title, description and custom attribute values; unchanged values are a no-op.

    Locks the ticket; validates as a teammate (required_to_create applies). Values of archived attributes
    are kept. Raises NotFound, InvalidInput. Emits TicketAttributesChanged and adds an event part.
    """
    ticket = lock_ticket(ticket_id)
    type_attributes = list(TicketAttribute.objects.filter(ticket_type_id=ticket.ticket_type_id))
    new_title = clean_title(title)
    cleaned = clean_attribute_values(type_attributes, attributes or {}, audience="teammate")
    archived = {a.key for a in type_attributes if a.archived}
    cleaned.update({key: value for key, value in ticket.attributes.items() if key in archived})
    new_description = (description or "").strip()
    names = {a.key: a.name for a in type_attributes}
    changed = [
        names.get(key, key)
        for key in sorted(set(cleaned) | set(ticket.attributes))
        if cleaned.get(key) != ticket.attributes.get(key)
    ]
    if new_description != ticket.description:
        changed.insert(0, "description")
    if new_title != ticket.title:
        changed.insert(0, "title")
    if not changed:
        return []
    audit(ticket, actor, *attribute_changes(ticket, type_attributes, new_title, new_description, cleaned))
    ticket.title, ticket.description, ticket.attributes = new_title, new_description, cleaned
    ticket.save(update_fields=["title", "description", "attributes", "updated_at"])
    TicketPart.objects.create(
        ticket=ticket,
        kind=TicketPartKind.EVENT,
        event_type="attributes_changed",
        body=f"{actor_name(actor)} updated {', '.join(changed)}.",
        author=actor,
        data={"changed": changed},
    )
    return record(events.TicketAttributesChanged(ticket_id=ticket.pk, changed=changed, actor_id=actor_id(actor)))


def attribute_changes(
    ticket: Ticket, type_attributes: list[TicketAttribute], title: str, description: str, values: dict[str, Any]
) -> list[Change]:
    """What an edit changes, for the audit: title, description, each attribute, values as people read them."""
    changes = [
        Change(field, old, new)
        for field, old, new in (
            (AuditField.TITLE, ticket.title, title),
            (AuditField.DESCRIPTION, ticket.description, description),
        )
        if old != new
    ]
    for attribute in type_attributes:
        old, new = ticket.attributes.get(attribute.key), values.get(attribute.key)
        if old != new:
            shown = (show_value(attribute, old), show_value(attribute, new))
            changes.append(Change(AuditField.ATTRIBUTE, *shown, attribute=attribute.name))
    return changes


# How long a conversation snoozed until a ticket moves sleeps at the most, when the teammate names no time.
SNOOZE_UNTIL_MOVES_AT_MOST = timedelta(days=7)


def snooze_until_ticket_moves(
    *, actor: Teammate, conversation_id: int, ticket_id: int, at_the_latest: datetime | None = None
) -> list[Event]:
    """Snooze a conversation until a ticket linked to it changes state or cross-posts into it (or `at_the_latest`,
    by default in SNOOZE_UNTIL_MOVES_AT_MOST), whoever the two are assigned to. Raises NotFound, RuleViolation (the
    ticket is not linked to the conversation), InvalidInput, and what snooze_conversation raises."""
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound(f"Ticket #{ticket_id} does not exist.")
    if refusal := rules.snooze_until_moves_refusal(ticket, conversation_id=conversation_id):
        raise RuleViolation(refusal)
    return inbox_actions.snooze_conversation(
        actor=actor,
        conversation_id=conversation_id,
        until=at_the_latest or timezone.now() + SNOOZE_UNTIL_MOVES_AT_MOST,
        wake_on_ticket_id=ticket.pk,
    )
