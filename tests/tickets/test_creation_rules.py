"""Rules 2-5 of DESIGN.md section 3, held by the ticket actions on PostgreSQL: creating, linking and sharing
back-office tickets."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from helpdesk.errors import InvalidInput, NotFound, RuleViolation
from inbox.models import PartKind
from tests.concurrency import run_at_once
from tests.factories import (
    BackOfficeTicketFactory,
    ConversationFactory,
    CustomerTicketFactory,
    TeammateFactory,
    TicketAttributeFactory,
    TicketStateFactory,
    TicketTypeFactory,
    default_states,
)
from tests.tickets.rule_helpers import (
    ONE_SHARED_TICKET,
    create,
    parts_of,
    refreshed,
    written,
)
from tickets import actions
from tickets.models import AttributeKind, StateCategory, Ticket, TicketPart

pytestmark = pytest.mark.django_db


def test_create_back_office_ticket_links_the_conversation(teammate, conversation):
    ticket = create(teammate, TicketTypeFactory(), conversation, title="Refund the duplicate charge")

    ticket = refreshed(ticket)
    assert (ticket.category, ticket.linked_conversation, ticket.linked_ticket) == ("back_office", conversation, None)


def test_create_back_office_ticket_adds_ticket_linked_event_to_the_conversation(teammate, conversation):
    ticket = create(teammate, TicketTypeFactory(), conversation, title="Refund the duplicate charge")

    [part] = parts_of(conversation)
    assert (part.kind, part.event_type, part.author, part.data) == (
        PartKind.EVENT,
        "ticket_linked",
        teammate,
        {"ticket_id": ticket.pk},
    )
    assert f"#{ticket.pk} Refund the duplicate charge" in part.body


def test_create_back_office_ticket_starts_in_first_submitted_state_of_its_type(teammate, conversation):
    triage = TicketStateFactory(category=StateCategory.SUBMITTED, position=5)
    archived = TicketStateFactory(category=StateCategory.SUBMITTED, position=1, archived=True)
    ticket_type = TicketTypeFactory(states=[*default_states(), triage, archived])

    ticket = create(teammate, ticket_type, conversation, title="Refund")

    assert refreshed(ticket).state == triage


def test_create_back_office_ticket_refuses_archived_type(teammate, conversation):
    archived = TicketTypeFactory(archived=True)

    with pytest.raises(InvalidInput) as raised:
        create(teammate, archived, conversation, title="Refund")

    assert raised.value.errors == {"ticket_type": ["This ticket type is archived."]}
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("category", ["customer", "tracker"])
def test_create_back_office_ticket_refuses_customer_and_tracker_types(teammate, conversation, category):
    with pytest.raises(InvalidInput) as raised:
        create(teammate, TicketTypeFactory(**{category: True}), conversation, title="Refund")

    assert list(raised.value.errors) == ["ticket_type"]
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("title", ["", "   "])
def test_create_back_office_ticket_refuses_missing_title(teammate, conversation, title):
    with pytest.raises(InvalidInput) as raised:
        create(teammate, TicketTypeFactory(), conversation, title=title)

    assert raised.value.errors == {"title": ["This field is required."]}
    assert not Ticket.objects.exists()
    assert parts_of(conversation) == []


def test_create_back_office_ticket_refuses_invalid_attributes_with_a_message_per_field(teammate, conversation):
    ticket_type = TicketTypeFactory()
    TicketAttributeFactory(ticket_type=ticket_type, key="amount", name="Amount", kind=AttributeKind.DECIMAL)
    TicketAttributeFactory(ticket_type=ticket_type, key="order", name="Order", required_to_create=True)

    with pytest.raises(InvalidInput) as raised:
        create(teammate, ticket_type, conversation, title="Refund", attributes={"amount": "lots"})

    assert raised.value.errors == {
        "amount": ["Amount must be a number, such as 12.50."],
        "order": ["Order is required."],
    }
    assert not Ticket.objects.exists()


def test_create_back_office_ticket_stores_cleaned_attributes(teammate, conversation):
    ticket_type = TicketTypeFactory()
    TicketAttributeFactory(ticket_type=ticket_type, key="amount", name="Amount", kind=AttributeKind.DECIMAL)

    ticket = create(teammate, ticket_type, conversation, title="Refund", attributes={"amount": " 12.50 "})

    assert refreshed(ticket).attributes == {"amount": "12.50"}


def test_create_back_office_ticket_refuses_nonexistent_conversation(teammate):
    with pytest.raises(NotFound):
        actions.create_back_office_ticket(
            actor=teammate, ticket_type_id=TicketTypeFactory().pk, conversation_id=999_999, title="Refund"
        )

    assert not Ticket.objects.exists()


@pytest.mark.parametrize("links", ["neither", "both"])
def test_create_back_office_ticket_refuses_anything_but_one_link(teammate, conversation, links):
    customer_ticket_id = CustomerTicketFactory().pk if links == "both" else None
    conversation_id = conversation.pk if links == "both" else None

    with pytest.raises(InvalidInput, match="Link the ticket to one conversation or one customer ticket"):
        actions.create_back_office_ticket(
            actor=teammate,
            ticket_type_id=TicketTypeFactory().pk,
            conversation_id=conversation_id,
            customer_ticket_id=customer_ticket_id,
            title="Refund",
        )

    assert not Ticket.objects.filter(category="back_office").exists()


def test_create_back_office_ticket_from_customer_ticket_thread_links_the_customer_ticket(teammate):
    customer_ticket = CustomerTicketFactory()

    ticket = create(teammate, TicketTypeFactory(), customer_ticket.thread, title="Check the refund")

    ticket = refreshed(ticket)
    assert (ticket.linked_ticket, ticket.linked_conversation) == (customer_ticket, None)
    assert parts_of(customer_ticket.thread, event_type="ticket_linked")


# Rule 2: a back-office ticket stays linked, and its conversation is reachable from it


def test_create_customer_ticket_opens_its_thread_with_a_created_event(teammate, contact):
    ticket = CustomerTicketFactory(actor=teammate, contact=contact, title="Parcel never arrived")

    assert ticket.thread.contact == contact
    event = ticket.thread.parts.get()
    assert (event.event_type, event.data["ticket_id"]) == ("ticket_created", ticket.pk)
    assert event.body == f"{teammate} created customer ticket #{ticket.pk} Parcel never arrived."


def test_back_office_ticket_link_cannot_be_removed(teammate):
    ticket = BackOfficeTicketFactory(actor=teammate)

    with pytest.raises(IntegrityError, match="ticket_back_office_linked_once"), transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk).update(linked_conversation=None)


def test_back_office_ticket_conversation_cannot_be_deleted(teammate, conversation):
    BackOfficeTicketFactory(actor=teammate, conversation=conversation)

    with pytest.raises(ProtectedError), transaction.atomic():
        conversation.delete()


def test_back_office_ticket_reaches_its_conversation(teammate, conversation):
    ticket = BackOfficeTicketFactory(actor=teammate, conversation=conversation)

    assert Ticket.objects.select_related("linked_conversation").get(pk=ticket.pk).linked_conversation == conversation


def test_back_office_ticket_reaches_its_customer_ticket_thread(teammate):
    customer_ticket = CustomerTicketFactory()
    ticket = BackOfficeTicketFactory(actor=teammate, customer_ticket=customer_ticket)

    assert Ticket.objects.get(pk=ticket.pk).linked_ticket.thread == customer_ticket.thread


# Rule 3: sharing


def test_create_back_office_ticket_shares_optional_type_when_asked(teammate, conversation):
    ticket = create(teammate, TicketTypeFactory(), conversation, title="Refund", share=True)

    assert refreshed(ticket).is_shared


def test_create_back_office_ticket_does_not_share_by_default(teammate, conversation):
    ticket = create(teammate, TicketTypeFactory(), conversation, title="Refund")

    assert not refreshed(ticket).is_shared


def test_create_back_office_ticket_refuses_to_share_never_type(teammate, conversation):
    before = written()

    with pytest.raises(RuleViolation, match="never shared with the customer"):
        create(teammate, TicketTypeFactory(never_shared=True), conversation, title="Fraud check", share=True)

    assert written() == before


def test_share_ticket_shares_optional_ticket(teammate, conversation):
    ticket = BackOfficeTicketFactory(actor=teammate, conversation=conversation)

    actions.share_ticket(actor=teammate, ticket_id=ticket.pk)

    assert refreshed(ticket).is_shared
    assert TicketPart.objects.filter(ticket=ticket, event_type="shared").count() == 1
    assert len(parts_of(conversation, event_type="ticket_shared")) == 1


def test_share_ticket_refuses_never_type(teammate):
    ticket = BackOfficeTicketFactory(actor=teammate, ticket_type=TicketTypeFactory(never_shared=True))
    before = written()

    with pytest.raises(RuleViolation, match="never shared with the customer"):
        actions.share_ticket(actor=teammate, ticket_id=ticket.pk)

    assert not refreshed(ticket).is_shared
    assert written() == before


def test_share_ticket_twice_is_a_no_op(teammate):
    ticket = BackOfficeTicketFactory(actor=teammate, share=True)
    before = written()

    assert actions.share_ticket(actor=teammate, ticket_id=ticket.pk) == []
    assert written() == before


# Rule 4: at most one shared back-office ticket per conversation


def test_create_back_office_ticket_refuses_second_shared_ticket_on_a_conversation(teammate, conversation):
    first = BackOfficeTicketFactory(actor=teammate, conversation=conversation, share=True)
    before = written()

    with pytest.raises(RuleViolation) as raised:
        create(teammate, TicketTypeFactory(), conversation, title="Second", share=True)

    assert raised.value.message == (
        f"This conversation already has a shared ticket (#{first.pk}); "
        "only one back-office ticket per conversation can be shared with the customer."
    )
    assert written() == before


def test_share_ticket_refuses_second_shared_ticket_on_a_conversation(teammate, conversation):
    first = BackOfficeTicketFactory(actor=teammate, conversation=conversation, share=True)
    second = BackOfficeTicketFactory(actor=teammate, conversation=conversation)
    before = written()

    with pytest.raises(RuleViolation, match=rf"already has a shared ticket \(#{first.pk}\)"):
        actions.share_ticket(actor=teammate, ticket_id=second.pk)

    assert not refreshed(second).is_shared
    assert written() == before


def test_create_back_office_ticket_allows_unshared_tickets_beside_a_shared_one(teammate, conversation):
    BackOfficeTicketFactory(actor=teammate, conversation=conversation, share=True)

    create(teammate, TicketTypeFactory(), conversation, title="Second team")

    assert Ticket.objects.filter(linked_conversation=conversation).count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("round_", range(5))
def test_share_ticket_concurrent_shares_of_one_conversation_share_exactly_one(round_):
    actor = TeammateFactory()
    conversation = ConversationFactory()
    tickets = BackOfficeTicketFactory.create_batch(2, actor=actor, conversation=conversation)

    outcomes = run_at_once(*(lambda t=t: actions.share_ticket(actor=actor, ticket_id=t.pk) for t in tickets))

    refusals = [o for o in outcomes if isinstance(o, RuleViolation)]
    successes = [o for o in outcomes if not isinstance(o, Exception)]
    assert (len(successes), len(refusals)) == (1, 1), outcomes
    assert ONE_SHARED_TICKET in refusals[0].message
    assert Ticket.objects.filter(linked_conversation=conversation, is_shared=True).count() == 1
    assert len(parts_of(conversation, event_type="ticket_shared")) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("round_", range(5))
def test_create_back_office_ticket_concurrent_shared_creates_share_exactly_one(round_):
    actor = TeammateFactory()
    conversation = ConversationFactory()
    ticket_type = TicketTypeFactory()

    outcomes = run_at_once(
        *(lambda n=n: create(actor, ticket_type, conversation, title=f"Shared {n}", share=True) for n in range(2))
    )

    refusals = [o for o in outcomes if isinstance(o, RuleViolation)]
    successes = [o for o in outcomes if not isinstance(o, Exception)]
    assert (len(successes), len(refusals)) == (1, 1), outcomes
    assert ONE_SHARED_TICKET in refusals[0].message
    assert Ticket.objects.filter(linked_conversation=conversation).count() == 1
    assert Ticket.objects.get(linked_conversation=conversation).is_shared
    assert len(parts_of(conversation, event_type="ticket_linked")) == 1


# Rule 5: a back-office ticket linked to a customer ticket cannot be shared


def test_create_back_office_ticket_refuses_to_share_when_linked_to_customer_ticket(teammate):
    customer_ticket = CustomerTicketFactory()
    before = written()

    with pytest.raises(RuleViolation, match="linked to a customer ticket cannot be shared"):
        actions.create_back_office_ticket(
            actor=teammate,
            ticket_type_id=TicketTypeFactory().pk,
            customer_ticket_id=customer_ticket.pk,
            title="Check",
            share=True,
        )

    assert written() == before


def test_create_back_office_ticket_refuses_to_share_from_customer_ticket_thread(teammate):
    customer_ticket = CustomerTicketFactory()
    before = written()

    with pytest.raises(RuleViolation, match="linked to a customer ticket cannot be shared"):
        create(teammate, TicketTypeFactory(), customer_ticket.thread, title="Check", share=True)

    assert written() == before


def test_share_ticket_refuses_ticket_linked_to_customer_ticket(teammate):
    ticket = BackOfficeTicketFactory(actor=teammate, customer_ticket=CustomerTicketFactory())
    before = written()

    with pytest.raises(RuleViolation, match="linked to a customer ticket cannot be shared"):
        actions.share_ticket(actor=teammate, ticket_id=ticket.pk)

    assert not refreshed(ticket).is_shared
    assert written() == before
