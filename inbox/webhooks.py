"""The inbox's events as webhooks (helpdesk/webhooks.py); each delivery's data is the API's shape of the
conversation, and of the part for messages, replies and notes."""

from typing import Any

from helpdesk.models import OutboxEvent, WebhookTopic
from helpdesk.outbox import subscribe
from helpdesk.webhooks import queue_events
from inbox import events
from inbox.api import conversation_payload, part_payload

TOPICS = {
    events.ConversationStarted: WebhookTopic.CONVERSATION_CREATED,
    events.CustomerMessageReceived: WebhookTopic.CONVERSATION_CUSTOMER_REPLIED,
    events.ReplyPosted: WebhookTopic.CONVERSATION_REPLIED,
    events.ConversationNotePosted: WebhookTopic.CONVERSATION_NOTE_CREATED,
    events.ConversationAssigned: WebhookTopic.CONVERSATION_ASSIGNED,
    events.ConversationSnoozed: WebhookTopic.CONVERSATION_SNOOZED,
    events.ConversationClosed: WebhookTopic.CONVERSATION_CLOSED,
    events.ConversationReopened: WebhookTopic.CONVERSATION_REOPENED,
}


def conversation_data(row: OutboxEvent) -> dict[str, Any]:
    data: dict[str, Any] = {"conversation": conversation_payload(row.payload["conversation_id"])}
    if "part_id" in row.payload:
        data["part"] = part_payload(row.payload["part_id"])
    return data


@subscribe(*TOPICS, batch=True)
def queue_conversation_webhooks(rows: list[OutboxEvent]) -> None:
    queue_events(rows, topics=TOPICS, data=conversation_data)
