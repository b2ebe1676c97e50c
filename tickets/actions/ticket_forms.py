"""Ticket forms sent into a conversation and submitted by its customer (rule 10)."""

from typing import Any

from django.db import transaction

from helpdesk.errors import InvalidInput, NotFound, RuleViolation
from helpdesk.outbox import record
from inbox import actions as inbox_actions
from inbox.models import Teammate
from tickets import events, rules
from tickets.actions.common import (
    actor_id,
    actor_name,
    check_assignment,
)
from tickets.actions.creation import convert_to_customer_ticket, create_back_office_ticket
from tickets.models import (
    Ticket,
    TicketCategory,
    TicketFormRequest,
    TicketType,
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
    if refusal := rules.form_type_refusal(ticket_type=ticket_type, conversation_id=conversation.pk):
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
    if refusal := rules.form_submission_refusal(
        submitted=form.ticket_id is not None, type_archived=form.ticket_type.archived
    ):
        raise RuleViolation(refusal)
    fields: dict[str, Any] = {"title": title, "description": description, "attributes": attributes}
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
