"""The rules that decide what may be done with tickets (DESIGN.md section 3), each written once with its message.

Actions enforce them (and the database constraints have the last word); selectors, forms, the admin and the
workflows read them here to offer only what is allowed and to say why something is not. A rule is a function
returning the refusal, a sentence written for the teammate or the customer, or None when the thing is allowed.
Reads only: nothing here writes.
"""

from django.db.models import Q

from tickets.models import (
    SharingPolicy,
    StateCategory,
    Ticket,
    TicketCategory,
    TicketPart,
    TicketType,
    TrackerLink,
    TrackerReply,
)

# Rule 4, also the message of the partial unique index `ticket_one_shared_per_conversation` when it is the judge.
ONE_SHARED_PER_CONVERSATION = (
    "This conversation already has a shared ticket{number}; only one back-office ticket per conversation can be "
    "shared with the customer."
)
# Rule 10: the types that may be sent as ticket forms.
OFFERED_AS_FORMS = Q(category=TicketCategory.CUSTOMER) | Q(
    category=TicketCategory.BACK_OFFICE, sharing_policy=SharingPolicy.OPTIONAL
)
NOT_OFFERED_AS_FORM = (
    "Only customer ticket types and back-office types that may be shared with the customer can be sent as forms."
)
ONLY_BACK_OFFICE_SHARED = (
    "Only back-office tickets are shared; customer tickets are always customer-visible, and trackers never are."
)
ALREADY_REPLIED = "The linked customers already got a reply since this tracker was resolved."
ARCHIVED_TYPE = "This ticket type is archived."


def one_shared_per_conversation(number: int | None = None) -> str:
    """Rule 4's refusal, naming the shared ticket when it is known."""
    return ONE_SHARED_PER_CONVERSATION.format(number=f" (#{number})" if number else "")


def sharing_refusal(
    *, sharing_policy: str, linked_ticket_id: int | None, conversation_id: int | None, ticket_id: int | None = None
) -> str | None:
    """Why a back-office ticket with these links cannot be shared (rules 3-5), or None if it can."""
    if sharing_policy != SharingPolicy.OPTIONAL:
        return "Tickets of this type are never shared with the customer."
    if linked_ticket_id is not None or conversation_id is None:
        return "A back-office ticket linked to a customer ticket cannot be shared with the customer."
    if number := shared_ticket_number(conversation_id, excluding=ticket_id):
        return one_shared_per_conversation(number)
    return None


def shared_ticket_number(conversation_id: int, *, excluding: int | None = None) -> int | None:
    """The back-office ticket shared in the conversation, if any."""
    shared = Ticket.objects.filter(linked_conversation_id=conversation_id, is_shared=True)
    if excluding is not None:
        shared = shared.exclude(pk=excluding)
    return shared.values_list("pk", flat=True).first()


def already_a_customer_ticket(conversation_id: int) -> str | None:
    """A conversation that is a customer ticket's thread takes no second ticket for the customer."""
    number = Ticket.objects.filter(thread_id=conversation_id).values_list("pk", flat=True).first()
    return f"This conversation already is customer ticket #{number}." if number else None


def conversion_refusal(*, conversation_id: int) -> str | None:
    """Why the conversation cannot become a customer ticket, or None if it can: it already is one, or it has a
    shared back-office ticket (the customer would then follow two tickets for one request)."""
    if refusal := already_a_customer_ticket(conversation_id):
        return refusal
    if number := shared_ticket_number(conversation_id):
        return (
            f"This conversation already has a shared ticket (#{number}) that the customer follows; "
            "it cannot also become a customer ticket."
        )
    return None


def is_offered_as_form(ticket_type: TicketType) -> bool:
    """Rule 10: customer types, and back-office types whose sharing policy is `optional`."""
    return ticket_type.category == TicketCategory.CUSTOMER or (
        ticket_type.category == TicketCategory.BACK_OFFICE and ticket_type.sharing_policy == SharingPolicy.OPTIONAL
    )


def form_type_refusal(*, ticket_type: TicketType, conversation_id: int | None = None) -> str | None:
    """Why this type cannot be sent as a ticket form (rule 10), into the conversation when one is given (rule 4:
    the ticket it would make), or None if it can."""
    if ticket_type.archived:
        return ARCHIVED_TYPE
    if not is_offered_as_form(ticket_type):
        return NOT_OFFERED_AS_FORM
    if conversation_id is None:
        return None
    if ticket_type.category == TicketCategory.CUSTOMER:
        # Submitting it converts the conversation: refuse now what the conversion would refuse then.
        return conversion_refusal(conversation_id=conversation_id)
    return already_a_customer_ticket(conversation_id) or sharing_refusal(
        sharing_policy=ticket_type.sharing_policy, linked_ticket_id=None, conversation_id=conversation_id
    )


def form_submission_refusal(*, submitted: bool, type_archived: bool) -> str | None:
    """Why the customer cannot submit a ticket form sent to them (any more), or None if they can."""
    if submitted:
        return "This form has already been sent; you can follow the ticket in your messages."
    if type_archived:
        return "This form is no longer available. Write to us in the conversation instead."
    return None


def not_a_tracker(ticket: Ticket) -> str | None:
    """Only a tracker links conversations and customer tickets."""
    return None if ticket.category == TicketCategory.TRACKER else f"Ticket #{ticket.pk} is not a tracker ticket."


def current_resolution(tracker: Ticket) -> TicketPart | None:
    """The state change that moved the tracker into its current state, if that state is a resolved one."""
    if tracker.state.category != StateCategory.RESOLVED:
        return None
    moves = TicketPart.objects.filter(ticket=tracker, event_type="state_changed", data__to_state_id=tracker.state_id)
    return moves.order_by("-pk").first()


def tracker_reply_refusal(*, tracker: Ticket) -> str | None:
    """Why the tracker (its state loaded) cannot reply to every linked customer now, or None if it can: once per
    resolution, and only to someone."""
    resolution = current_resolution(tracker)
    if resolution is None:
        return "Resolve the tracker first: its reply to every linked customer says the issue is fixed."
    if TrackerReply.objects.filter(resolution=resolution).exists():
        return ALREADY_REPLIED
    if not TrackerLink.objects.filter(tracker=tracker).exists():
        return "No conversation or customer ticket is linked to this tracker: nobody to reply to."
    return None


def snooze_until_moves_refusal(ticket: Ticket, *, conversation_id: int) -> str | None:
    """Why a conversation cannot be snoozed until this ticket moves: the ticket's moves do not come to it."""
    from tickets.selectors.common import list_delivery_conversation_ids  # selectors read this module

    if conversation_id not in list_delivery_conversation_ids(ticket):
        return f"Ticket #{ticket.pk} is not linked to this conversation: its moves never come here."
    return None


def missing_to_resolve(ticket: Ticket) -> list[str]:
    """The attributes the ticket's type requires to resolve it that it has no value for, by name."""
    required = ticket.ticket_type.attributes.filter(required_to_resolve=True, archived=False).order_by("position", "pk")
    return [attribute.name for attribute in required if ticket.attributes.get(attribute.key) in (None, "")]


def fill_to_resolve(missing: list[str]) -> str:
    return (
        f"Fill {', '.join(missing)} to resolve this ticket: the linked conversation gets them as its resolution card."
    )
