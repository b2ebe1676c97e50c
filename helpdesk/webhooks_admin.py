"""Webhooks in the admin: endpoints with their topics (a disabled one flagged with its reason), their secret and its
rotation; every delivery with its status, response code and timing, replayed by an action or its page's button."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from helpdesk.admin import ReadOnlyAdminMixin
from helpdesk.errors import DomainError
from helpdesk.models import WebhookDelivery, WebhookEndpoint, WebhookTopic
from helpdesk.webhooks import replay_webhook, rotate_webhook_secret
from inbox.models import Teammate


class WebhookEndpointForm(forms.ModelForm):
    topics = forms.MultipleChoiceField(choices=WebhookTopic.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "topics", "active"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["name", "url", "topic_list", "active", "failing_since", "notice"]
    list_filter = ["active"]
    search_fields = ["name", "url"]
    actions = ["rotate_secret"]

    def get_fields(self, request: HttpRequest, obj: WebhookEndpoint | None = None) -> Any:
        if obj is None:
            return ["name", "url", "topics", "active"]
        return ["name", "url", "topics", "active", "secret", "failing_since", "notice", "created_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: WebhookEndpoint | None = None) -> Any:
        return [] if obj is None else ["secret", "failing_since", "notice", "created_at"]

    @admin.display(description="Topics")
    def topic_list(self, endpoint: WebhookEndpoint) -> str:
        return ", ".join(endpoint.topics)

    @admin.display(description="Notice")
    def notice(self, endpoint: WebhookEndpoint) -> str:
        if endpoint.disabled_at is None:
            return "-"
        return format_html('<strong class="errornote">Disabled: {}</strong>', endpoint.disabled_reason)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        disabled = list(WebhookEndpoint.objects.filter(disabled_at__isnull=False).values_list("name", flat=True))
        if disabled and request.method == "GET":
            names = ", ".join(disabled)
            self.message_user(request, f"Disabled after failing for days: {names}. Fix the receiver, then tick Active.")
        return super().changelist_view(request, extra_context)

    def save_model(self, request: HttpRequest, obj: WebhookEndpoint, form: forms.Form, change: bool) -> None:
        if obj.active and obj.disabled_at is not None:  # turned on again: it starts afresh
            obj.disabled_at, obj.disabled_reason, obj.failing_since = None, "", None
        super().save_model(request, obj, form, change)

    @admin.action(description="Rotate the secret of the selected endpoints", permissions=["change"])
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        for endpoint_id in queryset.values_list("pk", flat=True):
            rotate_webhook_secret(endpoint_id=endpoint_id)
        self.message_user(request, "New secrets: update the receivers, which must verify with them from now on.")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "delivery_id", "endpoint", "topic", "status", "response_code", "response_ms", "attempts", "next_attempt_at",
        "created_at",
    ]  # fmt: skip
    list_filter = ["status", "topic", "endpoint"]
    list_select_related = ["endpoint"]
    search_fields = ["=delivery_id"]
    ordering = ["-pk"]
    show_full_result_count = False  # deliveries grow without bound: no full count
    fields = [
        "delivery_id", "endpoint", "topic", "status", "attempts", "response_code", "response_ms", "last_error",
        "next_attempt_at", "created_at", "sent_at", "body",
    ]  # fmt: skip
    actions = ["replay"]
    change_form_template = "admin/helpdesk/webhookdelivery/change_form.html"

    def get_urls(self) -> list[URLPattern]:
        replay = path(
            "<int:delivery_pk>/replay/",
            self.admin_site.admin_view(require_POST(self.replay_view)),
            name="helpdesk_webhookdelivery_replay",
        )
        return [replay, *super().get_urls()]

    def has_replay_permission(self, request: HttpRequest) -> bool:
        """Sending a delivery again changes it: the change permission, though its admin changes nothing itself."""
        return request.user.has_perm("helpdesk.change_webhookdelivery")

    def render_change_form(self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        return super().render_change_form(
            request, {**context, "can_replay": self.has_replay_permission(request)}, *args, **kwargs
        )

    def replay_view(self, request: HttpRequest, delivery_pk: int) -> HttpResponse:
        if not self.has_replay_permission(request):
            raise PermissionDenied
        delivery = get_object_or_404(WebhookDelivery, pk=delivery_pk)
        self._replay(request, [delivery.pk])
        return HttpResponseRedirect(reverse("admin:helpdesk_webhookdelivery_change", args=[delivery.pk]))

    @admin.action(description="Replay the selected deliveries (same id and body)", permissions=["replay"])
    def replay(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        self._replay(request, list(queryset.values_list("pk", flat=True)))

    def _replay(self, request: HttpRequest, delivery_pks: list[int]) -> None:
        actor = request.user
        assert isinstance(actor, Teammate)
        replayed, refusals = 0, []
        for pk in delivery_pks:
            try:
                replay_webhook(actor=actor, delivery_pk=pk)
                replayed += 1
            except DomainError as error:
                refusals.append(error.message)
        if replayed:
            self.message_user(request, f"Replaying {replayed} deliveries.", messages.SUCCESS)
        for message in dict.fromkeys(refusals):
            self.message_user(request, message, messages.WARNING)
