"""The inbox's events as webhooks (helpdesk/webhooks.py); each delivery's data is the API's shape of the
conversation, and of the part for messages, replies and notes."""

from typing import Any

from helpdesk.models import OutboxEvent, WebhookTopic
from helpdesk.outbox import subscribe
from helpdesk.webhooks import queue_webhooks, subscribed_topics
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
BY_KIND = {event_class.__name__: topic for event_class, topic in TOPICS.items()}


@subscribe(*TOPICS, batch=True)
def queue_conversation_webhooks(rows: list[OutboxEvent]) -> None:
    wanted = subscribed_topics()
    for row in rows:
        topic = BY_KIND[row.kind]
        if topic not in wanted:
            continue
        data: dict[str, Any] = {"conversation": conversation_payload(row.payload["conversation_id"])}
        if "part_id" in row.payload:
            data["part"] = part_payload(row.payload["part_id"])
        queue_webhooks(row=row, topic=topic, data=data)
