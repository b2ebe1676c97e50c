"""API tokens in the admin: made for a teammate or a new integration account, the key shown once, revoked by an
action (never deleted, so that what a token did keeps its name), last use shown."""

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse

from helpdesk.models import ApiScope, ApiToken
from helpdesk.tokens import create_api_token, create_integration_account, revoke_api_tokens
from inbox.models import Teammate

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldGroups


class ApiTokenChangeForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(choices=ApiScope.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ApiToken
        fields = ["name", "scopes", "rate_limit"]


class ApiTokenForm(ApiTokenChangeForm):
    teammate = forms.ModelChoiceField(
        queryset=Teammate.objects.filter(is_staff=True, is_active=True).order_by("first_name", "username"),
        required=False,
        help_text="The account it acts as: its notes and changes show this name.",
    )
    integration = forms.CharField(
        label="Or a new integration account",
        max_length=150,
        required=False,
        help_text="Makes an account for the tool (staff, no password: nobody signs in with it) that the token acts "
        "as, e.g. “Billing console”.",
    )

    class Meta:
        model = ApiToken
        fields = ["name", "teammate", "integration", "scopes", "rate_limit"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if bool(cleaned.get("teammate")) == bool(cleaned.get("integration")):
            raise forms.ValidationError("Choose the teammate the token acts as, or name a new integration account.")
        return cleaned


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = ApiTokenForm
    list_display = ["name", "teammate", "prefix", "scope_list", "rate_limit", "created_at", "last_used_at", "status"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["teammate"]
    search_fields = ["name", "prefix", "teammate__username", "teammate__first_name"]
    actions = ["revoke"]
    readonly_fields = ["teammate", "prefix", "created_by", "created_at", "last_used_at", "revoked_at"]

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> "_FieldGroups":
        if obj is None:
            return ["name", "teammate", "integration", "scopes", "rate_limit"]
        return [
            "name",
            "teammate",
            "prefix",
            "scopes",
            "rate_limit",
            "created_by",
            "created_at",
            "last_used_at",
            "revoked_at",
        ]

    def get_form(self, request: HttpRequest, obj: ApiToken | None = None, change: bool = False, **kwargs: Any) -> Any:
        return super().get_form(request, obj, change, form=ApiTokenChangeForm if obj else ApiTokenForm, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        return [] if obj is None else self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    @admin.display(description="Scopes")
    def scope_list(self, token: ApiToken) -> str:
        return ", ".join(token.scopes)

    @admin.display(description="Status")
    def status(self, token: ApiToken) -> str:
        return "Revoked" if token.revoked_at else "Active"

    def save_model(self, request: HttpRequest, obj: ApiToken, form: forms.Form, change: bool) -> None:
        if change:
            obj.save(update_fields=["name", "scopes", "rate_limit"])
            return
        data = form.cleaned_data
        teammate = data["teammate"] or create_integration_account(name=data["integration"])
        made = create_api_token(
            actor=request.user if isinstance(request.user, Teammate) else None,
            teammate_id=teammate.pk,
            name=data["name"],
            scopes=data["scopes"],
            rate_limit=data["rate_limit"],
        )
        obj.pk = made.token.pk
        obj.refresh_from_db()
        request.new_api_key = made.key  # type: ignore[attr-defined]  # shown once, by response_add

    def response_add(self, request: HttpRequest, obj: ApiToken, post_url_continue: str | None = None) -> HttpResponse:
        """The key, on this page only: it is not stored and cannot be shown again."""
        context = {
            **self.admin_site.each_context(request),
            "title": "Copy the new token",
            "token": obj,
            "key": getattr(request, "new_api_key", ""),
            "opts": self.opts,
            "list_url": reverse("admin:helpdesk_apitoken_changelist"),
        }
        return TemplateResponse(request, "admin/helpdesk/apitoken/created.html", context)

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        revoked = revoke_api_tokens(token_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request, f"Revoked {revoked} tokens; requests with them are refused from now on.", messages.SUCCESS
        )
