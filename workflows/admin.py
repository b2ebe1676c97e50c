"""Workflows in the admin: trigger, conditions, ordered actions (each showing only the fields its kind
needs), and the recent runs with their outcome. Runs are records: read-only."""

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, Field, Q, QuerySet
from django.http import HttpRequest

from helpdesk.admin import ReadOnlyAdminMixin, admin_link, annotated_count
from inbox.models import WORKING
from workflows.models import ACTION_FIELDS, Workflow, WorkflowAction, WorkflowCondition, WorkflowRun

RECENT_RUNS = 20


class LiveChoicesForm(forms.ModelForm):
    """A condition's or an action's choices offer no archived ticket type or state and no inactive teammate,
    while a row that already names one keeps it: it shows as it is and the workflow still saves."""

    LIVE = {"ticket_type": Q(archived=False), "ticket_state": Q(archived=False), "teammate": WORKING}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, live in self.LIVE.items():
            field, named = self.fields.get(name), getattr(self.instance, f"{name}_id", None)
            if isinstance(field, forms.ModelChoiceField) and field.queryset is not None:
                field.queryset = field.queryset.filter(live | Q(pk=named) if named else live)


class ConditionInline(admin.TabularInline):
    model = WorkflowCondition
    form = LiveChoicesForm
    extra = 0
    fields = ["field", "attribute_key", "operator", "value", "team", "teammate", "ticket_type", "ticket_state"]


class ActionInline(admin.StackedInline):
    model = WorkflowAction
    form = LiveChoicesForm
    extra = 0
    ordering = ["position", "pk"]
    fields = ["position", "kind", "ticket_type", "team", "teammate", "note", "snooze_minutes"]
    classes = ["workflow-action"]

    def formfield_for_dbfield(
        self, db_field: "Field[Any, Any]", request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        # workflow_actions.js shows only the fields of the chosen kind
        if field is not None and db_field.name == "kind":
            field.widget.attrs["data-fields-by-kind"] = json.dumps(ACTION_FIELDS)
        return field


class RecentRunInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = WorkflowRun
    verbose_name_plural = f"Recent runs (latest {RECENT_RUNS})"
    fields = readonly_fields = ("created_at", "status", "conversation_link", "error")
    ordering = ["-created_at", "-pk"]
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request).select_related("conversation")
        latest = queryset.order_by("-created_at", "-pk").values_list("pk", flat=True)[:RECENT_RUNS]
        return queryset.filter(pk__in=list(latest))

    @admin.display(description="Conversation")
    def conversation_link(self, run: WorkflowRun) -> str:
        return admin_link(run.conversation)


@admin.register(Workflow)
class WorkflowAdmin(admin.ModelAdmin):
    list_display = ["name", "trigger", "enabled", "action_count", "updated_at"]
    list_filter = ["enabled", "trigger"]
    search_fields = ["name"]
    fields = ["name", "enabled", "trigger", "wait_minutes", "match"]
    inlines = [ConditionInline, ActionInline, RecentRunInline]

    class Media:
        js = ["admin/js/workflow_actions.js"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(actions_total=Count("actions"))

    @admin.display(description="Actions", ordering="actions_total")
    def action_count(self, workflow: Workflow) -> int:
        return annotated_count(workflow, "actions_total")


@admin.register(WorkflowRun)
class WorkflowRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "workflow", "status", "conversation_link", "error"]
    list_filter = ["status", "workflow"]
    list_select_related = ["workflow", "conversation"]
    date_hierarchy = "created_at"
    search_fields = ["workflow__name", "error", "trigger_key"]

    @admin.display(description="Conversation")
    def conversation_link(self, run: WorkflowRun) -> str:
        return admin_link(run.conversation)
