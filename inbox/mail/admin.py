"""Admin of the email channel: the email sent to customers and received from them, read-only. Their one change,
sending or reading a failed one again, is an admin action that calls `inbox.mail.actions`."""

from collections.abc import Callable, Iterable

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from helpdesk.admin import ReadOnlyAdminMixin, admin_link
from helpdesk.errors import DomainError
from inbox.mail import actions as mail_actions
from inbox.models import InboundEmail, OutboundEmail, Teammate


def _acting_teammate(request: HttpRequest) -> Teammate:
    actor = request.user
    assert isinstance(actor, Teammate)  # the admin lets only active staff in
    return actor


def apply_to_each(
    admin_page: admin.ModelAdmin,
    request: HttpRequest,
    ids: Iterable[int],
    action: Callable[[Teammate, int], None],
    verb: str,
) -> None:
    """Call the action on each email (`action(actor, email_id)`), then say how many were done, and why each of the
    others was refused."""
    actor, done = _acting_teammate(request), 0
    for email_id in ids:
        try:
            action(actor, email_id)
        except DomainError as error:
            admin_page.message_user(request, f"Email {email_id}: {error.message}", messages.WARNING)
        else:
            done += 1
    if done:
        admin_page.message_user(request, f"{verb} {done} email(s).", messages.SUCCESS)


def resend_one(actor: Teammate, email_id: int) -> None:
    mail_actions.resend_email(actor=actor, outbound_email_id=email_id)


def read_one_again(actor: Teammate, email_id: int) -> None:
    mail_actions.retry_inbound_email(actor=actor, inbound_email_id=email_id)


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The email sent to customers, with its delivery status. A failed one is sent again by the admin action, which
    calls `resend_email` (it refuses one that did not fail, or whose contact still has no usable address)."""

    list_display = ["id", "status", "kind", "to", "subject", "attempts", "short_error", "created_at", "sent_at"]
    list_display_links = ["id", "subject"]
    list_filter = ["status", "kind"]
    list_select_related = ["contact"]
    search_fields = ["=id", "to", "subject", "key", "=message_id"]
    ordering = ["-created_at", "-pk"]
    # Mail grows without bound: no full count, no date hierarchy (both scan the whole table).
    show_full_result_count = False
    fields = [
        "status",
        "kind",
        "key",
        "contact_link",
        "conversation_link",
        "to",
        "from_name",
        "reply_to",
        "subject",
        "body",
        "message_id",
        "in_reply_to",
        "references",
        "attempts",
        "last_error",
        "next_attempt_at",
        "created_at",
        "sent_at",
    ]
    readonly_fields = ["contact_link", "conversation_link"]
    actions = ["send_again"]

    @admin.display(description="Last error")
    def short_error(self, email: OutboundEmail) -> str:
        return Truncator(email.last_error).chars(80) or "-"

    @admin.display(description="Contact")
    def contact_link(self, email: OutboundEmail) -> str:
        return admin_link(email.contact)

    @admin.display(description="Conversation")
    def conversation_link(self, email: OutboundEmail) -> str:
        return admin_link(email.conversation)

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("inbox.change_outboundemail")

    @admin.action(description="Send again (failed emails)", permissions=["resend"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[OutboundEmail]) -> None:
        ids = queryset.values_list("pk", flat=True)
        apply_to_each(self, request, ids, resend_one, "Queued again")


@admin.register(InboundEmail)
class InboundEmailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The email received, as it was read: delivered into a conversation, ignored as noise, or failed with the reason.
    The message itself opens as plain text (`inbox:email-raw`); a failed one is read again by the admin action, which
    calls `retry_inbound_email`."""

    list_display = ["id", "status", "sender", "subject", "short_reason", "source", "received_at"]
    list_display_links = ["id", "subject"]
    list_filter = ["status", "source"]
    search_fields = ["=id", "sender", "subject", "=message_id"]
    ordering = ["-received_at", "-pk"]
    show_full_result_count = False
    fields = [
        "status",
        "reason",
        "sender",
        "subject",
        "message_id",
        "source",
        "envelope_from",
        "envelope_to",
        "attempts",
        "conversation_link",
        "raw_link",
        "received_at",
    ]
    readonly_fields = ["conversation_link", "raw_link"]
    actions = ["read_again"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[InboundEmail]:
        # The raw bytes stay in the database until the raw view asks for them: a page of 100 messages is no 2.5 GB.
        return super().get_queryset(request).defer("raw").select_related("part__conversation")

    @admin.display(description="Reason")
    def short_reason(self, inbound: InboundEmail) -> str:
        return Truncator(inbound.reason).chars(80) or "-"

    @admin.display(description="Conversation")
    def conversation_link(self, inbound: InboundEmail) -> str:
        return admin_link(inbound.part.conversation if inbound.part else None)

    @admin.display(description="Message")
    def raw_link(self, inbound: InboundEmail) -> str:
        url = reverse("inbox:email-raw", args=[inbound.pk])
        return format_html('<a href="{}">The message as it arrived (plain text)</a>', url)

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("inbox.change_inboundemail")

    @admin.action(description="Read again (failed emails)", permissions=["retry"])
    def read_again(self, request: HttpRequest, queryset: QuerySet[InboundEmail]) -> None:
        ids = queryset.values_list("pk", flat=True)
        apply_to_each(self, request, ids, read_one_again, "Reading again")
