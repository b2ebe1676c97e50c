"""The rules the database itself holds (DESIGN.md section 3): each test writes a bad row past the actions.

Every test names the constraint it expects, so a row refused for another reason cannot pass for it.
"""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from inbox.models import Conversation, ConversationState
from tests.factories import (
    ConversationFactory,
    CustomerTicketFactory,
    TeamFactory,
    TicketAttributeFactory,
    TicketTypeFactory,
    state,
)
from tickets.models import SharingPolicy, StateCategory, Ticket, TicketCategory, TicketType

pytestmark = pytest.mark.django_db


def insert_ticket(**fields) -> Ticket:
    """Insert a ticket row directly; by default a valid, unshared back-office ticket of an optional type."""
    ticket_type = fields.pop("ticket_type", None) or TicketTypeFactory()
    values = {
        "ticket_type": ticket_type,
        "category": ticket_type.category,
        "sharing_policy": ticket_type.sharing_policy,
        "title": "Refund the duplicate charge",
        "state": state(StateCategory.SUBMITTED),
        "team": ticket_type.default_team,
    }
    if "linked_conversation" not in fields and "linked_ticket" not in fields and "thread" not in fields:
        values["linked_conversation"] = ConversationFactory()
    return Ticket.objects.create(**(values | fields))


def test_ticket_accepts_a_shared_back_office_ticket_of_an_optional_type():
    ticket = insert_ticket(is_shared=True)

    assert Ticket.objects.get(pk=ticket.pk).is_shared


def test_ticket_refuses_shared_ticket_of_a_never_type():
    never = TicketTypeFactory(never_shared=True)

    with pytest.raises(IntegrityError, match="ticket_shared_only_when_allowed"), transaction.atomic():
        insert_ticket(ticket_type=never, is_shared=True)


def test_ticket_refuses_shared_ticket_linked_to_a_customer_ticket():
    customer_ticket = CustomerTicketFactory()

    with pytest.raises(IntegrityError, match="ticket_shared_only_when_allowed"), transaction.atomic():
        insert_ticket(linked_ticket=customer_ticket, is_shared=True)


@pytest.mark.parametrize("category", ["customer", "tracker"])
def test_ticket_refuses_sharing_flag_on_customer_and_tracker_tickets(category):
    ticket_type = TicketTypeFactory(**{category: True})
    links = {"linked_conversation": None, "thread": ConversationFactory() if category == "customer" else None}

    with pytest.raises(IntegrityError, match="ticket_shared_only_when_allowed"), transaction.atomic():
        insert_ticket(ticket_type=ticket_type, is_shared=True, **links)


def test_ticket_refuses_second_shared_ticket_on_one_conversation():
    conversation = ConversationFactory()
    insert_ticket(linked_conversation=conversation, is_shared=True)

    with pytest.raises(IntegrityError, match="ticket_one_shared_per_conversation"), transaction.atomic():
        insert_ticket(linked_conversation=conversation, is_shared=True)

    assert Ticket.objects.filter(linked_conversation=conversation, is_shared=True).count() == 1


def test_ticket_accepts_several_unshared_back_office_tickets_on_one_conversation():
    conversation = ConversationFactory()
    insert_ticket(linked_conversation=conversation, is_shared=True)
    insert_ticket(linked_conversation=conversation)
    insert_ticket(linked_conversation=conversation)

    assert Ticket.objects.filter(linked_conversation=conversation).count() == 3


def test_ticket_refuses_back_office_ticket_without_a_link():
    with pytest.raises(IntegrityError, match="ticket_back_office_linked_once"), transaction.atomic():
        insert_ticket(linked_conversation=None)


def test_ticket_refuses_back_office_ticket_with_both_links():
    customer_ticket = CustomerTicketFactory()

    with pytest.raises(IntegrityError, match="ticket_back_office_linked_once"), transaction.atomic():
        insert_ticket(linked_conversation=ConversationFactory(), linked_ticket=customer_ticket)


def test_ticket_refuses_tracker_with_a_direct_link():
    tracker_type = TicketTypeFactory(tracker=True)

    with pytest.raises(IntegrityError, match="ticket_back_office_linked_once"), transaction.atomic():
        insert_ticket(ticket_type=tracker_type, linked_conversation=ConversationFactory())


def test_ticket_refuses_customer_ticket_without_a_thread():
    customer_type = TicketTypeFactory(customer=True)

    with pytest.raises(IntegrityError, match="ticket_customer_iff_thread"), transaction.atomic():
        insert_ticket(ticket_type=customer_type, thread=None)


def test_ticket_refuses_back_office_ticket_with_a_thread():
    with pytest.raises(IntegrityError, match="ticket_customer_iff_thread"), transaction.atomic():
        insert_ticket(linked_conversation=ConversationFactory(), thread=ConversationFactory())


@pytest.mark.parametrize(
    ("category", "sharing_policy"),
    [
        (TicketCategory.CUSTOMER, SharingPolicy.NEVER),
        (TicketCategory.CUSTOMER, SharingPolicy.OPTIONAL),
        (TicketCategory.BACK_OFFICE, SharingPolicy.ALWAYS),
        (TicketCategory.TRACKER, SharingPolicy.OPTIONAL),
        (TicketCategory.TRACKER, SharingPolicy.ALWAYS),
    ],
)
def test_ticket_type_refuses_sharing_policy_that_does_not_fit_its_category(category, sharing_policy):
    with pytest.raises(IntegrityError, match="ticket_type_policy_fits_category"), transaction.atomic():
        TicketType.objects.create(
            name="Misfit", category=category, sharing_policy=sharing_policy, default_team=TeamFactory()
        )


@pytest.mark.parametrize("category", [TicketCategory.BACK_OFFICE, TicketCategory.TRACKER])
def test_ticket_type_refuses_back_office_or_tracker_type_without_default_team(category):
    with pytest.raises(IntegrityError, match="ticket_type_owned_has_default_team"), transaction.atomic():
        TicketType.objects.create(name="Nobody's", category=category, sharing_policy=SharingPolicy.NEVER)


def test_ticket_type_allows_customer_type_without_default_team():
    ticket_type = TicketType.objects.create(
        name="Order problem", category=TicketCategory.CUSTOMER, sharing_policy=SharingPolicy.ALWAYS
    )

    assert ticket_type.default_team is None


def test_ticket_refuses_back_office_ticket_without_team():
    with pytest.raises(IntegrityError, match="ticket_owned_has_team"), transaction.atomic():
        insert_ticket(team=None)


def test_ticket_refuses_tracker_ticket_without_team():
    tracker_type = TicketTypeFactory(tracker=True)

    with pytest.raises(IntegrityError, match="ticket_owned_has_team"), transaction.atomic():
        insert_ticket(ticket_type=tracker_type, linked_conversation=None, team=None)


def test_team_with_tickets_cannot_be_deleted():
    ticket = insert_ticket()

    with pytest.raises(ProtectedError), transaction.atomic():
        ticket.team.delete()

    assert Ticket.objects.get(pk=ticket.pk).team_id == ticket.team_id


def test_conversation_refuses_snooze_without_deadline():
    with pytest.raises(IntegrityError, match="conversation_snooze_iff_deadline"), transaction.atomic():
        ConversationFactory(state=ConversationState.SNOOZED, snoozed_until=None)


def test_conversation_refuses_deadline_when_not_snoozed():
    conversation = ConversationFactory(snoozed=True)

    with pytest.raises(IntegrityError, match="conversation_snooze_iff_deadline"), transaction.atomic():
        Conversation.objects.filter(pk=conversation.pk).update(state=ConversationState.OPEN)


def test_ticket_attribute_refuses_required_for_customers_when_hidden_from_them():
    with pytest.raises(IntegrityError, match="ticket_attribute_customer_required_is_visible"), transaction.atomic():
        TicketAttributeFactory(required_for_customers=True, visible_to_customers=False)


def test_ticket_attribute_refuses_required_to_create_when_not_on_the_create_form():
    with pytest.raises(IntegrityError, match="ticket_attribute_required_is_visible"), transaction.atomic():
        TicketAttributeFactory(required_to_create=True, visible_on_create=False)
