from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from inbox.models import Contact, Conversation, ConversationState, Part, PartKind, SavedReply, Team, Teammate
from tickets.models import (
    SharingPolicy,
    StateCategory,
    Ticket,
    TicketAttribute,
    TicketCategory,
    TicketPart,
    TicketPartKind,
    TicketState,
    TicketType,
)


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")


class TeammateFactory(DjangoModelFactory):
    class Meta:
        model = Teammate
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"teammate{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    is_staff = True
    password = factory.django.Password("correct horse battery staple")


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    name = factory.Faker("name")
    email = factory.Faker("email")
    external_id = factory.Sequence(lambda n: f"customer-{n}")


class ConversationFactory(DjangoModelFactory):
    class Meta:
        model = Conversation

    contact = factory.SubFactory(ContactFactory)
    subject = factory.Sequence(lambda n: f"Conversation {n}")

    class Params:
        snoozed = factory.Trait(
            state=ConversationState.SNOOZED,
            snoozed_until=factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1)),
        )
        closed = factory.Trait(state=ConversationState.CLOSED)


class SavedReplyFactory(DjangoModelFactory):
    """A shared saved reply (`owner=` makes it personal)."""

    class Meta:
        model = SavedReply

    name = factory.Sequence(lambda n: f"Saved reply {n}")
    body = "Hi {{contact.first_name}}, thanks for writing."
    owner = None


class PartFactory(DjangoModelFactory):
    class Meta:
        model = Part

    conversation = factory.SubFactory(ConversationFactory)
    kind = PartKind.CUSTOMER_MESSAGE
    body = factory.Faker("sentence")


def default_states() -> list[TicketState]:
    """The four states the migration creates, one per category."""
    return list(TicketState.objects.filter(category__in=StateCategory.values).order_by("position")[:4])


def state(category: str) -> TicketState:
    return TicketState.objects.filter(category=category).order_by("position").first()


class TicketTypeFactory(DjangoModelFactory):
    class Meta:
        model = TicketType
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Ticket type {n}")
    icon = "ticket"
    category = TicketCategory.BACK_OFFICE
    sharing_policy = SharingPolicy.OPTIONAL
    default_team = factory.SubFactory(TeamFactory)  # back-office and tracker types need one

    @factory.post_generation
    def states(self, create, extracted, **kwargs):
        if create:
            self.states.set(extracted if extracted is not None else default_states())

    class Params:
        never_shared = factory.Trait(sharing_policy=SharingPolicy.NEVER)
        customer = factory.Trait(
            category=TicketCategory.CUSTOMER, sharing_policy=SharingPolicy.ALWAYS, default_team=None
        )
        tracker = factory.Trait(category=TicketCategory.TRACKER, sharing_policy=SharingPolicy.NEVER)


class TicketAttributeFactory(DjangoModelFactory):
    class Meta:
        model = TicketAttribute

    ticket_type = factory.SubFactory(TicketTypeFactory)
    key = factory.Sequence(lambda n: f"attribute_{n}")
    name = factory.Sequence(lambda n: f"Attribute {n}")
    kind = "text"


# Tickets are built through their actions, so a test starts from a row the rules produced (the right
# first state, the copied category and sharing policy, the "ticket linked" part) rather than a hand-made one.


class CustomerTicketFactory(factory.Factory):
    """A customer ticket with its own thread, created by `tickets.actions.create_customer_ticket`."""

    class Meta:
        model = Ticket

    actor = factory.SubFactory(TeammateFactory)
    ticket_type = factory.SubFactory(TicketTypeFactory, customer=True)
    contact = factory.SubFactory(ContactFactory)
    title = factory.Sequence(lambda n: f"Customer ticket {n}")

    @classmethod
    def _create(cls, model_class, *, actor, ticket_type, contact, **kwargs):
        from tickets.actions import create_customer_ticket

        return create_customer_ticket(actor=actor, ticket_type_id=ticket_type.pk, contact_id=contact.pk, **kwargs)


class BackOfficeTicketFactory(factory.Factory):
    """A back-office ticket created by `tickets.actions.create_back_office_ticket`.

    Linked to a new conversation unless given `conversation=` or `customer_ticket=`.
    """

    class Meta:
        model = Ticket

    actor = factory.SubFactory(TeammateFactory)
    ticket_type = factory.SubFactory(TicketTypeFactory)
    customer_ticket = None
    conversation = factory.Maybe(
        "customer_ticket", yes_declaration=None, no_declaration=factory.SubFactory(ConversationFactory)
    )
    title = factory.Sequence(lambda n: f"Back-office ticket {n}")

    @classmethod
    def _create(cls, model_class, *, actor, ticket_type, conversation, customer_ticket, **kwargs):
        from tickets.actions import create_back_office_ticket

        return create_back_office_ticket(
            actor=actor,
            ticket_type_id=ticket_type.pk,
            conversation_id=conversation.pk if conversation else None,
            customer_ticket_id=customer_ticket.pk if customer_ticket else None,
            **kwargs,
        )


class TrackerTicketFactory(factory.Factory):
    """A tracker ticket created by `tickets.actions.create_tracker_ticket`, linked to nothing yet."""

    class Meta:
        model = Ticket

    actor = factory.SubFactory(TeammateFactory)
    ticket_type = factory.SubFactory(TicketTypeFactory, tracker=True)
    title = factory.Sequence(lambda n: f"Tracker ticket {n}")

    @classmethod
    def _create(cls, model_class, *, actor, ticket_type, **kwargs):
        from tickets.actions import create_tracker_ticket

        return create_tracker_ticket(actor=actor, ticket_type_id=ticket_type.pk, **kwargs)


class TicketStateFactory(DjangoModelFactory):
    """An extra ticket state; the four defaults come from the migration (see `default_states`)."""

    class Meta:
        model = TicketState

    internal_label = factory.Sequence(lambda n: f"State {n}")
    customer_label = factory.LazyAttribute(lambda o: o.internal_label)
    category = StateCategory.IN_PROGRESS
    position = 100


class TicketNoteFactory(DjangoModelFactory):
    """A note in a ticket's timeline, written directly: for tests that need many parts fast (query counts).
    Tests of posting notes go through `tickets.actions.post_ticket_note`."""

    class Meta:
        model = TicketPart

    ticket = None
    kind = TicketPartKind.NOTE
    body = factory.Faker("sentence")
    author = factory.SubFactory(TeammateFactory)


def add_order_number(ticket_type: TicketType, **fields) -> TicketAttribute:
    """The "Order number" attribute a customer fills in a ticket form (visible to and required for customers)."""
    return TicketAttributeFactory(
        ticket_type=ticket_type,
        key="order",
        name="Order number",
        visible_to_customers=True,
        required_for_customers=True,
        **fields,
    )
