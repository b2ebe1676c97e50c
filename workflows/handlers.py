"""Workflows run by `helpdesk.tasks.dispatch_events` after commit: those triggered by domain events, and the
timed ones whose runs the beat records."""

from helpdesk.models import OutboxEvent
from helpdesk.outbox import subscribe
from inbox import events as inbox_events
from tickets import events as ticket_events
from workflows.actions import apply_timed_run, run_workflow
from workflows.events import TimedWorkflowDue
from workflows.models import Trigger
from workflows.selectors import get_conversation_facts, get_ticket_facts, list_enabled_workflows

TRIGGERS = {
    "ConversationStarted": Trigger.CONVERSATION_STARTED,
    "CustomerMessageReceived": Trigger.CUSTOMER_REPLIED,
    "TicketStateChanged": Trigger.TICKET_STATE_CHANGED,
}


@subscribe(inbox_events.ConversationStarted, inbox_events.CustomerMessageReceived, ticket_events.TicketStateChanged)
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


@subscribe(TimedWorkflowDue)
def run_timed_workflow(event: OutboxEvent) -> None:
    """Apply a timed workflow's run, recorded pending by the beat (`workflows.tasks.run_timed_workflows`) with
    this event: its outcome and effects commit with the event marked done, so a killed worker's run is retried."""
    apply_timed_run(run_id=event.payload["run_id"])
