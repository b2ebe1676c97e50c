"""Delivery status of what a ticket posts into its linked conversations (issue 16: nothing is silently lost): each
cross-posted note and each state change keeps the outbox row of the handler that posts it (TicketPart.delivery_event),
and shows beside it whether that row is pending, delivered, or failed (tried and not done: its last error), with a
retry. The outbox's sweep retries a failed one too; a retry never posts a second copy (the handlers are keyed by the
event, rule 11)."""

from functools import partial

from django.db import transaction

from helpdesk import outbox
from helpdesk.errors import InvalidInput, NotFound
from helpdesk.models import OutboxEvent
from inbox.models import Teammate
from tickets.models import TicketPart

# The handlers that post a ticket's updates into its conversations (tickets/handlers.py).
DELIVERING_HANDLERS = frozenset({"tickets.handlers.cross_post_note", "tickets.handlers.cross_post_state_change"})


def keep_delivery(part: TicketPart, rows: list[OutboxEvent]) -> None:
    """Inside the action that wrote `part` and recorded its event: remember the row that delivers it."""
    part.delivery_event = next((row for row in rows if row.handler in DELIVERING_HANDLERS), None)
    if part.delivery_event is not None:
        part.save(update_fields=["delivery_event"])


def get_delivery_part(*, ticket_id: int, part_id: int) -> TicketPart:
    """A part of the ticket that delivers something, with its outbox row and its ticket. Raises NotFound."""
    part = (
        TicketPart.objects.select_related("delivery_event", "ticket")
        .filter(pk=part_id, ticket_id=ticket_id, delivery_event__isnull=False)
        .first()
    )
    if part is None:
        raise NotFound("That ticket has no such delivery.")
    return part


@transaction.atomic
def retry_delivery(*, actor: Teammate, ticket_id: int, part_id: int) -> TicketPart:
    """Send a failed delivery to the worker again at once (after the commit): pending until it has tried. Raises
    NotFound, InvalidInput (it was delivered meanwhile, or was never tried: it is on its way)."""
    part = get_delivery_part(ticket_id=ticket_id, part_id=part_id)
    row = OutboxEvent.objects.select_for_update().get(pk=part.delivery_event_id or 0)  # set: get_delivery_part
    part.delivery_event = row  # locked: its state now is the one to judge
    if part.delivery_state == "delivered":
        raise InvalidInput("It was delivered meanwhile: there is nothing to retry.")
    if part.delivery_state == "pending":
        raise InvalidInput("It is on its way: the worker has not tried it yet.")
    row.attempts = 0  # pending again, as it shows until the worker has tried it (the last error is kept)
    row.save(update_fields=["attempts"])
    transaction.on_commit(partial(outbox.enqueue, [row.pk]))
    return part
