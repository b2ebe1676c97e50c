from celery import shared_task
from django.utils import timezone

BATCH_SIZE = 200


@shared_task
def run_timed_workflows() -> int:
    """Run the 'stays unassigned / unanswered for a time' workflows (Celery beat, every minute). Returns runs."""
    from workflows.actions import run_workflow
    from workflows.models import TIMED_TRIGGERS, Workflow
    from workflows.selectors import Facts, list_waiting_conversations

    runs, now = 0, timezone.now()
    for workflow in Workflow.objects.filter(enabled=True, trigger__in=TIMED_TRIGGERS).prefetch_related(
        "conditions", "actions"
    ):
        for conversation in list_waiting_conversations(workflow=workflow, now=now, limit=BATCH_SIZE):
            since = conversation.waiting_since or conversation.created_at
            key = f"{workflow.trigger}:{conversation.pk}:{since.isoformat()}"
            runs += run_workflow(workflow=workflow, facts=Facts(conversation=conversation), trigger_key=key) is not None
    return runs
