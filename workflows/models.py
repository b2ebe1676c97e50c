"""Workflows: when a trigger fires and the conditions hold, run the actions, in order, as the system."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from inbox.models import Conversation, Team, Teammate
from tickets import rules
from tickets.models import TicketCategory, TicketState, TicketType


class Trigger(models.TextChoices):
    CONVERSATION_STARTED = "conversation_started", "A customer starts a new conversation"
    CUSTOMER_REPLIED = "customer_replied", "A customer replies"
    TICKET_STATE_CHANGED = "ticket_state_changed", "A back-office ticket changes state"
    UNASSIGNED_FOR = "unassigned_for", "A conversation stays unassigned for a time"
    UNANSWERED_FOR = "unanswered_for", "A conversation stays unanswered for a time"


TIMED_TRIGGERS = (Trigger.UNASSIGNED_FOR, Trigger.UNANSWERED_FOR)


class Match(models.TextChoices):
    ALL = "all", "All conditions hold"
    ANY = "any", "Any condition holds"


class Workflow(models.Model):
    name = models.CharField(max_length=120, unique=True)
    trigger = models.CharField(max_length=32, choices=Trigger)
    wait_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="For the 'stays unassigned / unanswered' triggers: how long."
    )
    match = models.CharField(max_length=8, choices=Match, default=Match.ALL)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(name="workflow_trigger_valid", condition=Q(trigger__in=Trigger.values)),
            models.CheckConstraint(
                name="workflow_wait_iff_timed",
                condition=Q(trigger__in=TIMED_TRIGGERS, wait_minutes__gte=1)
                | (~Q(trigger__in=TIMED_TRIGGERS) & Q(wait_minutes__isnull=True)),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.trigger in TIMED_TRIGGERS and not self.wait_minutes:
            raise ValidationError({"wait_minutes": "Say how many minutes the conversation must wait."})
        if self.trigger not in TIMED_TRIGGERS and self.wait_minutes:
            raise ValidationError({"wait_minutes": "Only the 'stays unassigned / unanswered' triggers wait."})


class ConditionField(models.TextChoices):
    MESSAGE_TEXT = "message_text", "Message text"
    CONTACT_ATTRIBUTE = "contact_attribute", "Contact attribute"
    CONVERSATION_TEAM = "conversation_team", "Conversation team"
    CONVERSATION_ASSIGNEE = "conversation_assignee", "Conversation assignee"
    TICKET_TYPE = "ticket_type", "Ticket type"
    TICKET_STATE = "ticket_state", "Ticket state"


class Operator(models.TextChoices):
    CONTAINS = "contains", "contains"
    EQUALS = "equals", "is"
    NOT_EQUALS = "not_equals", "is not"
    IS_EMPTY = "is_empty", "is empty"


class WorkflowCondition(models.Model):
    """One test on the triggering message, contact, conversation or ticket. Text tests ignore case."""

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="conditions")
    field = models.CharField(max_length=32, choices=ConditionField)
    attribute_key = models.CharField(max_length=60, blank=True, help_text="For a contact attribute: its key.")
    operator = models.CharField(max_length=16, choices=Operator, default=Operator.EQUALS)
    value = models.CharField(max_length=200, blank=True)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    teammate = models.ForeignKey(Teammate, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    ticket_type = models.ForeignKey(TicketType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    ticket_state = models.ForeignKey(TicketState, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_field_display()} {self.get_operator_display()} {self.value}".strip()

    def clean(self) -> None:
        needs: dict[str, str] = {
            ConditionField.CONVERSATION_TEAM: "team",
            ConditionField.CONVERSATION_ASSIGNEE: "teammate",
            ConditionField.TICKET_TYPE: "ticket_type",
            ConditionField.TICKET_STATE: "ticket_state",
        }
        if self.field == ConditionField.CONTACT_ATTRIBUTE and not self.attribute_key:
            raise ValidationError({"attribute_key": "Name the contact attribute to test."})
        if self.field in needs and self.operator != Operator.IS_EMPTY and not getattr(self, f"{needs[self.field]}_id"):
            raise ValidationError(
                {needs[self.field]: f"Choose the {needs[self.field].replace('_', ' ')} to compare with."}
            )
        if self.field == ConditionField.MESSAGE_TEXT and self.operator == Operator.CONTAINS and not self.value:
            raise ValidationError({"value": "Say what the message must contain."})


class ActionKind(models.TextChoices):
    SEND_TICKET_FORM = "send_ticket_form", "Send ticket form"
    ASSIGN = "assign", "Assign to a team or teammate"
    ADD_NOTE = "add_note", "Add an internal note"
    SNOOZE = "snooze", "Snooze for a duration"
    CLOSE = "close", "Close the conversation"
    CREATE_TICKET = "create_ticket", "Create a linked back-office ticket"


# The fields each kind of action uses: the admin shows only these (its script reads this mapping from the page),
# and `action_errors` says which of them must be filled.
ACTION_FIELDS: dict[str, list[str]] = {
    ActionKind.SEND_TICKET_FORM: ["ticket_type", "team"],
    ActionKind.ASSIGN: ["team", "teammate"],
    ActionKind.ADD_NOTE: ["note"],
    ActionKind.SNOOZE: ["snooze_minutes"],
    ActionKind.CLOSE: [],
    ActionKind.CREATE_TICKET: ["ticket_type", "team", "teammate", "note"],
}


class WorkflowAction(models.Model):
    """One step of a workflow; only the fields its kind needs are set (checked in clean)."""

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="actions")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=32, choices=ActionKind)
    ticket_type = models.ForeignKey(TicketType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    teammate = models.ForeignKey(Teammate, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True, help_text="The internal note, or the new ticket's title.")
    snooze_minutes = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(name="workflow_action_kind_valid", condition=Q(kind__in=ActionKind.values)),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    def clean(self) -> None:
        errors = action_errors(self)
        if errors:
            raise ValidationError(errors)


def action_errors(action: WorkflowAction) -> dict[str, str]:
    """What is missing or not allowed for this kind of action (rule 10 for ticket forms)."""
    kind, ticket_type = action.kind, action.ticket_type if action.ticket_type_id else None
    if kind == ActionKind.SEND_TICKET_FORM:
        if ticket_type is None:
            return {"ticket_type": "Choose the ticket type whose form to send."}
        if refusal := rules.form_type_refusal(ticket_type=ticket_type):
            return {"ticket_type": refusal}
    if kind == ActionKind.ASSIGN and not (action.team_id or action.teammate_id):
        return {"team": "Choose a team, a teammate or both."}
    if kind == ActionKind.ADD_NOTE and not action.note.strip():
        return {"note": "Write the note to add."}
    if kind == ActionKind.SNOOZE and not action.snooze_minutes:
        return {"snooze_minutes": "Say for how many minutes to snooze."}
    if kind == ActionKind.CREATE_TICKET:
        if ticket_type is None or ticket_type.category != TicketCategory.BACK_OFFICE or ticket_type.archived:
            return {"ticket_type": "Choose a back-office ticket type that is not archived."}
        if not action.note.strip():
            return {"note": "Give the new ticket a title."}
    return {}


class RunStatus(models.TextChoices):
    # A timed workflow's run is recorded (with the outbox event that applies it) before it runs.
    PENDING = "pending", "Waiting to run"
    SKIPPED = "skipped", "Conditions did not hold"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class WorkflowRun(models.Model):
    """One evaluation of a workflow for one triggering event; the unique key is what makes it never run twice.
    Its outcome commits in the same transaction as its actions' effects (workflows.actions)."""

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="runs")
    trigger_key = models.CharField(max_length=100)
    conversation = models.ForeignKey(Conversation, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=16, choices=RunStatus)
    log = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["workflow", "trigger_key"], name="workflow_run_once_per_trigger"),
        ]

    def __str__(self) -> str:
        return f"{self.workflow} · {self.get_status_display()}"
