"""What the inbox's events tell teammates (helpdesk/notify.py): a conversation assigned to them, a note that mentions
them. Each notification is keyed by the outbox row that caused it: applied twice, it notifies once."""

from django.urls import reverse

from helpdesk.models import NotificationKind, OutboxEvent
from helpdesk.notify import notify
from helpdesk.outbox import subscribe
from inbox import events
from inbox.mentions import mentioned_teammate_ids
from inbox.models import Part, Teammate
from inbox.selectors import get_conversation


def conversation_url(conversation_id: int) -> str:
    """Its permanent address: the inbox, or for a back-office-only teammate the ticket it sees it through."""
    return reverse("tickets:open-conversation", args=[conversation_id])


def name_of(teammate_id: int | None) -> str:
    teammate = Teammate.objects.filter(pk=teammate_id).first() if teammate_id else None
    return str(teammate) if teammate else "A workflow"


@subscribe(events.ConversationAssigned)
def notify_assigned(row: OutboxEvent) -> None:
    payload = row.payload
    if payload["assignee_id"] in (None, payload.get("from_assignee_id")):
        return
    conversation = get_conversation(conversation_id=payload["conversation_id"])
    notify(
        recipient_ids=[payload["assignee_id"]],
        key=f"{row.kind}:{row.pk}",
        kind=NotificationKind.ASSIGNED,
        text=f"{name_of(payload['actor_id'])} assigned you conversation #{conversation.pk} with {conversation.contact}",
        url=conversation_url(conversation.pk),
        actor_id=payload["actor_id"],
        conversation_id=conversation.pk,
    )


@subscribe(events.ConversationNotePosted)
def notify_mentioned(row: OutboxEvent) -> None:
    payload = row.payload
    body = Part.objects.filter(pk=payload["part_id"]).values_list("body", flat=True).first() or ""
    mentioned = mentioned_teammate_ids(body)
    if mentioned:
        notify(
            recipient_ids=mentioned,
            key=f"{row.kind}:{row.pk}",
            kind=NotificationKind.MENTIONED,
            text=f"{name_of(payload['actor_id'])} mentioned you in conversation #{payload['conversation_id']}",
            url=conversation_url(payload["conversation_id"]),
            body=body,
            actor_id=payload["actor_id"],
            conversation_id=payload["conversation_id"],
        )
