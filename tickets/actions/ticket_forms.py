"""Ticket forms sent into a conversation and submitted by its customer (rule 10)."""

from typing import Any

from django.db import transaction

from helpdesk.errors import InvalidInput, NotFound, RuleViolation
from helpdesk.outbox import record
from inbox import actions as inbox_actions
from inbox.models import Teammate
from tickets import events
from tickets.actions.common import (
    actor_id,
    actor_name,
    check_assignment,
    sharing_refusal,
)
from tickets.actions.creation import conversion_refusal, convert_to_customer_ticket, create_back_office_ticket
from tickets.models import (
    SharingPolicy,
    Ticket,
    TicketCategory,
    TicketFormRequest,
    TicketType,
)


def form_type_refusal(*, ticket_type: TicketType, conversation_id: int) -> str | None:
    """Why this type cannot be sent as a ticket form into the conversation (rule 10), or None if it can."""
    if ticket_type.archived:
        return "This ticket type is archived."
    if ticket_type.category == TicketCategory.TRACKER or ticket_type.sharing_policy == SharingPolicy.NEVER:
        return "Only customer ticket types and back-office types that may be shared can be sent as forms."
    if ticket_type.category == TicketCategory.CUSTOMER:
        # Submitting it converts the conversation: refuse now what the conversion would refuse then.
        return conversion_refusal(conversation_id=conversation_id)
    if number := Ticket.objects.filter(thread_id=conversation_id).values_list("pk", flat=True).first():
        return f"This conversation already is customer ticket #{number}."
    return sharing_refusal(
        sharing_policy=ticket_type.sharing_policy, linked_ticket_id=None, conversation_id=conversation_id
    )


@transaction.atomic
def send_ticket_form(
    *, actor: Teammate | None, conversation_id: int, ticket_type_id: int, team_id: int | None = None
) -> TicketFormRequest:
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
    check_assignment(None, team_id)
    form = TicketFormRequest.objects.create(
        conversation=conversation, ticket_type=ticket_type, sent_by=actor, team_id=team_id
    )
    inbox_actions.add_event_part(
        conversation,
        event_type="ticket_form_sent",
        body=f"{actor_name(actor)} sent the {ticket_type.name} form to the customer.",
        actor=actor,
        form_id=form.pk,
    )
    record(events.TicketFormSent(form_id=form.pk, conversation_id=conversation.pk, actor_id=actor_id(actor)))
    return form


@transaction.atomic
def submit_ticket_form(
    *, contact_id: int, form_id: int, title: str, description: str = "", attributes: dict[str, Any] | None = None
) -> Ticket:
    """The customer submits a ticket form sent to them: the ticket is created, linked to the conversation, for the
    team the form names or else its type's default team.

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
    conversation = inbox_actions.lock_conversation(conversation_id)
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
            team_id=form.team_id,
            **fields,
        )
    else:
        ticket = create_back_office_ticket(
            actor=None,
            conversation_id=conversation_id,
            ticket_type_id=form.ticket_type_id,
            share=True,
            audience="customer",
            team_id=form.team_id,
            **fields,
        )
    form.ticket, form.submitted_at = ticket, ticket.created_at
    form.save(update_fields=["ticket", "submitted_at"])
    inbox_actions.add_event_part(
        conversation,
        event_type="ticket_form_submitted",
        body=f"{conversation.contact} submitted the {form.ticket_type.name} form: ticket #{ticket.pk}.",
        form_id=form.pk,
        ticket_id=ticket.pk,
    )
    record(events.TicketFormSubmitted(form_id=form.pk, ticket_id=ticket.pk, conversation_id=conversation_id))
    return ticket
