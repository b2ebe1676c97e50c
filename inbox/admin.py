"""Admin for teams, teammates and contacts (configuration), and read-only browsing of conversations.

Conversations change only through `inbox.actions`, so their admin is a viewer: no add, change or delete.
"""

from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import Count, Model, Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from helpdesk.admin import (
    ReadOnlyAdminMixin,
    TimelineAdminMixin,
    TimelineInline,
    admin_link,
    annotated_count,
    attachment_links,
)
from inbox import actions, messenger
from inbox.models import Contact, Conversation, Part, Team, Teammate

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldsetSpec


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "member_count", "created_at"]
    search_fields = ["name"]
    ordering = ["name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Team]:
        return super().get_queryset(request).annotate(member_count=Count("members", distinct=True))

    @admin.display(description="Members", ordering="member_count")
    def member_count(self, team: Team) -> int:
        return annotated_count(team, "member_count")


@admin.register(Teammate)
class TeammateAdmin(UserAdmin):
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Help desk", {"fields": ["teams"]}))
    add_fieldsets = (
        (None, {"classes": ["wide"], "fields": ["username", "usable_password", "password1", "password2"]}),
        ("Help desk", {"fields": ["first_name", "last_name", "email", "teams"]}),
    )
    filter_horizontal = ["teams", "groups", "user_permissions"]
    list_display = ["full_name", "username", "email", "team_names", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active", "teams"]
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering = ["first_name", "last_name", "username"]

    # Only a superuser hands out what goes beyond the Admins group: the superuser flag, single permissions, groups.
    SUPERUSER_ONLY_FIELDS = ("is_superuser", "user_permissions", "groups")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Teammate]:
        return super().get_queryset(request).prefetch_related(Prefetch("teams", queryset=Team.objects.order_by("name")))

    def get_fieldsets(self, request: HttpRequest, obj: Model | None = None) -> "_FieldsetSpec":
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in self.SUPERUSER_ONLY_FIELDS]})
            for name, options in fieldsets
        ]

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        """A teammate who is not a superuser changes no superuser (nor their password): else an admin could take
        over a superuser's account."""
        if isinstance(obj, Teammate) and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description="Name", ordering="first_name")
    def full_name(self, teammate: Teammate) -> str:
        return teammate.get_full_name() or "-"

    @admin.display(description="Teams")
    def team_names(self, teammate: Teammate) -> str:
        return ", ".join(team.name for team in teammate.teams.all()) or "-"


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "external_id", "conversation_count", "created_at"]
    search_fields = ["name", "email", "external_id"]
    ordering = ["name"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at", "messenger_link"]
    actions = ["sign_out_everywhere"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Contact]:
        return super().get_queryset(request).annotate(conversation_count=Count("conversations"))

    @admin.action(description="Sign out everywhere (every messenger link and session)", permissions=["change"])
    def sign_out_everywhere(self, request: HttpRequest, queryset: QuerySet[Contact]) -> None:
        """Each selected contact's links stop working and their open messenger sessions end at the next request."""
        actor = request.user
        assert isinstance(actor, Teammate)  # the admin lets only active staff in
        contact_ids = list(queryset.values_list("pk", flat=True))
        for contact_id in contact_ids:
            actions.sign_out_contact_everywhere(actor=actor, contact_id=contact_id)
        self.message_user(
            request, f"Signed {len(contact_ids)} contact(s) out everywhere: send them a new link.", messages.SUCCESS
        )

    @admin.display(description="Messenger link (on SITE_URL; expires after MESSENGER_LINK_MAX_AGE_DAYS)")
    def messenger_link(self, contact: Contact) -> str:
        return messenger.messenger_url(contact) if contact.pk else "-"

    @admin.display(description="Conversations", ordering="conversation_count")
    def conversation_count(self, contact: Contact) -> int:
        return annotated_count(contact, "conversation_count")


class PartInline(TimelineInline):
    model = Part
    parent_field = "conversation"
    fields = readonly_fields = ("created_at", "kind", "event_type", "author", "body", "files")

    @admin.display(description="Attachments")
    def files(self, part: Part) -> str:
        return attachment_links(part, "inbox:attachment")


@admin.register(Conversation)
class ConversationAdmin(TimelineAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "subject", "contact", "state", "assignee", "team", "updated_at"]
    list_display_links = ["id", "subject"]
    list_filter = ["state", "team", "assignee"]
    list_select_related = ["contact", "assignee", "team"]
    search_fields = ["=id", "subject", "contact__name", "contact__email", "contact__external_id"]
    date_hierarchy = "updated_at"
    ordering = ["-updated_at"]
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["subject", "contact_link", "state", "snoozed_until", "assignee", "team"]}),
        ("Tickets", {"fields": ["linked_tickets"]}),
        ("Dates", {"fields": ["waiting_since", "created_at", "updated_at"]}),
    ]
    readonly_fields = ["contact_link", "linked_tickets", "waiting_since", "created_at", "updated_at"]
    inlines = [PartInline]

    @admin.display(description="Contact")
    def contact_link(self, conversation: Conversation) -> str:
        return admin_link(conversation.contact)

    @admin.display(description="Linked tickets")
    def linked_tickets(self, conversation: Conversation) -> str:
        """The customer ticket this conversation is the thread of, its back-office tickets and trackers.

        Reached through reverse relations so that the inbox app does not import the tickets app."""
        tickets = []
        if customer_ticket := getattr(conversation, "customer_ticket", None):
            tickets.append(("Customer ticket", customer_ticket))
        for ticket in conversation.back_office_tickets.order_by("pk"):
            tickets.append(("Back-office ticket, shared" if ticket.is_shared else "Back-office ticket", ticket))
        for link in conversation.tracker_links.select_related("tracker").order_by("pk"):
            tickets.append(("Tracker", link.tracker))
        if not tickets:
            return "-"
        return format_html_join(mark_safe("<br>"), "{}: {}", ((kind, admin_link(t)) for kind, t in tickets))
