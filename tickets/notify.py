"""What the tickets' events tell teammates (helpdesk/notify.py): a ticket assigned to them, a note that mentions them,
a state change of a ticket they made or follow, the customer replying in a conversation linked to a ticket they are
assigned or follow, a response target due soon or missed. Each notification is keyed by the outbox row that caused it:
applied twice, it notifies once."""

from datetime import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from helpdesk.models import NotificationKind, OutboxEvent
from helpdesk.notify import notify
from helpdesk.outbox import subscribe
from inbox import events as inbox_events
from inbox.mentions import mentioned_teammate_ids
from inbox.models import Conversation, Part, Teammate
from inbox.notify import name_of
from tickets import events
from tickets.models import StateCategory, TargetKind, Ticket, TicketFollower, TicketPart


def ticket_url(ticket_id: int) -> str:
    return reverse("tickets:open", args=[ticket_id])


def key_of(row: OutboxEvent) -> str:
    return f"{row.kind}:{row.pk}"


def followers_of(ticket_ids: list[int]) -> set[int]:
    return set(TicketFollower.objects.filter(ticket_id__in=ticket_ids).values_list("teammate_id", flat=True))


@subscribe(events.TicketAssigned)
def notify_assigned(row: OutboxEvent) -> None:
    payload = row.payload
    ticket = Ticket.objects.filter(pk=payload["ticket_id"]).first()
    if ticket is None or payload["assignee_id"] in (None, payload.get("from_assignee_id")):
        return
    notify(
        recipient_ids=[payload["assignee_id"]],
        key=key_of(row),
        kind=NotificationKind.ASSIGNED,
        text=f"{name_of(payload['actor_id'])} assigned you ticket {ticket}",
        url=ticket_url(ticket.pk),
        actor_id=payload["actor_id"],
        ticket_id=ticket.pk,
    )


@subscribe(events.TicketNotePosted, events.TicketNoteCrossPosted)
def notify_mentioned(row: OutboxEvent) -> None:
    payload = row.payload
    part = TicketPart.objects.select_related("ticket").filter(pk=payload["part_id"]).first()
    mentioned = mentioned_teammate_ids(part.body) if part else set()
    if part and mentioned:
        notify(
            recipient_ids=mentioned,
            key=key_of(row),
            kind=NotificationKind.MENTIONED,
            text=f"{name_of(payload['actor_id'])} mentioned you on ticket {part.ticket}",
            url=ticket_url(part.ticket_id),
            body=part.body,
            actor_id=payload["actor_id"],
            ticket_id=part.ticket_id,
        )


@subscribe(events.TicketStateChanged)
def notify_state_changed(row: OutboxEvent) -> None:
    payload = row.payload
    ticket = Ticket.objects.filter(pk=payload["ticket_id"]).first()
    if ticket is None:
        return
    notify(
        recipient_ids={ticket.created_by_id} | followers_of([ticket.pk]),
        key=key_of(row),
        kind=NotificationKind.STATE_CHANGED,
        text=f"{name_of(payload['actor_id'])} moved ticket {ticket} from {payload['from_label']} to "
        f"{payload['to_label']}",
        url=ticket_url(ticket.pk),
        actor_id=payload["actor_id"],
        ticket_id=ticket.pk,
    )


@subscribe(inbox_events.CustomerMessageReceived)
def notify_customer_replied(row: OutboxEvent) -> None:
    """The assignees and followers of the open tickets linked to the conversation: back-office tickets linked to it
    (or to its customer ticket) and trackers it is linked to."""
    conversation_id = row.payload["conversation_id"]
    tickets = list(
        Ticket.objects.filter(
            Q(linked_conversation_id=conversation_id)
            | Q(linked_ticket__thread_id=conversation_id)
            | Q(tracker_links__conversation_id=conversation_id)
        )
        .exclude(state__category=StateCategory.RESOLVED)
        .values_list("pk", "assignee_id")
        .distinct()
    )
    if not tickets:
        return
    conversation = Conversation.objects.filter(pk=conversation_id).select_related("contact").first()
    message = Part.objects.filter(pk=row.payload["part_id"]).values_list("body", flat=True).first()
    recipients = {assignee_id for _, assignee_id in tickets} | followers_of([pk for pk, _ in tickets])
    numbers = ", ".join(f"#{pk}" for pk, _ in sorted(tickets))
    customer = conversation.contact if conversation else "The customer"
    linked = f"ticket{'s' if len(tickets) > 1 else ''} {numbers}"
    notify(
        recipient_ids=recipients,
        key=key_of(row),
        kind=NotificationKind.CUSTOMER_REPLIED,
        text=f"{customer} replied in conversation #{conversation_id}, linked to {linked}",
        url=reverse("tickets:open-conversation", args=[conversation_id]),
        body=message or "",
        conversation_id=conversation_id,
    )


def owners_of(ticket: Ticket) -> set[int]:
    """Its assignee; unassigned, its team's members."""
    if ticket.assignee_id:
        return {ticket.assignee_id}
    return set(Teammate.objects.filter(teams=ticket.team_id).values_list("pk", flat=True)) if ticket.team_id else set()


@subscribe(events.ResponseTargetDueSoon, events.ResponseTargetMissed)
def notify_response_target(row: OutboxEvent) -> None:
    payload = row.payload
    ticket = Ticket.objects.filter(pk=payload["ticket_id"]).first()
    if ticket is None:
        return
    target = TargetKind(payload["target"]).label.lower()
    due = timezone.localtime(datetime.fromisoformat(payload["due_at"]))
    missed = row.kind == events.ResponseTargetMissed.__name__
    recipients = owners_of(ticket) | ({ticket.created_by_id} | followers_of([ticket.pk]) if missed else set())
    what = "was missed" if missed else "is due soon"
    notify(
        recipient_ids=recipients,
        key=key_of(row),
        kind=NotificationKind.TARGET_MISSED if missed else NotificationKind.TARGET_DUE,
        text=f"The {target} target of ticket {ticket} {what}: due {due:%b %-d, %H:%M}",
        url=ticket_url(ticket.pk),
        ticket_id=ticket.pk,
    )
