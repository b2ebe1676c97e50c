"""The admin of saved replies: admins (the Admins group) keep the shared ones, and their own. Another teammate's
personal saved replies are theirs alone: the admin never lists them. Saving and deleting go through
inbox.saved_replies.actions, as the teammates' own page does."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Q, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from inbox.models import Teammate
from inbox.saved_replies import actions
from inbox.saved_replies.forms import SavedReplyModelForm
from inbox.saved_replies.models import SavedReply


def teammate_of(request: HttpRequest) -> Teammate:
    user = request.user
    assert isinstance(user, Teammate)  # the admin lets only active staff in
    return user


class SavedReplyAdminForm(SavedReplyModelForm):
    """The admin's: a shared saved reply, or the admin's own (`teammate`, set by the admin for the request)."""

    shared = forms.BooleanField(
        required=False, initial=True, help_text="Every teammate sees and uses it. Unticked: only you do."
    )
    teammate: Teammate

    class Meta:
        model = SavedReply
        fields = ["name", "kind", "body", "state_effect", "assign_to_me", "assign_teammate", "assign_team"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["shared"] = self.instance.is_shared

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.instance.owner = None if data.get("shared") else (self.instance.owner or self.teammate)
        return data


class SharedFilter(admin.SimpleListFilter):
    title = "shared"
    parameter_name = "shared"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Shared with everyone"), ("no", "Only mine")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[SavedReply]) -> QuerySet[SavedReply]:
        if self.value() in ("yes", "no"):
            return queryset.filter(owner__isnull=self.value() == "yes")
        return queryset


@admin.register(SavedReply)
class SavedReplyAdmin(admin.ModelAdmin):
    form = SavedReplyAdminForm
    list_display = ["name", "kind", "sharing", "effects", "updated_at"]
    list_filter = [SharedFilter, "kind", "state_effect"]
    search_fields = ["name", "body"]
    ordering = ["name"]
    autocomplete_fields = ["assign_teammate", "assign_team"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "body", "shared"]}),
        (
            "Effects when a message written from it is sent",
            {"fields": ["state_effect", "assign_to_me", "assign_teammate", "assign_team"]},
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[SavedReply]:
        rows = super().get_queryset(request).select_related("assign_teammate", "assign_team")
        return rows.filter(Q(owner__isnull=True) | Q(owner=teammate_of(request)))

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> type[ModelForm]:
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"teammate": teammate_of(request)})

    def save_model(self, request: HttpRequest, obj: SavedReply, form: Any, change: bool) -> None:
        actions.save_saved_reply(actor=teammate_of(request), saved_reply=obj)

    def delete_model(self, request: HttpRequest, obj: SavedReply) -> None:
        actions.delete_saved_reply(actor=teammate_of(request), saved_reply_id=obj.pk)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[SavedReply]) -> None:
        for saved_reply_id in queryset.values_list("pk", flat=True):
            actions.delete_saved_reply(actor=teammate_of(request), saved_reply_id=saved_reply_id)

    @admin.display(description="Shared")
    def sharing(self, saved_reply: SavedReply) -> str:
        return "Everyone" if saved_reply.is_shared else "Only me"

    @admin.display(description="Then")
    def effects(self, saved_reply: SavedReply) -> str:
        return saved_reply.effects_label or "-"
