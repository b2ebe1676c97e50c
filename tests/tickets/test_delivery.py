"""Delivery status (issue 16, tickets/delivery.py): a cross-posted note and a state change show whether their copy
reached the linked conversation: pending, delivered, or failed with the reason and a retry that never doubles."""

import pytest
from django.urls import reverse

from helpdesk import outbox
from inbox.models import Part, PartKind
from tests.factories import (
    BackOfficeTicketFactory,
    ConversationFactory,
    CustomerTicketFactory,
    TrackerTicketFactory,
    state,
)
from tests.tickets.delivery_faults import refusing
from tickets import actions
from tickets.models import StateCategory, TicketPart

pytestmark = pytest.mark.django_db

NOTE = "Refund sent: 3 days to the card."


@pytest.fixture
def ticket(teammate):
    return BackOfficeTicketFactory(actor=teammate, conversation=ConversationFactory(), title="Refund order 1042")


def status(client, ticket, part):
    return client.get(reverse("tickets:delivery", args=[ticket.pk, part.pk]))


def apply(part) -> None:
    """Apply the part's delivery as the worker would; a failure stays in the outbox (counted), as in the worker."""
    try:
        outbox.apply_events([part.delivery_event_id])
    except Exception:
        pass


def copies(ticket) -> int:
    return Part.objects.filter(conversation=ticket.linked_conversation, kind=PartKind.CROSS_POST, body=NOTE).count()


def test_a_cross_posted_note_reads_pending_then_delivered(teammate, teammate_client, ticket):
    part = actions.post_ticket_note(actor=teammate, ticket_id=ticket.pk, body=NOTE, cross_post=True)
    pane = teammate_client.get(reverse("tickets:pane", args=[ticket.pk])).content.decode()
    assert "Cross-post to the linked conversation:\n  pending…" in pane
    assert 'hx-trigger="every 2s"' in status(teammate_client, ticket, part).content.decode()  # asks again
    apply(part)
    delivered = status(teammate_client, ticket, part).content.decode()
    assert "delivered." in delivered and "every 2s" not in delivered
    assert copies(ticket) == 1


def test_a_note_kept_on_the_ticket_and_a_customer_tickets_move_show_no_delivery(teammate, teammate_client, ticket):
    part = actions.post_ticket_note(actor=teammate, ticket_id=ticket.pk, body="Only here.")
    assert part.delivery_event is None
    assert status(teammate_client, ticket, part).status_code == 404
    assert "Cross-post to" not in teammate_client.get(reverse("tickets:pane", args=[ticket.pk])).content.decode()
    customer_ticket = CustomerTicketFactory(actor=teammate)
    actions.change_ticket_state(
        actor=teammate, ticket_id=customer_ticket.pk, state_id=state(StateCategory.IN_PROGRESS).pk
    )
    moved = TicketPart.objects.get(ticket=customer_ticket, event_type="state_changed")
    assert moved.delivery_event is None  # its thread is its own: nothing to post anywhere


def test_a_state_change_shows_its_delivery_and_a_trackers_says_conversations(teammate, teammate_client, ticket):
    actions.change_ticket_state(actor=teammate, ticket_id=ticket.pk, state_id=state(StateCategory.IN_PROGRESS).pk)
    part = TicketPart.objects.get(ticket=ticket, event_type="state_changed")
    assert "State change to the linked conversation:" in status(teammate_client, ticket, part).content.decode()
    tracker = TrackerTicketFactory(actor=teammate)
    actions.change_ticket_state(actor=teammate, ticket_id=tracker.pk, state_id=state(StateCategory.IN_PROGRESS).pk)
    moved = TicketPart.objects.get(ticket=tracker, event_type="state_changed")
    assert "to the linked conversations:" in status(teammate_client, tracker, moved).content.decode()


def test_a_failed_delivery_says_why_and_a_retry_delivers_it_once(teammate, teammate_client, ticket):
    with refusing(NOTE):
        part = actions.post_ticket_note(actor=teammate, ticket_id=ticket.pk, body=NOTE, cross_post=True)
        apply(part)
        failed = status(teammate_client, ticket, part).content.decode()
        assert "failed (" in failed and "the conversation &lt;b&gt;refuses&lt;/b&gt; it" in failed
        assert "Retry now" in failed and "every 2s" not in failed
        assert copies(ticket) == 0
    retried = teammate_client.post(reverse("tickets:delivery", args=[ticket.pk, part.pk]))
    assert retried.status_code == 200
    assert "pending…" in retried.content.decode() and "every 2s" in retried.content.decode()  # until it is tried
    apply(part)  # the retry's task, as the worker runs it
    assert "delivered." in status(teammate_client, ticket, part).content.decode()
    assert copies(ticket) == 1
    again = teammate_client.post(reverse("tickets:delivery", args=[ticket.pk, part.pk]), headers={"HX-Request": "true"})
    assert again.status_code == 422
    assert "delivered meanwhile" in again.content.decode()
    apply(part)  # a second copy of the task changes nothing (rule 11)
    assert copies(ticket) == 1


def test_a_pending_delivery_is_not_retried_by_hand(teammate, teammate_client, ticket):
    part = actions.post_ticket_note(actor=teammate, ticket_id=ticket.pk, body=NOTE, cross_post=True)
    response = teammate_client.post(reverse("tickets:delivery", args=[ticket.pk, part.pk]))
    assert response.status_code == 422
    assert "on its way" in response.content.decode()


def test_a_delivery_is_found_only_under_its_own_ticket(teammate, teammate_client, ticket):
    part = actions.post_ticket_note(actor=teammate, ticket_id=ticket.pk, body=NOTE, cross_post=True)
    other = BackOfficeTicketFactory(actor=teammate)
    assert status(teammate_client, other, part).status_code == 404
