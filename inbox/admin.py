"""Admin for teams, teammates and contacts (configuration), read-only browsing of conversations, and the messenger's
installation on the company's website; the email sent and received is in `inbox.mail.admin`.

Conversations change only through `inbox.actions`, so their admin is a viewer: no add, change or delete.
"""

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import Count, Model, Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from helpdesk.admin import (
    ReadOnlyAdminMixin,
    TimelineAdminMixin,
    TimelineInline,
    admin_link,
    annotated_count,
    attachment_links,
)
from inbox import actions, embed_actions, messenger
from inbox.models import Contact, Conversation, MessengerInstallation, Part, Team, Teammate

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldsetSpec


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "email_name", "member_count", "created_at"]
    search_fields = ["name"]
    ordering = ["name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Team]:
        return super().get_queryset(request).annotate(member_count=Count("members", distinct=True))

    @admin.display(description="Members", ordering="member_count")
    def member_count(self, team: Team) -> int:
        return annotated_count(team, "member_count")


@admin.register(Teammate)
class TeammateAdmin(UserAdmin):
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Help desk", {"fields": ["teams", "access"]}))
    add_fieldsets = (
        (None, {"classes": ["wide"], "fields": ["username", "usable_password", "password1", "password2"]}),
        ("Help desk", {"fields": ["first_name", "last_name", "email", "teams", "access"]}),
    )
    filter_horizontal = ["teams", "groups", "user_permissions"]
    list_display = ["full_name", "username", "email", "team_names", "access", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active", "access", "teams"]
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
    list_display = ["name", "email", "external_id", "is_lead", "conversation_count", "created_at"]
    list_filter = ["is_lead"]
    search_fields = ["name", "email", "external_id"]
    ordering = ["name"]
    date_hierarchy = "created_at"
    readonly_fields = ["is_lead", "created_at", "messenger_link"]
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


SNIPPET = """<script src="{src}" async
  data-user-id="USER_ID" data-user-hash="USER_HASH" data-issued-at="ISSUED_AT"
  data-name="NAME" data-email="EMAIL"></script>"""

ANONYMOUS_SNIPPET = """<script src="{src}" async></script>"""

PYTHON_EXAMPLE = """import hashlib, hmac, time

MESSENGER_SECRET = "…"  # from this page, kept on your server only

def messenger_identity(user_id: str) -> dict:
    issued_at = int(time.time())
    message = f"{user_id}:{issued_at}".encode()
    user_hash = hmac.new(MESSENGER_SECRET.encode(), message, hashlib.sha256).hexdigest()
    return {"user_id": user_id, "issued_at": issued_at, "user_hash": user_hash}"""

NODE_EXAMPLE = """const crypto = require("node:crypto");

function messengerIdentity(userId) {
  const issuedAt = Math.floor(Date.now() / 1000);
  const userHash = crypto.createHmac("sha256", process.env.MESSENGER_SECRET)
    .update(`${userId}:${issuedAt}`).digest("hex");
  return { user_id: userId, issued_at: issuedAt, user_hash: userHash };
}"""


def embed_script_url() -> str:
    """The launcher's address on SITE_URL, without the content hash of a manifest storage: a pasted snippet must
    keep working after the next deploy."""
    return f"{settings.SITE_URL}/{settings.STATIC_URL.strip('/')}/messenger/embed.js"


@admin.register(MessengerInstallation)
class MessengerInstallationAdmin(admin.ModelAdmin):
    """The "Messenger installation" page: the snippet for the company's website, the secret its backend signs user
    ids with, the allowed origins and the verification policy. One row (migration 0006): no add, no delete."""

    list_display = [
        "__str__",
        "allowed_origin_list",
        "verification_enforced",
        "issued_at_required",
        "secret_rotated_at",
    ]
    actions = ["rotate_secret"]
    fieldsets = [
        ("Install", {"fields": ["snippet"]}),
        ("Identity verification", {
            "fields": ["secret", "secret_rotated_at", "verification_enforced", "issued_at_required",
                       "issued_at_max_age", "server_example"],
        }),
        ("Websites", {"fields": ["allowed_origins"]}),
    ]  # fmt: skip
    readonly_fields = ["snippet", "secret", "secret_rotated_at", "server_example"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    @admin.action(description="Rotate the messenger secret (hashes made with the old one stop working)",
                  permissions=["change"])  # fmt: skip
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[MessengerInstallation]) -> None:
        actor = request.user
        assert isinstance(actor, Teammate)  # the admin lets only active staff in
        embed_actions.rotate_messenger_secret(actor=actor)
        self.message_user(
            request, "A new messenger secret is in place: give it to your website's backend now.", messages.WARNING
        )

    @admin.display(description="Allowed origins")
    def allowed_origin_list(self, installation: MessengerInstallation) -> str:
        return ", ".join(installation.origins) or "- (not embeddable anywhere)"

    @admin.display(description="Snippet")
    def snippet(self, installation: MessengerInstallation) -> str:
        src = embed_script_url()
        return format_html(
            "<p>Paste this before <code>&lt;/body&gt;</code> on every page of your website (an allowed origin, below)."
            " It adds a “Messages” button that opens the messenger in a frame. For a signed-in user, your server "
            "fills in their id, the hash it computes with the secret (below) and the issue time; name and email are "
            "shown to the team but not verified. For an anonymous visitor, leave out every <code>data-</code> "
            "attribute: they become a lead when they first write.</p>"
            '<pre class="readonly"><code>{}</code></pre><p>Anonymous visitors only:</p>'
            '<pre class="readonly"><code>{}</code></pre>'
            "<p>README, “Messenger on your website”, tells the whole of it.</p>",
            SNIPPET.format(src=src),
            ANONYMOUS_SNIPPET.format(src=src),
        )

    @admin.display(description="Computing the hash on your server")
    def server_example(self, installation: MessengerInstallation) -> str:
        return format_html(
            "<p>The hash is HMAC-SHA256 of <code>user_id:issued_at</code> (unix seconds) with the secret, in hex; it "
            "is accepted for the maximum age above. With the issue time not required, the plain HMAC-SHA256 of "
            "<code>user_id</code> works too (and never expires). Never put the secret in the page itself.</p>"
            "<p>Python</p><pre><code>{}</code></pre><p>Node.js</p><pre><code>{}</code></pre>",
            PYTHON_EXAMPLE,
            NODE_EXAMPLE,
        )


from inbox.mail import admin as mail_admin  # noqa: E402, F401  (registers the email admin)
from inbox.saved_replies import admin as saved_reply_admin  # noqa: E402, F401  (registers the saved replies' admin)
