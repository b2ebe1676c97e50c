"""Workflows triggered by domain events, run by `helpdesk.tasks.dispatch_event` after commit."""

from helpdesk.models import OutboxEvent
from workflows.actions import run_workflow
from workflows.models import Trigger
from workflows.selectors import get_conversation_facts, get_ticket_facts, list_enabled_workflows

TRIGGERS = {
    "ConversationStarted": Trigger.CONVERSATION_STARTED,
    "CustomerMessageReceived": Trigger.CUSTOMER_REPLIED,
    "TicketStateChanged": Trigger.TICKET_STATE_CHANGED,
}


def run_workflows(event: OutboxEvent) -> None:
    """Run every enabled workflow listening to this event. The run's key is this outbox row, so a
    redelivered task finds the run there and does nothing."""
    workflows = list_enabled_workflows(trigger=TRIGGERS[event.kind])
    if not workflows:
        return
    payload = event.payload
    if event.kind == "TicketStateChanged":
        facts = get_ticket_facts(ticket_id=payload["ticket_id"])
        if facts is None:
            return  # only back-office tickets trigger workflows
    else:
        facts = get_conversation_facts(conversation_id=payload["conversation_id"], part_id=payload.get("part_id"))
    for workflow in workflows:
        run_workflow(workflow=workflow, facts=facts, trigger_key=f"event:{event.pk}")
