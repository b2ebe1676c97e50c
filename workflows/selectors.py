"""Reads for running workflows: what a trigger is about, and which workflows listen to it."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet

from inbox.models import Conversation, ConversationState, Part
from tickets.models import Ticket, TicketCategory
from tickets.selectors import context_conversation_id
from workflows.models import Trigger, Workflow, WorkflowRun


@dataclass(frozen=True, slots=True)
class Facts:
    """What conditions look at: the conversation (with contact, team, assignee), the message, the ticket."""

    conversation: Conversation
    message_text: str = ""
    ticket: Ticket | None = None


def list_enabled_workflows(*, trigger: str) -> list[Workflow]:
    return list(
        Workflow.objects.filter(enabled=True, trigger=trigger)
        .prefetch_related("conditions", "actions")
        .order_by("name")
    )


def get_conversation_facts(*, conversation_id: int, part_id: int | None = None) -> Facts:
    conversation = Conversation.objects.select_related("contact").get(pk=conversation_id)
    message = Part.objects.filter(pk=part_id).values_list("body", flat=True).first() if part_id else ""
    return Facts(conversation=conversation, message_text=message or "")


def get_ticket_facts(*, ticket_id: int) -> Facts | None:
    """Facts of a back-office ticket and the conversation it is linked to; None for other tickets."""
    ticket = Ticket.objects.select_related("ticket_type", "state", "linked_ticket").get(pk=ticket_id)
    if ticket.category != TicketCategory.BACK_OFFICE:
        return None
    conversation_id = context_conversation_id(ticket)
    if conversation_id is None:
        return None
    conversation = Conversation.objects.select_related("contact").get(pk=conversation_id)
    return Facts(conversation=conversation, ticket=ticket)


def list_waiting_conversations(*, workflow: Workflow, now: datetime, limit: int) -> QuerySet[Conversation]:
    """Open conversations that have waited `wait_minutes` for the timed trigger and have no run of this
    workflow (pending or done) since the wait began."""
    already = WorkflowRun.objects.filter(workflow=workflow, conversation=OuterRef("pk"))
    if workflow.trigger != Trigger.UNASSIGNED_FOR:
        already = already.filter(created_at__gte=OuterRef("waiting_since"))
    return Conversation.objects.filter(waiting(workflow, now)).exclude(Exists(already)).order_by("pk")[:limit]


def waiting(workflow: Workflow, now: datetime) -> Q:
    """The conversations a timed workflow is due on at `now`: open, and unassigned (or waiting for a reply) for its
    `wait_minutes`. Read when its runs are recorded, and again, under lock, when each is applied."""
    cutoff = now - workflow_wait(workflow)
    if workflow.trigger == Trigger.UNASSIGNED_FOR:
        return Q(state=ConversationState.OPEN, assignee__isnull=True, created_at__lte=cutoff)
    return Q(state=ConversationState.OPEN, waiting_since__lte=cutoff)


def workflow_wait(workflow: Workflow) -> timedelta:
    return timedelta(minutes=workflow.wait_minutes or 0)
