"""Every change to tickets goes through these functions.

Lock order, to stay free of deadlocks: the conversation first, then the ticket. Each action writes
the ticket's timeline part and records its events in the same transaction; cross-posts and their
un-snoozes happen after commit, in `tickets.handlers`, run by Celery.
"""

from typing import Any

from django.db import IntegrityError, transaction

from helpdesk.errors import InvalidInput, NotFound, RuleViolation
from helpdesk.outbox import Event, record
from inbox import actions as inbox_actions
from inbox.models import Contact, Conversation, Team, Teammate
from tickets import events
from tickets.attributes import Audience, clean_attribute_values
from tickets.models import (
    SharingPolicy,
    StateCategory,
    Ticket,
    TicketAttribute,
    TicketCategory,
    TicketFormRequest,
    TicketPart,
    TicketPartKind,
    TicketState,
    TicketType,
    TrackerLink,
)

MAX_TITLE_LENGTH = 200


def lock_ticket(ticket_id: int) -> Ticket:
    """The ticket, locked FOR UPDATE until the transaction ends. Raises NotFound."""
    ticket = Ticket.objects.select_for_update(of=("self",)).select_related("state").filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound(f"Ticket #{ticket_id} does not exist.")
    return ticket


def sharing_refusal(
    *, sharing_policy: str, linked_ticket_id: int | None, conversation_id: int | None, ticket_id: int | None = None
) -> str | None:
    """Why a back-office ticket with these links cannot be shared (rules 3-5), or None if it can."""
    if sharing_policy != SharingPolicy.OPTIONAL:
        return "Tickets of this type are never shared with the customer."
    if linked_ticket_id is not None or conversation_id is None:
        return "A back-office ticket linked to a customer ticket cannot be shared with the customer."
    shared = Ticket.objects.filter(linked_conversation_id=conversation_id, is_shared=True).exclude(pk=ticket_id)
    if number := shared.values_list("pk", flat=True).first():
        return (
            f"This conversation already has a shared ticket (#{number}); "
            "only one back-office ticket per conversation can be shared with the customer."
        )
    return None


def _get_live_type(ticket_type_id: int, *, category: str) -> TicketType:
    ticket_type = TicketType.objects.prefetch_related("attributes").filter(pk=ticket_type_id).first()
    if ticket_type is None or ticket_type.category != category:
        raise InvalidInput(
            f"Choose a {TicketCategory(category).label.lower()} ticket type.",
            {"ticket_type": ["Choose a ticket type from the list."]},
        )
    if ticket_type.archived:
        raise InvalidInput(
            f"The ticket type “{ticket_type.name}” is archived.", {"ticket_type": ["This ticket type is archived."]}
        )
    return ticket_type


def _first_state(ticket_type: TicketType, category: str) -> TicketState:
    state = ticket_type.states.filter(category=category, archived=False).order_by("position", "pk").first()
    if state is None:
        raise RuleViolation(
            f"The ticket type “{ticket_type.name}” has no {StateCategory(category).label} state; an admin must add one."
        )
    return state


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise InvalidInput("A ticket needs a title.", {"title": ["This field is required."]})
    if len(title) > MAX_TITLE_LENGTH:
        raise InvalidInput("The title is too long.", {"title": [f"Keep it to {MAX_TITLE_LENGTH} characters."]})
    return title


def _create_ticket(*, ticket_type: TicketType, actor: Teammate | None, audience: Audience, **fields: Any) -> Ticket:
    """Insert a ticket after validating its title and attributes; a constraint violation becomes a RuleViolation."""
    fields["title"] = _clean_title(fields["title"])
    fields["attributes"] = clean_attribute_values(
        ticket_type.attributes.all(), fields.get("attributes") or {}, audience=audience
    )
    fields["description"] = (fields.get("description") or "").strip()
    _check_assignment(fields.get("assignee_id"), fields.get("team_id"))
    try:
        with transaction.atomic():
            ticket = Ticket.objects.create(
                ticket_type=ticket_type,
                category=ticket_type.category,
                sharing_policy=ticket_type.sharing_policy,
                state=_first_state(ticket_type, StateCategory.SUBMITTED),
                created_by=actor,
                **fields,
            )
    except IntegrityError as error:
        if "ticket_one_shared_per_conversation" in str(error):
            raise RuleViolation(
                "This conversation already has a shared ticket; only one back-office ticket per conversation "
                "can be shared with the customer."
            ) from error
        raise
    TicketPart.objects.create(
        ticket=ticket,
        kind=TicketPartKind.EVENT,
        event_type="created",
        body=f"{_name(actor)} created this ticket" + (" and shared it with the customer." if ticket.is_shared else "."),
        author=actor,
        data={"to_state_id": ticket.state_id},
    )
    record(
        events.TicketCreated(
            ticket_id=ticket.pk, category=ticket.category, actor_id=_id(actor), is_shared=ticket.is_shared
        )
    )
    return ticket


def _check_assignment(assignee_id: int | None, team_id: int | None) -> None:
    if assignee_id is not None and not Teammate.objects.filter(pk=assignee_id, is_active=True).exists():
        raise InvalidInput("That teammate does not exist.", {"assignee": ["Choose an active teammate."]})
    if team_id is not None and not Team.objects.filter(pk=team_id).exists():
        raise InvalidInput("That team does not exist.", {"team": ["Choose an existing team."]})


def _name(actor: Teammate | None) -> str:
    return actor.display_name if actor else "The system"


def _id(actor: Teammate | None) -> int | None:
    return actor.pk if actor else None


@transaction.atomic
def create_back_office_ticket(
    *,
    actor: Teammate | None,
    ticket_type_id: int,
    title: str,
    conversation_id: int | None = None,
    customer_ticket_id: int | None = None,
    description: str = "",
    attributes: dict[str, Any] | None = None,
    assignee_id: int | None = None,
    team_id: int | None = None,
    share: bool = False,
    audience: Audience = "teammate",
) -> Ticket:
    """Create a back-office ticket linked to a conversation or a customer ticket (rule 2), shared if asked.

    A conversation that is a customer ticket's thread links to that ticket. Locks the conversation,
    so two shares of one conversation queue up. Raises InvalidInput, NotFound, or RuleViolation
    (rules 3-5). Emits TicketCreated; adds a "ticket linked" event to the conversation.
    """
    if (conversation_id is None) == (customer_ticket_id is None):
        raise InvalidInput("Link the ticket to one conversation or one customer ticket.")
    if customer_ticket_id is not None:
        customer_ticket = Ticket.objects.filter(pk=customer_ticket_id, category=TicketCategory.CUSTOMER).first()
        if customer_ticket is None:
            raise NotFound(f"Customer ticket #{customer_ticket_id} does not exist.")
        conversation_id = customer_ticket.thread_id
    conversation = inbox_actions.lock_conversation(conversation_id)
    customer_ticket = Ticket.objects.filter(thread_id=conversation.pk).first()
    ticket_type = _get_live_type(ticket_type_id, category=TicketCategory.BACK_OFFICE)
    links = {"linked_ticket_id": customer_ticket.pk if customer_ticket else None}
    links["linked_conversation_id"] = None if customer_ticket else conversation.pk
    if share and (
        refusal := sharing_refusal(
            sharing_policy=ticket_type.sharing_policy,
            linked_ticket_id=links["linked_ticket_id"],
            conversation_id=links["linked_conversation_id"],
        )
    ):
        raise RuleViolation(refusal)
    ticket = _create_ticket(
        ticket_type=ticket_type,
        actor=actor,
        audience=audience,
        title=title,
        description=description,
        attributes=attributes,
        assignee_id=assignee_id,
        team_id=team_id,
        is_shared=share,
        **links,
    )
    inbox_actions.add_event_part(
        conversation,
        event_type="ticket_linked",
        body=f"{_name(actor)} created back-office ticket #{ticket.pk} {ticket.title}"
        + (", shared with the customer." if share else "."),
        actor=actor,
        ticket_id=ticket.pk,
    )
    return ticket


@transaction.atomic
def create_customer_ticket(
    *,
    actor: Teammate | None,
    ticket_type_id: int,
    contact_id: int,
    title: str,
    description: str = "",
    attributes: dict[str, Any] | None = None,
    assignee_id: int | None = None,
    team_id: int | None = None,
    audience: Audience = "teammate",
) -> Ticket:
    """Create a customer ticket with its own customer thread (a new conversation). Emits TicketCreated."""
    if not Contact.objects.filter(pk=contact_id).exists():
        raise NotFound("That contact does not exist.")
    ticket_type = _get_live_type(ticket_type_id, category=TicketCategory.CUSTOMER)
    thread = Conversation.objects.create(
        contact_id=contact_id, subject=(title or "").strip()[:200], assignee_id=assignee_id, team_id=team_id
    )
    fields = {"title": title, "description": description, "attributes": attributes}
    return _open_customer_ticket(
        thread,
        ticket_type=ticket_type,
        actor=actor,
        audience=audience,
        assignee_id=assignee_id,
        team_id=team_id,
        **fields,
    )


@transaction.atomic
def convert_to_customer_ticket(
    *,
    actor: Teammate | None,
    conversation_id: int,
    ticket_type_id: int,
    title: str,
    description: str = "",
    attributes: dict[str, Any] | None = None,
    audience: Audience = "teammate",
) -> Ticket:
    """Turn a conversation into a customer ticket whose thread it becomes. Locks the conversation.

    Refused when it already is one, or when it has a shared back-office ticket (the customer would
    then follow two tickets for one request). Emits TicketCreated.
    """
    conversation = inbox_actions.lock_conversation(conversation_id)
    ticket_type = _get_live_type(ticket_type_id, category=TicketCategory.CUSTOMER)
    if number := Ticket.objects.filter(thread=conversation).values_list("pk", flat=True).first():
        raise RuleViolation(f"This conversation already is customer ticket #{number}.")
    if (
        number := Ticket.objects.filter(linked_conversation=conversation, is_shared=True)
        .values_list("pk", flat=True)
        .first()
    ):
        raise RuleViolation(
            f"This conversation already has a shared ticket (#{number}) that the customer follows; "
            "it cannot also become a customer ticket."
        )
    fields = {"title": title, "description": description, "attributes": attributes}
    return _open_customer_ticket(
        conversation,
        ticket_type=ticket_type,
        actor=actor,
        audience=audience,
        assignee_id=conversation.assignee_id,
        team_id=conversation.team_id,
        **fields,
    )


def _open_customer_ticket(thread: Conversation, *, ticket_type: TicketType, actor: Teammate | None, **fields) -> Ticket:
    ticket = _create_ticket(ticket_type=ticket_type, actor=actor, thread=thread, **fields)
    inbox_actions.add_event_part(
        thread,
        event_type="ticket_created",
        body=f"{_name(actor)} created customer ticket #{ticket.pk} {ticket.title}.",
        actor=actor,
        ticket_id=ticket.pk,
    )
    return ticket


@transaction.atomic
def create_tracker_ticket(
    *,
    actor: Teammate | None,
    ticket_type_id: int,
    title: str,
    description: str = "",
    attributes: dict[str, Any] | None = None,
    assignee_id: int | None = None,
    team_id: int | None = None,
) -> Ticket:
    """Create a tracker ticket (one bug, one outage), linked to nothing yet. Emits TicketCreated."""
    ticket_type = _get_live_type(ticket_type_id, category=TicketCategory.TRACKER)
    return _create_ticket(
        ticket_type=ticket_type,
        actor=actor,
        audience="teammate",
        title=title,
        description=description,
        attributes=attributes,
        assignee_id=assignee_id,
        team_id=team_id,
    )


@transaction.atomic
def link_to_tracker(
    *,
    actor: Teammate | None,
    tracker_id: int,
    conversation_id: int | None = None,
    customer_ticket_id: int | None = None,
) -> list[Event]:
    """Link a conversation or a customer ticket to a tracker; linking twice is a no-op."""
    if (conversation_id is None) == (customer_ticket_id is None):
        raise InvalidInput("Link the tracker to one conversation or one customer ticket.")
    if customer_ticket_id is not None:
        target = Ticket.objects.filter(pk=customer_ticket_id, category=TicketCategory.CUSTOMER).first()
        if target is None:
            raise NotFound(f"Customer ticket #{customer_ticket_id} does not exist.")
        thread_id = target.thread_id
    else:
        thread_id = conversation_id
    conversation = inbox_actions.lock_conversation(thread_id)  # conversation before ticket: the lock order
    tracker = lock_ticket(tracker_id)
    if tracker.category != TicketCategory.TRACKER:
        raise RuleViolation(f"Ticket #{tracker.pk} is not a tracker ticket.")
    _, created = TrackerLink.objects.get_or_create(
        tracker=tracker, conversation_id=conversation_id, customer_ticket_id=customer_ticket_id
    )
    if not created:
        return []
    inbox_actions.add_event_part(
        conversation,
        event_type="ticket_linked",
        body=f"{_name(actor)} linked tracker ticket #{tracker.pk} {tracker.title}.",
        actor=actor,
        ticket_id=tracker.pk,
    )
    return record(
        events.TicketLinkedToTracker(
            tracker_id=tracker.pk,
            conversation_id=conversation_id,
            customer_ticket_id=customer_ticket_id,
            actor_id=_id(actor),
        )
    )


@transaction.atomic
def share_ticket(*, actor: Teammate | None, ticket_id: int) -> list[Event]:
    """Share a back-office ticket with the customer of its conversation (rules 3-5). Sharing twice is a no-op.

    Locks the conversation, then the ticket, so concurrent shares of one conversation serialise and the
    later one gets a clear RuleViolation; the partial unique index is the final judge.
    """
    linked = Ticket.objects.filter(pk=ticket_id).values("category", "linked_conversation_id", "linked_ticket_id")
    if not linked:
        raise NotFound(f"Ticket #{ticket_id} does not exist.")
    if linked[0]["category"] != TicketCategory.BACK_OFFICE:
        raise RuleViolation("Only back-office tickets are shared; customer tickets are always customer-visible.")
    conversation_id = linked[0]["linked_conversation_id"] or (
        Ticket.objects.values_list("thread_id", flat=True).get(pk=linked[0]["linked_ticket_id"])
    )
    conversation = inbox_actions.lock_conversation(conversation_id)
    ticket = lock_ticket(ticket_id)
    if ticket.is_shared:
        return []
    refusal = sharing_refusal(
        sharing_policy=ticket.sharing_policy,
        linked_ticket_id=ticket.linked_ticket_id,
        conversation_id=ticket.linked_conversation_id,
        ticket_id=ticket.pk,
    )
    if refusal:
        raise RuleViolation(refusal)
    ticket.is_shared = True
    try:
        with transaction.atomic():
            ticket.save(update_fields=["is_shared", "updated_at"])
    except IntegrityError as error:
        raise RuleViolation(
            "This conversation already has a shared ticket; only one back-office ticket per conversation "
            "can be shared with the customer."
        ) from error
    TicketPart.objects.create(
        ticket=ticket,
        kind=TicketPartKind.EVENT,
        event_type="shared",
        body=f"{_name(actor)} shared this ticket with the customer.",
        author=actor,
    )
    inbox_actions.add_event_part(
        conversation,
        event_type="ticket_shared",
        body=f"{_name(actor)} shared ticket #{ticket.pk} {ticket.title} with the customer.",
        actor=actor,
        ticket_id=ticket.pk,
    )
    return record(events.TicketShared(ticket_id=ticket.pk, conversation_id=conversation.pk, actor_id=_id(actor)))


@transaction.atomic
def post_ticket_note(*, actor: Teammate, ticket_id: int, body: str, cross_post: bool = False) -> TicketPart:
    """Post an internal note on a ticket; with `cross_post`, also into what it is linked to (rule 7).

    Emits TicketNotePosted, or TicketNoteCrossPosted whose handler delivers the copy after commit.
    """
    body = inbox_actions.clean_body(body)
    ticket = lock_ticket(ticket_id)
    if cross_post and ticket.category == TicketCategory.CUSTOMER:
        raise RuleViolation(
            "A customer ticket is not linked to another conversation; post the note without cross-posting."
        )
    part = TicketPart.objects.create(
        ticket=ticket, kind=TicketPartKind.NOTE, body=body, author=actor, cross_posted=cross_post
    )
    ticket.save(update_fields=["updated_at"])
    event_class = events.TicketNoteCrossPosted if cross_post else events.TicketNotePosted
    record(event_class(ticket_id=ticket.pk, part_id=part.pk, actor_id=actor.pk))
    return part


def post_ticket_reply(*, actor: Teammate, ticket_id: int, body: str):
    """Reply to the customer on a customer ticket (in its thread). Rule 1: refused on other tickets."""
    ticket = Ticket.objects.filter(pk=ticket_id).only("category", "thread_id", "linked_conversation_id").first()
    if ticket is None:
        raise NotFound(f"Ticket #{ticket_id} does not exist.")
    if ticket.category != TicketCategory.CUSTOMER:
        where = (
            f"in the linked conversation #{ticket.linked_conversation_id}"
            if ticket.linked_conversation_id
            else "in the linked conversation or customer ticket"
        )
        raise RuleViolation(f"Back-office and tracker tickets take internal notes only; reply to the customer {where}.")
    return inbox_actions.post_reply(actor=actor, conversation_id=ticket.thread_id, body=body)


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
    previous = ticket.state
    ticket.state = state
    ticket.save(update_fields=["state", "updated_at"])
    TicketPart.objects.create(
        ticket=ticket,
        kind=TicketPartKind.EVENT,
        event_type="state_changed",
        body=f"{_name(actor)} moved this ticket from {previous.internal_label} to {state.internal_label}.",
        author=actor,
        data={"from_state_id": previous.pk, "to_state_id": state.pk},
    )
    return record(
        events.TicketStateChanged(
            ticket_id=ticket.pk,
            from_state_id=previous.pk,
            to_state_id=state.pk,
            from_label=previous.internal_label,
            to_label=state.internal_label,
            actor_id=_id(actor),
        )
    )


@transaction.atomic
def assign_ticket(
    *, actor: Teammate | None, ticket_id: int, assignee_id: int | None, team_id: int | None
) -> list[Event]:
    """Set a ticket's assignee and team (None clears); a no-op when nothing changes. Emits TicketAssigned."""
    ticket = lock_ticket(ticket_id)
    if (ticket.assignee_id, ticket.team_id) == (assignee_id, team_id):
        return []
    _check_assignment(assignee_id, team_id)
    ticket.assignee_id, ticket.team_id = assignee_id, team_id
    ticket.save(update_fields=["assignee", "team", "updated_at"])
    assignee = Teammate.objects.filter(pk=assignee_id).first()
    TicketPart.objects.create(
        ticket=ticket,
        kind=TicketPartKind.EVENT,
        event_type="assigned",
        body=f"{_name(actor)} assigned this ticket to {assignee or 'nobody'}.",
        author=actor,
        data={"assignee_id": assignee_id, "team_id": team_id},
    )
    return record(
        events.TicketAssigned(ticket_id=ticket.pk, assignee_id=assignee_id, team_id=team_id, actor_id=_id(actor))
    )


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
    new_title = _clean_title(title)
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
    ticket.title, ticket.description, ticket.attributes = new_title, new_description, cleaned
    ticket.save(update_fields=["title", "description", "attributes", "updated_at"])
    TicketPart.objects.create(
        ticket=ticket,
        kind=TicketPartKind.EVENT,
        event_type="attributes_changed",
        body=f"{_name(actor)} updated {', '.join(changed)}.",
        author=actor,
        data={"changed": changed},
    )
    return record(events.TicketAttributesChanged(ticket_id=ticket.pk, changed=changed, actor_id=_id(actor)))


@transaction.atomic
def archive_ticket_type(*, ticket_type_id: int) -> bool:
    """Archive a ticket type: it is no longer offered, its tickets stay. Returns False if already archived."""
    return bool(TicketType.objects.filter(pk=ticket_type_id, archived=False).update(archived=True))


@transaction.atomic
def unarchive_ticket_type(*, ticket_type_id: int) -> bool:
    """Offer an archived ticket type again. Returns False if it was not archived."""
    return bool(TicketType.objects.filter(pk=ticket_type_id, archived=True).update(archived=False))


def form_type_refusal(*, ticket_type: TicketType, conversation_id: int) -> str | None:
    """Why this type cannot be sent as a ticket form into the conversation (rule 10), or None if it can."""
    if ticket_type.archived:
        return "This ticket type is archived."
    if ticket_type.category == TicketCategory.TRACKER or ticket_type.sharing_policy == SharingPolicy.NEVER:
        return "Only customer ticket types and back-office types that may be shared can be sent as forms."
    if number := Ticket.objects.filter(thread_id=conversation_id).values_list("pk", flat=True).first():
        return f"This conversation already is customer ticket #{number}."
    if ticket_type.category == TicketCategory.BACK_OFFICE:
        return sharing_refusal(
            sharing_policy=ticket_type.sharing_policy, linked_ticket_id=None, conversation_id=conversation_id
        )
    return None


@transaction.atomic
def send_ticket_form(*, actor: Teammate | None, conversation_id: int, ticket_type_id: int) -> TicketFormRequest:
    """Send a ticket form into a conversation for its customer to fill (rule 10). Locks the conversation.

    Raises InvalidInput for a type that rule 10 does not offer, RuleViolation when this conversation
    could not take the ticket (rule 4). Emits TicketFormSent.
    """
    conversation = inbox_actions.lock_conversation(conversation_id)
    ticket_type = TicketType.objects.filter(pk=ticket_type_id).first()
    if ticket_type is None:
        raise InvalidInput(
            "Choose a ticket type from the list.", {"ticket_type": ["Choose a ticket type from the list."]}
        )
    if refusal := form_type_refusal(ticket_type=ticket_type, conversation_id=conversation.pk):
        raise RuleViolation(refusal)
    form = TicketFormRequest.objects.create(conversation=conversation, ticket_type=ticket_type, sent_by=actor)
    inbox_actions.add_event_part(
        conversation,
        event_type="ticket_form_sent",
        body=f"{_name(actor)} sent the {ticket_type.name} form to the customer.",
        actor=actor,
        form_id=form.pk,
    )
    record(events.TicketFormSent(form_id=form.pk, conversation_id=conversation.pk, actor_id=_id(actor)))
    return form


@transaction.atomic
def submit_ticket_form(
    *, contact_id: int, form_id: int, title: str, description: str = "", attributes: dict[str, Any] | None = None
) -> Ticket:
    """The customer submits a ticket form sent to them: the ticket is created, linked to the conversation.

    A customer type turns the conversation into that customer ticket; a back-office type creates a
    back-office ticket shared with the customer (rules 3-5 hold: a conflict is a RuleViolation and
    nothing is written). Locks the conversation, then the form. Emits TicketFormSubmitted.
    """
    conversation_id = (
        TicketFormRequest.objects.filter(pk=form_id, conversation__contact_id=contact_id)
        .values_list("conversation_id", flat=True)
        .first()
    )
    if conversation_id is None:
        raise NotFound("That form does not exist.")
    inbox_actions.lock_conversation(conversation_id)
    form = TicketFormRequest.objects.select_for_update().select_related("ticket_type").get(pk=form_id)
    if form.ticket_id:
        raise RuleViolation("This form has already been sent; you can follow the ticket in your messages.")
    if form.ticket_type.archived:
        raise RuleViolation("This form is no longer available. Write to us in the conversation instead.")
    fields = {"title": title, "description": description, "attributes": attributes}
    if form.ticket_type.category == TicketCategory.CUSTOMER:
        ticket = convert_to_customer_ticket(
            actor=None,
            conversation_id=conversation_id,
            ticket_type_id=form.ticket_type_id,
            audience="customer",
            **fields,
        )
    else:
        ticket = create_back_office_ticket(
            actor=None,
            conversation_id=conversation_id,
            ticket_type_id=form.ticket_type_id,
            share=True,
            audience="customer",
            **fields,
        )
    form.ticket, form.submitted_at = ticket, ticket.created_at
    form.save(update_fields=["ticket", "submitted_at"])
    record(events.TicketFormSubmitted(form_id=form.pk, ticket_id=ticket.pk, conversation_id=conversation_id))
    return ticket
