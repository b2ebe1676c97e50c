"""Tickets, browsed read-only with their timeline; they change only through `tickets.actions`."""

import json

from django.contrib import admin
from django.db.models import Model
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from helpdesk.admin import (
    ReadOnlyAdminMixin,
    TimelineAdminMixin,
    TimelineInline,
    admin_link,
    attachment_links,
)
from tickets.models import (
    Ticket,
    TicketPart,
)


class TicketPartInline(TimelineInline):
    model = TicketPart
    parent_field = "ticket"
    fields = readonly_fields = ("created_at", "kind", "event_type", "author", "cross_posted", "body", "files")

    @admin.display(description="Attachments")
    def files(self, part: TicketPart) -> str:
        return attachment_links(part, "tickets:attachment")


@admin.register(Ticket)
class TicketAdmin(TimelineAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "title", "ticket_type", "category", "state", "assignee", "team", "is_shared", "updated_at"]
    list_display_links = ["id", "title"]
    list_filter = [
        "category",
        "ticket_type",
        "state",
        "team",
        "assignee",
        "is_shared",
    ]
    list_select_related = ["ticket_type", "state", "assignee", "team"]
    search_fields = ["=id", "title"]
    date_hierarchy = "updated_at"
    ordering = ["-pk"]
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["title", "ticket_type", "category", "sharing_policy", "is_shared", "state"]}),
        ("People", {"fields": ["assignee", "team", "created_by"]}),
        ("Links", {"fields": ["conversation_link", "customer_ticket_link", "thread_link", "linked_links"]}),
        ("Details", {"fields": ["description", "attribute_values"]}),
        ("Dates", {"fields": ["created_at", "updated_at"]}),
    ]
    readonly_fields = [
        "conversation_link",
        "customer_ticket_link",
        "thread_link",
        "linked_links",
        "attribute_values",
        "created_at",
        "updated_at",
    ]
    inlines = [TicketPartInline]

    @admin.display(description="Linked conversation")
    def conversation_link(self, ticket: Ticket) -> str:
        return admin_link(ticket.linked_conversation)

    @admin.display(description="Linked customer ticket")
    def customer_ticket_link(self, ticket: Ticket) -> str:
        return admin_link(ticket.linked_ticket)

    @admin.display(description="Customer thread")
    def thread_link(self, ticket: Ticket) -> str:
        return admin_link(ticket.thread)

    @admin.display(description="Linked to it")
    def linked_links(self, ticket: Ticket) -> str:
        """Back-office tickets linked to this customer ticket, and what a tracker links."""
        links: list[tuple[str, Model | None]] = [
            ("Back-office ticket", t) for t in ticket.back_office_tickets.order_by("pk")
        ]
        for link in ticket.tracker_links.select_related("conversation", "customer_ticket").order_by("pk"):
            target = link.conversation or link.customer_ticket
            links.append(("Conversation" if link.conversation_id else "Customer ticket", target))
        links += [("Tracker", link.tracker) for link in ticket.tracked_by.select_related("tracker").order_by("pk")]
        if not links:
            return "-"
        return format_html_join(mark_safe("<br>"), "{}: {}", ((kind, admin_link(obj)) for kind, obj in links))

    @admin.display(description="Attributes")
    def attribute_values(self, ticket: Ticket) -> str:
        names = dict(ticket.ticket_type.attributes.values_list("key", "name"))
        if not ticket.attributes:
            return "-"
        rows = (
            (names.get(key, key), v if isinstance(v, str) else json.dumps(v)) for key, v in ticket.attributes.items()
        )
        return format_html_join(mark_safe("<br>"), "{}: {}", rows)
