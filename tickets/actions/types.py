"""Ticket types: archived, never deleted."""

from django.db import transaction

from tickets.models import (
    TicketType,
)


@transaction.atomic
def archive_ticket_type(*, ticket_type_id: int) -> bool:
    """Archive a ticket type: it is no longer offered, its tickets stay. Returns False if already archived."""
    return bool(TicketType.objects.filter(pk=ticket_type_id, archived=False).update(archived=True))


@transaction.atomic
def unarchive_ticket_type(*, ticket_type_id: int) -> bool:
    """Offer an archived ticket type again. Returns False if it was not archived."""
    return bool(TicketType.objects.filter(pk=ticket_type_id, archived=True).update(archived=False))
