"""The admin site's look, helpers shared by the apps' admins, and a read-only view of the outbox."""

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.contrib.admin.options import InlineModelAdmin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from helpdesk import outbox
from helpdesk.models import OutboxEvent

admin.site.site_header = "Help desk admin"
admin.site.site_title = "Help desk admin"
admin.site.index_title = "Configuration and records"


def admin_link(obj: Model | None, label: str | None = None) -> str:
    """A link to `obj`'s admin change page, or "-" when there is nothing to link to."""
    if obj is None:
        return "-"
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, label or str(obj))


def annotated_count(obj: Model, name: str) -> int:
    """A count that the admin's `get_queryset` annotated onto `obj`: the model does not declare it."""
    count: int = getattr(obj, name)
    return count


class ReadOnlyAdminMixin:
    """Browse only. Records change through the domain actions, never through admin forms (STYLE.md 1)."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class TimelineInline(ReadOnlyAdminMixin, admin.TabularInline):
    """A read-only timeline (conversation parts, ticket parts), oldest first, each with its author."""

    parent_field = ""  # the foreign key to the page's object
    extra = 0
    ordering = ["created_at", "pk"]
    verbose_name_plural = "Timeline"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("author").prefetch_related("attachments")


def attachment_links(part: Model, url_name: str) -> str:
    """A timeline part's attachments (prefetched), each a link to the teammates' download URL, with its size and
    type; never the storage's own path."""
    rows = [
        (
            reverse(url_name, args=[attachment.pk]),
            attachment.name,
            filesizeformat(attachment.size),
            attachment.content_type,
        )
        for attachment in part.attachments.all()  # type: ignore[attr-defined]  # the reverse relation of each app's model
    ]
    if not rows:
        return "-"
    return format_html_join(mark_safe("<br>"), '<a href="{}">{}</a> ({}, {})', rows)


if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[Any]  # what the mixin is mixed into, for its super() and message_user calls
else:
    _ModelAdmin = object


class TimelineAdminMixin(_ModelAdmin):
    """Shows the latest `timeline_limit` entries of a long timeline, and all of them on request (?timeline=all).

    Every row of an inline is a form with its own markup: thousands of them make a page of megabytes
    that takes seconds to render, so a long timeline is cut to its latest entries unless asked for.
    """

    timeline_limit = 200

    def get_formset_kwargs(
        self, request: HttpRequest, obj: Model | None, inline: "InlineModelAdmin[Any, Any]", prefix: str
    ) -> dict[str, Any]:
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if obj is None or not isinstance(inline, TimelineInline) or request.GET.get("timeline") == "all":
            return kwargs
        entries = inline.model.objects.filter(**{inline.parent_field: obj})
        total = entries.count()
        if total > self.timeline_limit:
            latest = entries.order_by("-created_at", "-pk").values("pk")[: self.timeline_limit]
            kwargs["queryset"] = kwargs["queryset"].filter(pk__in=latest)
            self.message_user(
                request,
                format_html(
                    'The timeline shows its latest {} of {} entries. <a href="?timeline=all">Show all of them</a>.',
                    self.timeline_limit,
                    total,
                ),
                messages.INFO,
            )
        return kwargs


class PendingFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "pending"

    def lookups(self, request: HttpRequest, model_admin: "admin.ModelAdmin[Any]") -> list[tuple[str, str]]:
        return [("yes", "Pending"), ("no", "Done")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[OutboxEvent]) -> QuerySet[OutboxEvent]:
        if self.value() in ("yes", "no"):
            return queryset.filter(done_at__isnull=self.value() == "yes")
        return queryset


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "kind", "created_at", "done_at", "attempts", "short_error"]
    list_filter = [PendingFilter]
    search_fields = ["=id", "kind", "handler"]
    ordering = ["-pk"]
    # The outbox grows without bound: no full count, no date hierarchy (both scan the whole table).
    show_full_result_count = False
    fields = ["kind", "handler", "payload", "created_at", "done_at", "attempts", "last_error"]
    actions = ["enqueue_pending"]

    @admin.display(description="Last error")
    def short_error(self, event: OutboxEvent) -> str:
        return Truncator(event.last_error).chars(80) or "-"

    @admin.action(description="Re-enqueue the selected pending events")
    def enqueue_pending(self, request: HttpRequest, queryset: QuerySet[OutboxEvent]) -> None:
        """Ask the worker to apply them now rather than at the next sweep; applying is idempotent."""
        ids = list(queryset.filter(done_at__isnull=True).exclude(handler="").values_list("pk", flat=True))
        sent = len(ids) if ids and outbox.enqueue(ids) else 0
        level = messages.SUCCESS if sent == len(ids) else messages.WARNING
        self.message_user(request, f"Re-enqueued {sent} of {len(ids)} pending events.", level)


from helpdesk import tokens_admin, webhooks_admin  # noqa: E402, F401  # the API tokens' and webhooks' admins
