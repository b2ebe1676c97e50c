"""The tickets' events as webhooks (helpdesk/webhooks.py); each delivery's data is the API's shape of the ticket, and
of the note for notes."""

from typing import Any

from helpdesk.models import OutboxEvent, WebhookTopic
from helpdesk.outbox import subscribe
from helpdesk.webhooks import queue_events
from tickets import events
from tickets.api import ticket_part_payload, ticket_payload

TOPICS = {
    events.TicketCreated: WebhookTopic.TICKET_CREATED,
    events.TicketStateChanged: WebhookTopic.TICKET_STATE_CHANGED,
    events.TicketAssigned: WebhookTopic.TICKET_ASSIGNED,
    events.TicketNotePosted: WebhookTopic.TICKET_NOTE_CREATED,
    events.TicketNoteCrossPosted: WebhookTopic.TICKET_NOTE_CREATED,
    events.TicketShared: WebhookTopic.TICKET_SHARED,
    events.TicketAttributesChanged: WebhookTopic.TICKET_ATTRIBUTES_CHANGED,
}
# What an event says beyond the ticket and its part, passed on as it is.
EXTRAS = ("from_state_id", "to_state_id", "changed")


def ticket_data(row: OutboxEvent) -> dict[str, Any]:
    data: dict[str, Any] = {"ticket": ticket_payload(row.payload["ticket_id"])}
    if "part_id" in row.payload:
        data["part"] = ticket_part_payload(row.payload["part_id"])
    return data | {key: row.payload[key] for key in EXTRAS if key in row.payload}


@subscribe(*TOPICS, batch=True)
def queue_ticket_webhooks(rows: list[OutboxEvent]) -> None:
    queue_events(rows, topics=TOPICS, data=ticket_data)
