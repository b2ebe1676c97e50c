from celery import shared_task
from django.utils import timezone

BATCH_SIZE = 200


@shared_task
def run_timed_workflows() -> int:
    """Record the due runs of the 'stays unassigned / unanswered for a time' workflows (Celery beat, every
    minute): each a pending run and an outbox event, applied once by `helpdesk.tasks.dispatch_events` (and the
    outbox sweep, if a worker dies mid-run). Returns how many were recorded."""
    from workflows.actions import record_timed_run
    from workflows.models import TIMED_TRIGGERS, Workflow
    from workflows.selectors import list_waiting_conversations

    recorded, now = 0, timezone.now()
    for workflow in Workflow.objects.filter(enabled=True, trigger__in=TIMED_TRIGGERS):
        for conversation in list_waiting_conversations(workflow=workflow, now=now, limit=BATCH_SIZE):
            since = conversation.waiting_since or conversation.created_at
            key = f"{workflow.trigger}:{conversation.pk}:{since.isoformat()}"
            run = record_timed_run(workflow=workflow, conversation_id=conversation.pk, trigger_key=key)
            recorded += run is not None
    return recorded
