"""Need-to-know access (DESIGN.md section 7): a back-office-only teammate (TeammateAccess.BACK_OFFICE) sees its
teams' tickets (and those assigned to it) and, for each, only the conversation it is linked to, read-only, through
the ticket; never the inbox.

Enforced in two places that every teammate request goes through: `refusal`, which `teammate_required` asks before a
view runs (the pages such a teammate may reach, and every ticket and conversation id in the request), and the
selectors of what lists many (ticket views, search, the palette, Due soon, notifications), which narrow by
`ticket_scope` and `conversation_scope`. A full teammate's scope is everything: `Q()`, no query."""

from collections.abc import Mapping
from typing import Any

from django.db.models import Q

from inbox.mail.models import InboundEmail
from inbox.models import Attachment, Conversation, Teammate
from inbox.selectors import slug_team_id
from tickets.models import Ticket, TicketAttachment, TrackerLink

# The teammate pages a back-office-only teammate reaches: its tickets' views and panes and the work on them (notes,
# states, assignment, attributes), the conversation through a ticket (read-only), and what every page has (the
# nav, the live updates, notifications, search and the palette over its tickets, the pickers). Anything else,
# among it every page and form of the inbox, is refused with FRONT_OFFICE_ONLY.
BACK_OFFICE_PAGES = frozenset(
    {
        "nav",
        "live-poll",
        "live-stream",
        "search",
        "palette",
        "notifications",
        "notification-count",
        "notification-panel",
        "notifications-read",
        "notification-digest",
        "notification-open",
        "notification-read",
        "inbox:home",
        "inbox:conversation-timeline",
        "inbox:attachment",
        "inbox:email-raw",
        "inbox:teammate-options",
        "inbox:team-options",
        "inbox:mention-options",
        "inbox:saved-replies",
        "inbox:saved-reply-options",
        "inbox:saved-reply",
        "inbox:saved-reply-render",
        "inbox:saved-reply-delete",
        "tickets:list",
        "tickets:ticket",
        "tickets:open",
        "tickets:open-conversation",
        "tickets:pane",
        "tickets:pane-part",
        "tickets:audit",
        "tickets:delivery",
        "tickets:follow",
        "tickets:note",
        "tickets:state",
        "tickets:assign",
        "tickets:attributes",
        "tickets:attachment",
        "tickets:due-soon",
        "tickets:tracker-links",
        "tickets:tracker-reply-status",
        "tickets:linked-conversation",
    }
)
FRONT_OFFICE_ONLY = (
    "Your access is back office only: you see your teams' tickets and, through each, its linked conversation. "
    "This page is for the front office."
)
SEARCHABLE = {"tickets"}  # the search page's kinds it may search: its tickets (search_views sets it)


def ticket_scope(teammate: Teammate) -> Q:
    """The tickets `teammate` may see, as a condition on Ticket."""
    if not teammate.back_office_only:
        return Q()
    return Q(team__in=teammate.teams.values("pk")) | Q(assignee=teammate)


def conversation_scope(teammate: Teammate) -> Q:
    """The conversations `teammate` may see, as a condition on Conversation: for a back-office-only teammate, those
    its tickets are linked to (a back-office ticket's conversation or customer ticket's thread, a tracker's links)
    and the threads of its customer tickets."""
    if not teammate.back_office_only:
        return Q()
    tickets = Ticket.objects.filter(ticket_scope(teammate))
    links = TrackerLink.objects.filter(tracker__in=tickets.values("pk"))
    linked = (
        tickets.values("thread"),
        tickets.values("linked_conversation"),
        tickets.values("linked_ticket__thread"),
        links.values("conversation"),
        links.values("customer_ticket__thread"),
    )
    condition = Q(pk__in=[])
    for ids in linked:
        condition |= Q(pk__in=ids)
    return condition


def may_search(teammate: Teammate, kind: str | None) -> bool:
    """Whether the search page's `kind` (None: not given, conversations, or tickets for a back-office-only
    teammate) is one `teammate` may search."""
    return not teammate.back_office_only or kind in (None, *SEARCHABLE)


def may_know(teammate: Teammate, *, conversation_id: int | None, ticket_id: int | None) -> bool:
    """Whether `teammate` may be told of something about this conversation and this ticket (either may be None)."""
    if not teammate.back_office_only:
        return True
    seen = conversation_id is None or can_see_conversation(teammate, conversation_id)
    return seen and (ticket_id is None or can_see_ticket(teammate, ticket_id))


def can_see_ticket(teammate: Teammate, ticket_id: int) -> bool:
    return Ticket.objects.filter(ticket_scope(teammate), pk=ticket_id).exists()


def can_see_conversation(teammate: Teammate, conversation_id: int) -> bool:
    return Conversation.objects.filter(conversation_scope(teammate), pk=conversation_id).exists()


def refusal(teammate: Teammate, view_name: str, kwargs: Mapping[str, Any], params: Mapping[str, str]) -> int | None:
    """Why `teammate` may not have this page: 403 (not a page of its access), 404 (an id in the address or the query
    that it may not see, as if there were none), or None."""
    if not teammate.back_office_only:
        return None
    if view_name not in BACK_OFFICE_PAGES or (view_name == "search" and not may_search(teammate, params.get("kind"))):
        return 403
    slug = kwargs.get("view")
    if slug is not None and slug != "mine" and not teammate.teams.filter(pk=slug_team_id(slug) or 0).exists():
        return 404
    conversation_id, ticket_id = ids_in(view_name, kwargs, params)
    if conversation_id is not None and not can_see_conversation(teammate, conversation_id):
        return 404
    if ticket_id is not None and not can_see_ticket(teammate, ticket_id):
        return 404
    return None


def ids_in(view_name: str, kwargs: Mapping[str, Any], params: Mapping[str, str]) -> tuple[int | None, int | None]:
    """The (conversation, ticket) a request names: in its address, in its query (the palette's and a saved reply's
    `conversation` and `ticket`, the search's `open`), or as the owner of the attachment or email it names (0: it
    does not exist). A query value that is not a number names nothing: its own form refuses it (400)."""
    if view_name == "inbox:attachment":
        attachment = Attachment.objects.filter(pk=kwargs["attachment_id"])
        return (attachment.values_list("part__conversation_id", flat=True).first() or 0), None
    if view_name == "inbox:email-raw":
        email = InboundEmail.objects.filter(pk=kwargs["inbound_email_id"])
        return (email.values_list("part__conversation_id", flat=True).first() or 0), None
    if view_name == "tickets:attachment":
        ticket_attachment = TicketAttachment.objects.filter(pk=kwargs["attachment_id"])
        return None, (ticket_attachment.values_list("part__ticket_id", flat=True).first() or 0)
    conversation_id = kwargs.get("conversation_id", number(params.get("conversation")))
    ticket_id = kwargs.get("ticket_id", number(params.get("ticket") or params.get("open")))
    return conversation_id, ticket_id


def number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None
