"""Ticket notifications by email (Intercom's ticket notifications): a customer is told when one of their tickets is
opened (a customer ticket, or a back-office ticket shared with them), when its customer-facing status changes, and
when a ticket form is sent to them, each with a signed link into the messenger.

Every email is built from the customer selectors' shapes (CustomerTicketView, CustomerForm, customer labels), never
from a Ticket row, so what reaches a customer page and what reaches their mailbox are the same fields (rule 6).
Each is keyed (`ticket-opened:<ticket>`, `ticket-state:<outbox row>`, `ticket-form:<form>`): a redelivered event, or
a ticket both created shared and shared again, sends one email.
"""

from django.urls import reverse

from helpdesk.models import OutboxEvent
from helpdesk.outbox import subscribe
from inbox.mail.notifications import queue_notification
from tickets import events, selectors


@subscribe(events.TicketCreated, events.TicketShared)
def email_ticket_opened(row: OutboxEvent) -> None:
    """Tell the customer "We've opened ticket #N": the customer of a new customer ticket, or of a back-office ticket
    shared with them (created shared, or shared later). Nothing for one no customer sees."""
    ticket_id = row.payload["ticket_id"]
    recipient = selectors.get_ticket_recipient(ticket_id=ticket_id)
    if recipient is None:
        return
    ticket = selectors.get_customer_ticket(contact_id=recipient.contact.pk, ticket_id=ticket_id)
    queue_notification(
        key=f"ticket-opened:{ticket_id}",
        contact=recipient.contact,
        conversation=recipient.conversation,
        subject=f"We've opened ticket #{ticket.number}: {ticket.title}",
        template="emails/ticket_opened.txt",
        context={"ticket": ticket},
        to=reverse("messenger-tickets:ticket", args=[ticket_id]),
    )


@subscribe(events.TicketStateChanged)
def email_ticket_state_changed(row: OutboxEvent) -> None:
    """Tell the customer "Your ticket #N is now <customer label>", when the customer-facing label changed: a move
    between two states with the same customer label (into an internal state and out of it) tells the customer
    nothing. Never for a ticket no customer sees (unshared back-office, tracker)."""
    payload = row.payload
    from_state, to_state = payload["from_state_id"], payload["to_state_id"]
    recipient = selectors.get_ticket_recipient(ticket_id=payload["ticket_id"])
    if recipient is None:
        return
    labels = selectors.get_customer_labels(state_ids=[from_state, to_state])
    if labels.get(from_state) == labels.get(to_state) or not labels.get(to_state):
        return
    ticket = selectors.get_customer_ticket(contact_id=recipient.contact.pk, ticket_id=payload["ticket_id"])
    queue_notification(
        key=f"ticket-state:{row.pk}",
        contact=recipient.contact,
        conversation=recipient.conversation,
        subject=f"Your ticket #{ticket.number} is now {labels[to_state]}",
        template="emails/ticket_state.txt",
        # The label this move reached, not the ticket's label now: each email tells its own move.
        context={"ticket": ticket, "state_label": labels[to_state]},
        to=reverse("messenger-tickets:ticket", args=[ticket.number]),
    )


@subscribe(events.TicketFormSent)
def email_ticket_form(row: OutboxEvent) -> None:
    """A ticket form sent to the customer, with a signed link that opens it. Nothing if it can no longer be filled
    (submitted or its type archived) by the time the outbox applies it."""
    form_id = row.payload["form_id"]
    recipient = selectors.get_form_recipient(form_id=form_id)
    if recipient is None:
        return
    form = selectors.get_customer_form(contact_id=recipient.contact.pk, form_id=form_id)
    if form.ticket_id or form.unavailable:
        return
    queue_notification(
        key=f"ticket-form:{form_id}",
        contact=recipient.contact,
        conversation=recipient.conversation,
        subject=f"Please fill in: {form.type_name}",
        template="emails/ticket_form.txt",
        context={"form": form},
        to=reverse("messenger-tickets:form", args=[form_id]),
    )
