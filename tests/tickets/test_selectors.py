"""Rule 6: what a customer is shown of a ticket, built only from customer-facing fields; and the teammates'
ticket lists, page by page."""

import dataclasses
from datetime import timedelta

import pytest
from django.db.models import Q
from django.utils import timezone

from helpdesk.errors import NotFound
from helpdesk.pagination import decode_cursor, encode_cursor
from tests.factories import (
    BackOfficeTicketFactory,
    ContactFactory,
    ConversationFactory,
    TeamFactory,
    TicketAttributeFactory,
    TicketStateFactory,
    TicketTypeFactory,
    TrackerTicketFactory,
    state,
)
from tickets import actions
from tickets.models import StateCategory, Ticket, TicketState
from tickets.selectors import get_customer_ticket, get_ticket_view, list_tickets, ticket_list_keys

pytestmark = pytest.mark.django_db

INTERNAL = "SENTINEL-INTERNAL"


@pytest.fixture
def waiting_state():
    """A state whose internal label must never reach a customer."""
    return TicketStateFactory(
        internal_label=f"Blocked on vendor {INTERNAL}",
        customer_label="We are on it",
        category=StateCategory.IN_PROGRESS,
    )


def typed(waiting_state, **traits):
    ticket_type = TicketTypeFactory(**traits)
    ticket_type.states.add(waiting_state)
    TicketAttributeFactory(ticket_type=ticket_type, key="order", name="Order number", visible_to_customers=True)
    TicketAttributeFactory(ticket_type=ticket_type, key="risk", name=f"Risk {INTERNAL}", kind="integer")
    return ticket_type


def worked(ticket, actor, waiting_state):
    """Notes, an internal state and a visible state: everything a teammate does to a ticket."""
    actions.post_ticket_note(
        actor=actor, ticket_id=ticket.pk, body=f"note {INTERNAL}", cross_post=ticket.is_back_office
    )
    actions.change_ticket_state(actor=actor, ticket_id=ticket.pk, state_id=waiting_state.pk)
    actions.change_ticket_state(actor=actor, ticket_id=ticket.pk, state_id=state(StateCategory.RESOLVED).pk)
    return ticket


def shared_back_office(teammate, contact, waiting_state):
    conversation = ConversationFactory(contact=contact)
    ticket_type = typed(waiting_state)
    return actions.create_back_office_ticket(
        actor=teammate,
        ticket_type_id=ticket_type.pk,
        conversation_id=conversation.pk,
        title="Refund 1042",
        attributes={"order": "1042", "risk": "7"},
        share=True,
    )


def customer_ticket(teammate, contact, waiting_state):
    ticket_type = typed(waiting_state, customer=True)
    return actions.create_customer_ticket(
        actor=teammate,
        ticket_type_id=ticket_type.pk,
        contact_id=contact.pk,
        title="Refund 1042",
        attributes={"order": "1042", "risk": "7"},
    )


def view_without_identity(view):
    return {k: v for k, v in dataclasses.asdict(view).items() if k not in ("number", "type_name", "history")} | {
        "history": [label for _, label in view.history]
    }


def test_get_customer_ticket_shows_shared_back_office_ticket_exactly_like_customer_ticket(teammate, waiting_state):
    contact = ContactFactory()
    shared = worked(shared_back_office(teammate, contact, waiting_state), teammate, waiting_state)
    own = worked(customer_ticket(teammate, contact, waiting_state), teammate, waiting_state)

    shared_view = get_customer_ticket(contact_id=contact.pk, ticket_id=shared.pk)
    own_view = get_customer_ticket(contact_id=contact.pk, ticket_id=own.pk)

    assert view_without_identity(shared_view) == view_without_identity(own_view)
    assert shared_view.attributes == [("Order number", "1042")]
    assert [label for _, label in shared_view.history] == ["Submitted", "We are on it", "Resolved"]
    assert shared_view.state_label == "Resolved"


def test_get_customer_ticket_carries_no_internal_content(teammate, waiting_state):
    contact = ContactFactory()
    ticket = worked(shared_back_office(teammate, contact, waiting_state), teammate, waiting_state)

    assert INTERNAL not in repr(get_customer_ticket(contact_id=contact.pk, ticket_id=ticket.pk))


def test_get_customer_ticket_refuses_unshared_back_office_ticket(teammate, conversation):
    ticket = BackOfficeTicketFactory(actor=teammate, conversation=conversation)

    with pytest.raises(NotFound):
        get_customer_ticket(contact_id=conversation.contact_id, ticket_id=ticket.pk)


def test_get_customer_ticket_refuses_another_contacts_ticket(teammate, waiting_state):
    ticket = shared_back_office(teammate, ContactFactory(), waiting_state)

    with pytest.raises(NotFound):
        get_customer_ticket(contact_id=ContactFactory().pk, ticket_id=ticket.pk)


def test_get_customer_ticket_refuses_tracker(teammate, contact):
    tracker = TrackerTicketFactory(actor=teammate)

    with pytest.raises(NotFound):
        get_customer_ticket(contact_id=contact.pk, ticket_id=tracker.pk)


def test_get_customer_ticket_uses_the_customer_label_of_the_current_state(teammate, waiting_state):
    contact = ContactFactory()
    ticket = shared_back_office(teammate, contact, waiting_state)
    actions.change_ticket_state(actor=teammate, ticket_id=ticket.pk, state_id=waiting_state.pk)

    assert get_customer_ticket(contact_id=contact.pk, ticket_id=ticket.pk).state_label == "We are on it"
    assert TicketState.objects.get(pk=waiting_state.pk).internal_label.endswith(INTERNAL)


# --- The ticket lists: keyset pages, every ticket once, in order ---


@pytest.fixture
def team_tickets(teammate, monkeypatch) -> list[Ticket]:
    """Pages of three over a team's 11 back-office tickets on three `updated_at` values (two a microsecond
    apart), every third one resolved."""
    monkeypatch.setattr("tickets.selectors.lists.PAGE_SIZE", 3)
    team = TeamFactory()
    now = timezone.now().replace(microsecond=500_000)
    moments = [now, now - timedelta(microseconds=1), now - timedelta(hours=1)]
    for index in range(11):
        ticket = BackOfficeTicketFactory(actor=teammate, team_id=team.pk)
        resolved = {"state": state(StateCategory.RESOLVED)} if index % 3 == 1 else {}
        Ticket.objects.filter(pk=ticket.pk).update(updated_at=moments[index % 3], **resolved)
    return list(Ticket.objects.filter(team=team).select_related("state"))


def ticket_list_order(tickets: list[Ticket], status: str, sort: str) -> list[int]:
    resolved = {ticket.pk: ticket.state.category == StateCategory.RESOLVED for ticket in tickets}
    shown = [t for t in tickets if status == "all" or resolved[t.pk] == (status == "resolved")]
    ordered = sorted(shown, key=lambda t: (t.updated_at, t.pk), reverse=sort == "newest")
    return [t.pk for t in sorted(ordered, key=lambda t: resolved[t.pk])]  # a stable sort: unresolved first


def walk_tickets(teammate, slug: str, status: str, sort: str, *, backwards_from: str | None = None) -> list[int]:
    """The ticket numbers of every page met following the next cursors from the first page (or the previous
    cursors from `backwards_from`), in list order."""
    view, keys = get_ticket_view(teammate=teammate, slug=slug), ticket_list_keys(status=status, sort=sort)
    token, pages = backwards_from, []
    for _ in range(50):
        cursor = decode_cursor(token, keys=keys, backwards=backwards_from is not None) if token else None
        page = list_tickets(view=view, status=status, sort=sort, cursor=cursor)
        pages.append([ticket.pk for ticket in page.rows])
        token = page.previous_cursor if backwards_from else page.next_cursor
        if token is None:
            return sum(pages if backwards_from is None else pages[::-1], [])
    raise AssertionError("The pages never ended.")


@pytest.mark.parametrize("status", ["open", "resolved", "all"])
@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_list_tickets_pages_forward_and_back_show_every_ticket_once_in_order(teammate, team_tickets, status, sort):
    slug = f"team-{team_tickets[0].team_id}"
    expected = ticket_list_order(team_tickets, status, sort)
    last = Ticket.objects.annotate(resolved_last=Q(state__category=StateCategory.RESOLVED)).get(pk=expected[-1])

    forward = walk_tickets(teammate, slug, status, sort)
    backward = walk_tickets(
        teammate,
        slug,
        status,
        sort,
        backwards_from=encode_cursor(last, keys=ticket_list_keys(status=status, sort=sort)),
    )

    assert forward == expected
    assert backward == expected[:-1]


def test_list_tickets_sorts_all_by_resolved_only_in_all():
    assert ticket_list_keys(status="all", sort="newest")[0].name == "resolved_last"
    assert [key.name for key in ticket_list_keys(status="open", sort="newest")] == ["updated_at", "pk"]
