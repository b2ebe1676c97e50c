"""A sweep of every teammate page, like the customer pages' sweep of tests/test_customer_leaks.py (whose `Visitor`
requests a URL by name, checks its status and follows a redirect): the inbox and ticket views, every
conversation's pane and ticket side, every ticket's pane and page, each form shown and refused, and every admin
page of the apps' models. `teammate_url_names` lists what a sweep must cover, so that a page added later without a
line here fails the test that compares the two."""

from django.contrib import admin
from django.db import models
from django.test import RequestFactory
from django.urls import get_resolver

from helpdesk.models import Notification
from inbox.models import Attachment, Contact, Conversation, InboundEmail, SavedReply, SavedReplyKind, Team, Teammate
from tests.customer_world import STALE, Visitor, all_ids, live
from tickets import selectors
from tickets.models import Ticket, TicketAttachment, TicketCategory, TicketPart, TicketType
from tickets.selectors import TicketStatus
from tickets.selectors.lists import TICKET_VIEWS

APPS = ("helpdesk", "inbox", "tickets", "workflows")


def teammate_url_names() -> set[str]:
    """Every teammate page: the inbox and tickets namespaces, and the root's own names but signing in and out."""
    resolver = get_resolver()
    names = {name for name in resolver.reverse_dict if isinstance(name, str)} - {"login", "logout"}
    for namespace in ("inbox", "tickets"):
        names |= {f"{namespace}:{p.name}" for p in resolver.namespace_dict[namespace][1].url_patterns if p.name}
    return names


def live_types(category: str) -> list[TicketType]:
    return list(TicketType.objects.filter(category=category, archived=False).order_by("pk"))


def sweep_views(visit: Visitor) -> None:
    """The inbox and ticket views with each filter, whole and as HTMX asks for their lists; the live poll and
    stream (refused bad topics: a good stream never ends), the nav, the pickers' options."""
    visit("get", "inbox:home", expect=302)
    visit("get", "live-poll", data={"topics": "nav inbox-all", "since": 0}, expect=200)
    visit("get", "live-poll", data={"topics": "<b>", "since": 0}, expect=400)
    visit("get", "live-stream", data={"topics": "<b>"}, expect=400)
    visit("get", "nav", expect=200)
    # Search for the planted link's host, which every planted text holds; open the first item of each kind.
    for kind, model in (("conversations", Conversation), ("tickets", Ticket), ("contacts", Contact)):
        first = model.objects.order_by("pk").values_list("pk", flat=True).first()
        visit("get", "search", data={"q": "evil.example", "kind": kind, "sort": "best"}, expect=200)
        visit("get", "search", data={"q": "evil.example", "kind": kind, "open": first}, expect=200)
    # The command palette: the same words, and a number, with a conversation and a ticket open (their commands).
    conversation_id = Conversation.objects.order_by("pk").values_list("pk", flat=True).first()
    ticket_id = Ticket.objects.order_by("pk").values_list("pk", flat=True).first()
    opened = {"conversation": conversation_id, "ticket": ticket_id}
    visit("get", "palette", data={"q": "evil.example"} | opened, expect=200)
    visit("get", "palette", data={"q": f"#{ticket_id}"} | opened, expect=200)
    visit("get", "palette", data={"q": "<b>", "ticket": "<b>"}, expect=400)
    for picker in ("teammate", "team"):
        visit("get", f"inbox:{picker}-options", expect=200, key=f"{picker}-options")
        visit("get", f"inbox:{picker}-options", data={"q": "x" * 101}, expect=400)
    teams = [f"team-{pk}" for pk in Team.objects.values_list("pk", flat=True)]
    for slug in ["mine", "unassigned", "all", *teams]:
        for state in ("open", "snoozed", "closed"):
            visit("get", "inbox:view", (slug,), data={"state": state}, expect=200)
        visit("get", "inbox:view", (slug,), expect=200, **live("conversation-list"))
    visit("get", "inbox:view", ("team-0",), expect=404)
    for slug in [*TICKET_VIEWS, *teams]:
        for status, _label in TicketStatus.CHOICES:
            visit("get", "tickets:list", (slug,), data={"status": status}, expect=200)
        for target in ("ticket-list", "ticket-list-items"):
            visit("get", "tickets:list", (slug,), expect=200, **live(target))


def sweep_conversation(visit: Visitor, conversation_id: int) -> None:
    """A conversation's pane and live parts, its ticket side, and every form in them: shown, and refused (422)."""
    args = (conversation_id,)
    visit("get", "inbox:conversation", ("all", conversation_id), expect=200)
    visit("get", "inbox:conversation", ("all", conversation_id), expect=200, **live("main"))
    for name in ("inbox:conversation-header", "inbox:conversation-timeline"):
        visit("get", name, args, data=STALE, expect=200)
    visit("get", "inbox:conversation-context", args, expect=200)
    visit("get", "inbox:contact-link", args, expect=200)
    visit("get", "tickets:open-conversation", args, expect=302)
    visit("post", "inbox:email-resend", (conversation_id, 0), expect=404)
    visit("get", "tickets:conversation-tickets", args, expect=200)
    for ticket in selectors.list_conversation_tickets(conversation_id=conversation_id).tickets:
        visit("get", "tickets:conversation-tickets", args, data={"ticket": ticket.pk}, expect=200)
    for part in ("switcher", "forms"):
        visit("get", "tickets:conversation-tickets", args, data={"part": part, "v": "stale"}, expect=200)
    for name, category in (("tickets:create", TicketCategory.BACK_OFFICE), ("tickets:tracker-create", "tracker")):
        visit("get", name, args, expect=200)
        for ticket_type in live_types(category):
            visit("get", name, args, data={"ticket_type": ticket_type.pk}, expect=200)
            visit("post", name, args, data={"ticket_type": ticket_type.pk, "title": ""}, expect=422)
    visit("get", "tickets:ticket-form-new", args, expect=200)
    visit("post", "tickets:ticket-form-send", args, expect=422)
    visit("get", "tickets:convert-new", args, expect=200)
    for ticket_type in live_types(TicketCategory.CUSTOMER):
        visit("get", "tickets:convert-new", args, data={"ticket_type": ticket_type.pk}, expect=200)
        visit("post", "tickets:convert", args, data={"ticket_type": ticket_type.pk, "title": ""}, expect=422)
    visit("get", "tickets:tracker-picker", args, expect=200)
    visit("get", "tickets:tracker-picker", args, data={"q": "SENTINEL"}, expect=200, **live("tracker-results"))
    visit("post", "tickets:tracker-link", args, expect=422)
    visit("post", "inbox:conversation-message", args, data={"kind": "reply", "body": " "}, expect=422)
    visit("post", "inbox:conversation-assign", args, data={"assignee": "nobody"}, expect=422)
    visit("post", "inbox:conversation-snooze", args, data={"preset": "custom"}, expect=422)
    visit("post", "tickets:snooze-until-moves", (conversation_id, 0), expect=404)


def sweep_ticket(visit: Visitor, ticket: Ticket) -> None:
    """A ticket's pane and live parts, its page in its view, its forms refused (422); a tracker's own parts."""
    args = (ticket.pk,)
    visit("get", "tickets:pane", args, expect=200)
    visit("get", "tickets:audit", args, expect=200)
    for part in TicketPart.objects.filter(ticket=ticket, delivery_event__isnull=False):
        visit("get", "tickets:delivery", (ticket.pk, part.pk), expect=200)
        failed = part.delivery_state == "failed"
        visit("post", "tickets:delivery", (ticket.pk, part.pk), expect=200 if failed else 422)
    visit("get", "tickets:delivery", (ticket.pk, 0), expect=404)
    back_office = ticket.category == TicketCategory.BACK_OFFICE
    visit("get", "tickets:share-preview", args, expect=200 if back_office else 404)
    if not back_office:  # refused (a back-office one would be shared, changing what the sweeps after it see)
        visit("post", "tickets:share", args, expect=422)
    for part in ("header", "timeline"):
        visit("get", "tickets:pane-part", args, data={"part": part, "v": "stale"}, expect=200)
    home = selectors.get_ticket_home(ticket_id=ticket.pk)
    visit("get", "tickets:ticket", (home, ticket.pk), expect=200)
    visit("get", "tickets:ticket", (home, ticket.pk), expect=200, **live("main"))
    visit("get", "tickets:open", args, expect=302)
    visit("post", "tickets:note", args, data={"body": " "}, expect=422)
    visit("post", "tickets:state", args, data={"state": "none"}, expect=422)
    visit("post", "tickets:assign", args, data={"assignee": "nobody"}, expect=422)
    visit("get", "tickets:attributes", args, expect=200, **live("ticket-edit-form"))
    visit("post", "tickets:attributes", args, data={"title": ""}, expect=422)
    if ticket.category == TicketCategory.TRACKER:
        visit("get", "tickets:tracker-links", args, data=STALE, expect=200)
        for name in ("tickets:tracker-reply-status", "tickets:tracker-reply-form"):
            visit("get", name, args, data=STALE, expect=200)
        visit("post", "tickets:tracker-reply", args, data={"body": " "}, expect=422)


def admin_names(model: type[models.Model]) -> dict[str, str]:
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    return {view: f"{info}_{view}" for view in ("changelist", "add", "change", "history", "delete")}


def sweep_admin(visit: Visitor, superuser: Teammate) -> None:
    """The admin's index, and every page of every model the apps register, with every object's id."""
    request = RequestFactory().get("/")
    request.user = superuser
    visit("get", "admin:index", expect=200)
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in APPS:
            continue
        names = admin_names(model)
        visit("get", names["changelist"], expect=200)
        visit("get", names["add"], expect=200 if model_admin.has_add_permission(request) else 403)
        # An admin that keeps some rows to themselves (another teammate's own saved replies) sends to its index.
        shown = set(model_admin.get_queryset(request).values_list("pk", flat=True))
        for pk in model.objects.values_list("pk", flat=True):
            found = 200 if pk in shown else 302
            visit("get", names["change"], (pk,), expect=found)
            visit("get", names["history"], (pk,), expect=found)
            deletable = found if model_admin.has_delete_permission(request) else 403
            visit("get", names["delete"], (pk,), expect=deletable)
    for pk in Teammate.objects.values_list("pk", flat=True):
        visit("get", "admin:auth_user_password_change", (pk,), expect=200)


def sweep_saved_replies(visit: Visitor, teammate: Teammate) -> None:
    """The saved replies page and the composer's list, shown and refused; each saved reply's page, and each filled in
    for every conversation and ticket. Another teammate's personal one is NotFound everywhere."""
    visit("get", "inbox:saved-replies", expect=200)
    visit("post", "inbox:saved-replies", data={"name": ""}, expect=422)
    visit("get", "inbox:saved-reply-options", expect=200, key="saved-reply-options")
    visit("get", "inbox:saved-reply-options", data={"kind": SavedReplyKind.NOTE}, expect=200)
    visit("get", "inbox:saved-reply-options", data={"q": "x" * 101}, expect=400)
    conversation_ids = list(Conversation.objects.order_by("pk").values_list("pk", flat=True))
    ticket_ids = list(Ticket.objects.order_by("pk").values_list("pk", flat=True))
    for saved_reply in SavedReply.objects.order_by("pk"):
        args, seen = (saved_reply.pk,), saved_reply.owner_id in (None, teammate.pk)
        visit("get", "inbox:saved-reply", args, expect=200 if seen else 404)
        visit("post", "inbox:saved-reply", args, data={"name": ""}, expect=422 if seen else 404)
        key = "saved-reply" if seen else ""
        for conversation_id in conversation_ids:
            data = {"conversation": conversation_id}
            visit("get", "inbox:saved-reply-render", args, data=data, expect=200 if seen else 404, key=key)
        in_a_note = 200 if saved_reply.kind == SavedReplyKind.NOTE else 422  # a ticket takes notes only
        for ticket_id in ticket_ids:
            data = {"ticket": ticket_id}
            visit("get", "inbox:saved-reply-render", args, data=data, expect=in_a_note if seen else 404)
    visit("get", "inbox:saved-reply-render", (0,), data={"conversation": "x"}, expect=400)
    visit("post", "inbox:saved-reply-delete", (0,), expect=404)


def sweep_teammate_pages(visit: Visitor, teammate: Teammate) -> None:
    """Every teammate page with every conversation and ticket in the database, then the admin's."""
    sweep_views(visit)
    sweep_saved_replies(visit, teammate)
    sweep_notifications(visit, teammate)
    for conversation_id in Conversation.objects.order_by("pk").values_list("pk", flat=True):
        sweep_conversation(visit, conversation_id)
    for ticket in Ticket.objects.order_by("pk"):
        sweep_ticket(visit, ticket)
        visit("get", "tickets:follow", (ticket.pk,), expect=200)
    for inbound_id in InboundEmail.objects.order_by("pk").values_list("pk", flat=True):
        visit("get", "inbox:email-raw", (inbound_id,), expect=200)
    for name, model in (("inbox:attachment", Attachment), ("tickets:attachment", TicketAttachment)):
        existing = set(model.objects.values_list("pk", flat=True))
        for attachment_id in all_ids(model):
            visit("get", name, (attachment_id,), expect=200 if attachment_id in existing else 404)


def sweep_notifications(visit: Visitor, teammate: Teammate) -> None:
    """The bell's count and panel, the notifications page and its refusals, the digest's setting, the mention picker
    and Due soon; each of the teammate's notifications opened and read, and another's NotFound for both."""
    visit("get", "notification-count", expect=200)
    visit("get", "notification-panel", expect=200)
    visit("get", "notifications", expect=200)
    visit("get", "notifications", data={"unread": "on"}, expect=200)
    visit("get", "notifications", data={"after": "<b>"}, expect=400)
    visit("post", "notification-digest", data={"email_digest": "<b>"}, expect=400)
    visit("post", "notification-digest", data={"email_digest": "daily"}, expect=302)
    visit("get", "inbox:mention-options", expect=200)
    visit("get", "inbox:mention-options", data={"q": "x" * 101}, expect=400)
    visit("get", "tickets:due-soon", expect=200)
    own = set(Notification.objects.filter(recipient=teammate).values_list("pk", flat=True))
    for notification_id in all_ids(Notification):
        visit("post", "notification-read", (notification_id,), expect=302 if notification_id in own else 404)
        visit("post", "notification-open", (notification_id,), expect=302 if notification_id in own else 404)
    visit("post", "notifications-read", expect=302)
