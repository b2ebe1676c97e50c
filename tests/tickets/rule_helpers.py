"""What the tests of the ticket actions share: refreshed rows, what was written, timelines, small builders."""

from helpdesk.models import OutboxEvent
from inbox.models import Conversation, Part, PartKind
from tests.factories import (
    TrackerTicketFactory,
    state,
)
from tickets import actions
from tickets.models import StateCategory, Ticket, TicketPart

ONE_SHARED_TICKET = "already has a shared ticket"


def refreshed(obj):
    obj.refresh_from_db()
    return obj


def written() -> dict[str, int]:
    """How many rows an action could have written, to show that a refused one wrote none."""
    return {
        "tickets": Ticket.objects.count(),
        "parts": Part.objects.count(),
        "ticket_parts": TicketPart.objects.count(),
        "events": OutboxEvent.objects.count(),
    }


def parts_of(conversation: Conversation, **filters) -> list[Part]:
    return list(Part.objects.filter(conversation=conversation, **filters).order_by("pk"))


def cross_posts_in(conversation: Conversation) -> list[Part]:
    return parts_of(conversation, kind=PartKind.CROSS_POST)


def unsnoozed_events_in(conversation: Conversation) -> list[Part]:
    return parts_of(conversation, kind=PartKind.EVENT, event_type="unsnoozed")


def in_progress():
    return state(StateCategory.IN_PROGRESS)


def create(actor, ticket_type, conversation, **kwargs) -> Ticket:
    return actions.create_back_office_ticket(
        actor=actor, ticket_type_id=ticket_type.pk, conversation_id=conversation.pk, **kwargs
    )


def tracker_linked_to(conversation: Conversation, customer_ticket: Ticket, *, actor) -> Ticket:
    tracker = TrackerTicketFactory(actor=actor)
    actions.link_to_tracker(actor=actor, tracker_id=tracker.pk, conversation_id=conversation.pk)
    actions.link_to_tracker(actor=actor, tracker_id=tracker.pk, customer_ticket_id=customer_ticket.pk)
    return tracker


# create_back_office_ticket
