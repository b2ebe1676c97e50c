"""Ticket states: their labels for teammates and customers, their category and order."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from tickets.models import (
    TicketState,
    TicketType,
)


class TicketStateForm(forms.ModelForm):
    class Meta:
        model = TicketState
        fields = "__all__"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        state = self.instance  # still the stored values: the form copies its data onto it after clean()
        leaves_category = cleaned.get("archived") or cleaned.get("category", state.category) != state.category
        if state.pk and not state.archived and leaves_category:
            others = TicketState.objects.filter(category=state.category, archived=False).exclude(pk=state.pk)
            stranded = TicketType.objects.filter(states=state).exclude(states__in=others).order_by("name")
            if names := list(stranded.values_list("name", flat=True)):
                self.add_error(
                    None,
                    f"{', '.join(names)} would have no live “{state.get_category_display()}” state; "
                    "give them another one first.",
                )
        return cleaned


@admin.register(TicketState)
class TicketStateAdmin(admin.ModelAdmin):
    form = TicketStateForm
    list_display = ["internal_label", "customer_label", "category", "position", "archived"]
    list_editable = ["position"]
    list_filter = ["category", "archived"]
    search_fields = ["internal_label", "customer_label"]
    ordering = ["position", "pk"]

    def has_delete_permission(self, request: HttpRequest, obj: TicketState | None = None) -> bool:
        return False
