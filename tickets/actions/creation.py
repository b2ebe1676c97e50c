"""Creating and linking tickets, and sharing them with the customer (rules 2-5)."""

from typing import Any

from django.db import IntegrityError, transaction

from helpdesk.errors import InvalidInput, NotFound, RuleViolation
from helpdesk.outbox import Event, record
from inbox import actions as inbox_actions
from inbox.models import Contact, Conversation, Teammate
from tickets import events, rules, targets
from tickets.actions.common import (
    Change,
    actor_id,
    actor_name,
    audit,
    get_live_type,
    insert_ticket,
    lock_ticket,
)
from tickets.attributes import Audience
from tickets.models import (
    AuditField,
    Ticket,
    TicketCategory,
    TicketPart,
    TicketPartKind,
    TicketType,
)


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
    conversation = inbox_actions.lock_conversation(conversation_id or 0)  # a customer ticket has its thread
    customer_ticket = Ticket.objects.filter(thread_id=conversation.pk).first()
    ticket_type = get_live_type(ticket_type_id, category=TicketCategory.BACK_OFFICE)
    links = {"linked_ticket_id": customer_ticket.pk if customer_ticket else None}
    links["linked_conversation_id"] = None if customer_ticket else conversation.pk
    if share and (
        refusal := rules.sharing_refusal(
            sharing_policy=ticket_type.sharing_policy,
            linked_ticket_id=links["linked_ticket_id"],
            conversation_id=links["linked_conversation_id"],
        )
    ):
        raise RuleViolation(refusal)
    ticket = insert_ticket(
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
    targets.start_targets(ticket)
    inbox_actions.add_event_part(
        conversation,
        event_type="ticket_linked",
        body=f"{actor_name(actor)} created back-office ticket #{ticket.pk} {ticket.title}"
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
    """Create a customer ticket with its own customer thread (a new conversation), both for `team_id` or else the
    type's default team. Emits TicketCreated."""
    if not Contact.objects.filter(pk=contact_id).exists():
        raise NotFound("That contact does not exist.")
    ticket_type = get_live_type(ticket_type_id, category=TicketCategory.CUSTOMER)
    team_id = team_id or ticket_type.default_team_id
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
    team_id: int | None = None,
    audience: Audience = "teammate",
) -> Ticket:
    """Turn a conversation into a customer ticket whose thread it becomes. Locks the conversation. The ticket goes
    to `team_id`, else to the type's default team, else to the conversation's team; the assignee stays.

    Refused (RuleViolation) as `rules.conversion_refusal` says. Emits TicketCreated.
    """
    conversation = inbox_actions.lock_conversation(conversation_id)
    ticket_type = get_live_type(ticket_type_id, category=TicketCategory.CUSTOMER)
    if refusal := rules.conversion_refusal(conversation_id=conversation.pk):
        raise RuleViolation(refusal)
    fields = {"title": title, "description": description, "attributes": attributes}
    return _open_customer_ticket(
        conversation,
        ticket_type=ticket_type,
        actor=actor,
        audience=audience,
        assignee_id=conversation.assignee_id,
        team_id=team_id or ticket_type.default_team_id or conversation.team_id,
        **fields,
    )


def _open_customer_ticket(
    thread: Conversation, *, ticket_type: TicketType, actor: Teammate | None, **fields: Any
) -> Ticket:
    ticket = insert_ticket(ticket_type=ticket_type, actor=actor, thread=thread, **fields)
    inbox_actions.add_event_part(
        thread,
        event_type="ticket_created",
        body=f"{actor_name(actor)} created customer ticket #{ticket.pk} {ticket.title}.",
        actor=actor,
        ticket_id=ticket.pk,
    )
    return ticket


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
        raise RuleViolation(rules.ONLY_BACK_OFFICE_SHARED)
    conversation_id = linked[0]["linked_conversation_id"] or (
        Ticket.objects.values_list("thread_id", flat=True).get(pk=linked[0]["linked_ticket_id"])
    )
    conversation = inbox_actions.lock_conversation(conversation_id)
    ticket = lock_ticket(ticket_id)
    if ticket.is_shared:
        return []
    refusal = rules.sharing_refusal(
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
        raise RuleViolation(rules.one_shared_per_conversation()) from error
    audit(ticket, actor, Change(AuditField.SHARED, "no", "yes"))
    TicketPart.objects.create(
        ticket=ticket,
        kind=TicketPartKind.EVENT,
        event_type="shared",
        body=f"{actor_name(actor)} shared this ticket with the customer.",
        author=actor,
    )
    inbox_actions.add_event_part(
        conversation,
        event_type="ticket_shared",
        body=f"{actor_name(actor)} shared ticket #{ticket.pk} {ticket.title} with the customer.",
        actor=actor,
        ticket_id=ticket.pk,
    )
    return record(events.TicketShared(ticket_id=ticket.pk, conversation_id=conversation.pk, actor_id=actor_id(actor)))
