"""The teammates' ticket pages: the ticket pane, and the back-office ticket views (the ticket side of a conversation
and creating a ticket from it: tickets/side_views.py). Each view parses, calls one action or selector, and renders a
named partial (STYLE.md 5)."""

from datetime import timedelta

from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import trigger_client_event

from helpdesk.errors import InvalidInput, RuleViolation
from helpdesk.http import (
    TeammateRequest,
    add_domain_error,
    attachment_response,
    bad_query,
    domain_errors,
    teammate_required,
)
from helpdesk.regions import render_region
from inbox.selectors import get_conversation_pane
from tickets import access, actions, selectors
from tickets.delivery import get_delivery_part, retry_delivery
from tickets.forms import (
    AssignForm,
    FollowForm,
    NoteForm,
    PanePartQueryForm,
    StateForm,
    TicketEditForm,
    TicketListFilterForm,
    TrackerReplyForm,
    edit_initial,
)
from tickets.live import ticket_view_topic
from tickets.models import TicketCategory
from tickets.selectors import TicketPane, TicketStatus

TICKET = "tickets/ticket.html"
TICKETS = "tickets/tickets.html"
STATUSES = TicketStatus.CHOICES
FIRST_PAGE = {"after": None, "before": None}  # a list's query string without its page link


def pane_context(pane: TicketPane, **forms) -> dict:
    """What the pane's partials need: the pane and its forms, unbound unless a view passes a bound one. (Not the edit
    form, which is read when the teammate opens it: `attributes`.)"""
    ticket = pane.ticket
    defaults = {
        "note_form": lambda: NoteForm(),
        "state_form": lambda: StateForm(initial={"state": ticket.state_id}, states=pane.states),
        "assign_form": lambda: AssignForm(ticket=ticket),
    }
    return {"pane": pane} | {name: make() for name, make in defaults.items() if name not in forms} | forms


def edit_form(pane: TicketPane, data: QueryDict | None = None) -> TicketEditForm:
    attributes = [value.attribute for value in pane.attributes]
    return TicketEditForm(data, initial=edit_initial(pane.ticket, attributes), attributes=attributes)


def whole_pane_context(pane: TicketPane) -> dict:
    """What the whole pane shows, in one response: its parts' context, and a tracker's reply status and form."""
    context = pane_context(pane)
    if pane.ticket.category == TicketCategory.TRACKER:
        context["tracker_reply"] = selectors.get_tracker_reply_status(tracker_id=pane.ticket.pk)
        context["tracker_reply_form"] = TrackerReplyForm()
    return context


# --- The ticket pane ---


@require_safe
@teammate_required
@domain_errors
def pane(request: TeammateRequest, ticket_id: int) -> HttpResponse:
    pane = selectors.get_ticket_pane(ticket_id=ticket_id)
    return render(request, f"{TICKET}#ticket-pane", whole_pane_context(pane))


@require_safe
@teammate_required
@domain_errors
def share_preview(request: TeammateRequest, ticket_id: int) -> HttpResponse:
    """Before sharing a back-office ticket: the customer's own page of it, rendered by the messenger's template, or
    the rule that refuses sharing it."""
    preview = selectors.get_share_preview(ticket_id=ticket_id)
    return render(request, f"{TICKET}#share-preview", {"preview": preview})


@require_POST
@teammate_required
@domain_errors
def share(request: TeammateRequest, ticket_id: int) -> HttpResponse:
    """Share the ticket with its conversation's customer (rules 3-5; a refusal is the flash message); the header
    comes back with its badge, the preview says it is done (out of band), and the pane's live parts refresh."""
    actions.share_ticket(actor=request.user, ticket_id=ticket_id)
    response = render_header_update(request, ticket_id)
    response.content += render_to_string(f"{TICKET}#share-done", {}, request).encode()
    return response


@require_safe
@teammate_required
@domain_errors
def audit(request: TeammateRequest, ticket_id: int) -> HttpResponse:
    """The ticket's audit trail, loaded when its disclosure is opened."""
    trail = selectors.get_ticket_audit(ticket_id=ticket_id)
    return render(request, f"{TICKET}#ticket-audit", {"trail": trail, "ticket_id": ticket_id})


@require_http_methods(["GET", "HEAD", "POST"])
@teammate_required
@domain_errors
def delivery(request: TeammateRequest, ticket_id: int, part_id: int) -> HttpResponse:
    """How a cross-posted note's or a state change's delivery is doing (GET, asked again while pending); POST: retry
    a failed one now."""
    if request.method == "POST":
        part = retry_delivery(actor=request.user, ticket_id=ticket_id, part_id=part_id)
    else:
        part = get_delivery_part(ticket_id=ticket_id, part_id=part_id)
    tracker = part.ticket.category == TicketCategory.TRACKER
    return render(request, f"{TICKET}#ticket-delivery", {"part": part, "tracker": tracker})


@require_http_methods(["GET", "HEAD", "POST"])
@teammate_required
@domain_errors
def follow(request: TeammateRequest, ticket_id: int) -> HttpResponse:
    """Whether the teammate follows the ticket (GET); follow it or stop (POST `follow`: 1 or 0)."""
    if request.method == "POST":
        form = FollowForm(request.POST)
        form.is_valid()  # a BooleanField that is not required always validates
        following = actions.follow_ticket(actor=request.user, ticket_id=ticket_id, follow=form.cleaned_data["follow"])
    else:
        following = selectors.is_following(teammate=request.user, ticket_id=ticket_id)
    return render(request, f"{TICKET}#ticket-follow", {"ticket_id": ticket_id, "following": following})


@require_safe
@teammate_required
@domain_errors
def pane_part(request: TeammateRequest, ticket_id: int) -> HttpResponse:
    """The pane's live header or timeline; 204 while its version `v` is current, so nothing being read
    or chosen in it is replaced for a change elsewhere in the workspace."""
    query = PanePartQueryForm(request.GET)
    if not query.is_valid():
        return bad_query(request, query)
    part = query.cleaned_data["part"]
    version, last_part_id = selectors.get_ticket_versions(ticket_id=ticket_id)
    if query.cleaned_data["v"] == (version if part == "header" else str(last_part_id)):
        return HttpResponse(status=204)
    pane = selectors.get_ticket_pane(ticket_id=ticket_id, timeline=part == "timeline")
    return render(request, f"{TICKET}#ticket-{part}", pane_context(pane))


@require_POST
@teammate_required
@domain_errors
def note(request: TeammateRequest, ticket_id: int) -> HttpResponse:
    """Post a note (`cross_post=1`: and cross-post it). An empty composer comes back, and the live parts
    refresh; the rest of the pane (an edit form being filled) is left alone."""
    form = NoteForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            note = actions.post_ticket_note(actor=request.user, ticket_id=ticket_id, **form.cleaned_data)
        except (InvalidInput, RuleViolation) as error:
            add_domain_error(form, error)
        else:
            # Only an empty note form comes back, which reads nothing of the pane but its ticket's number and
            # category: the ticket the action locked, without reading the pane again.
            context = {"pane": {"ticket": note.ticket}, "note_form": NoteForm(focus=True)}
            return changed(render(request, f"{TICKET}#ticket-note-form", context))
    form.fields["body"].widget.attrs["data-focus-after-swap"] = ""
    pane = selectors.get_ticket_pane(ticket_id=ticket_id, timeline=False)
    return render(request, f"{TICKET}#ticket-note-form", pane_context(pane, note_form=form), status=422)


@require_safe
@teammate_required
@domain_errors
def attachment(request: TeammateRequest, attachment_id: int) -> HttpResponse:
    """A file attached to a ticket note (internal: teammates only)."""
    found = selectors.get_ticket_attachment(attachment_id=attachment_id)
    return attachment_response(file=found.file, name=found.name, content_type=found.content_type)


@require_POST
@teammate_required
@domain_errors
def state(request: TeammateRequest, ticket_id: int) -> HttpResponse:
    """Move the ticket to another of its type's states; the header comes back, the timeline refreshes."""
    pane = selectors.get_ticket_pane(ticket_id=ticket_id, timeline=False)
    form = StateForm(request.POST, states=pane.states)
    if form.is_valid():
        try:
            actions.change_ticket_state(actor=request.user, ticket_id=ticket_id, state_id=form.cleaned_data["state"])
        except InvalidInput as error:
            add_domain_error(form, error)
        else:
            return render_header_update(request, ticket_id)
    return render(request, f"{TICKET}#ticket-header", pane_context(pane, state_form=form), status=422)


@require_POST
@teammate_required
@domain_errors
def assign(request: TeammateRequest, ticket_id: int) -> HttpResponse:
    """Set the ticket's assignee and team; the header comes back, the timeline refreshes."""
    pane = selectors.get_ticket_pane(ticket_id=ticket_id, timeline=False)
    form = AssignForm(request.POST, ticket=pane.ticket)
    if form.is_valid():
        try:
            data = form.cleaned_data
            actions.assign_ticket(
                actor=request.user, ticket_id=ticket_id, assignee_id=data["assignee"], team_id=data["team"]
            )
        except InvalidInput as error:
            add_domain_error(form, error)
        else:
            return render_header_update(request, ticket_id)
    return render(request, f"{TICKET}#ticket-header", pane_context(pane, assign_form=form), status=422)


def render_header_update(request: TeammateRequest, ticket_id: int) -> HttpResponse:
    pane = selectors.get_ticket_pane(ticket_id=ticket_id, timeline=False)
    return changed(render(request, f"{TICKET}#ticket-header", pane_context(pane)))


def changed(response: HttpResponse) -> HttpResponse:
    """Tell the pane's live parts (timeline, switcher) to refresh now, once this response has settled.

    One swap per response: htmx fires afterSettle for each out-of-band element too, and app.js moves
    focus on each; the refresh is a GET of each part, answered 204 by those that did not change."""
    return trigger_client_event(response, "ticket-changed", after="settle")


@require_http_methods(["GET", "HEAD", "POST"])
@teammate_required
@domain_errors
def attributes(request: TeammateRequest, ticket_id: int) -> HttpResponse:
    """GET: the edit form (title, description, attributes), when the teammate opens "Edit title and attributes".
    POST: save it; the disclosure comes back closed, and the header and timeline refresh. Bad values re-render the
    open form with a 422."""
    pane = selectors.get_ticket_pane(ticket_id=ticket_id, timeline=False)
    if request.method != "POST":
        form = edit_form(pane)
        form.fields["title"].widget.attrs["autofocus"] = True  # htmx focuses it once swapped in
        return render(request, f"{TICKET}#ticket-edit-form", {"pane": pane, "edit_form": form})
    form = edit_form(pane, request.POST)
    if form.is_valid():
        try:
            actions.update_ticket_attributes(
                actor=request.user,
                ticket_id=ticket_id,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                attributes=form.attribute_values(),
            )
        except InvalidInput as error:
            add_domain_error(form, form.field_error(error))
        else:
            # Closed, without its form: opened again, it reads the values just saved.
            return changed(render(request, f"{TICKET}#ticket-edit", {"pane": pane, "edit_saved": True}))
    form.focus_first_error()
    return render(request, f"{TICKET}#ticket-edit", {"pane": pane, "edit_form": form}, status=422)


# --- The back-office ticket views ---


@require_safe
@teammate_required
@domain_errors
def ticket_list(request: TeammateRequest, view: str) -> HttpResponse:
    return ticket_page(request, view, ticket_id=None)


@require_safe
@teammate_required
@domain_errors
def ticket(request: TeammateRequest, view: str, ticket_id: int) -> HttpResponse:
    return ticket_page(request, view, ticket_id=ticket_id)


def ticket_page(request: TeammateRequest, slug: str, *, ticket_id: int | None) -> HttpResponse:
    """The page of a ticket view, or the part htmx targets: the list, its items, or the open ticket
    (with the list's items out of band, so the open one is marked)."""
    filters = TicketListFilterForm(request.GET)
    if not filters.is_valid():
        return bad_query(request, filters)
    ticket_view = selectors.get_ticket_view(teammate=request.user, slug=slug)
    page = selectors.list_tickets(view=ticket_view, **filters.values())
    context = {
        "ticket_view": ticket_view,
        "filters": filters,
        "page": page,
        "status_tabs": [(value, label, filters.query_string(status=value, **FIRST_PAGE)) for value, label in STATUSES],
        "previous_query": filters.query_string(before=page.previous_cursor, after=None),
        "next_query": filters.query_string(after=page.next_cursor, before=None),
        "first_page_query": filters.query_string(**FIRST_PAGE),
        "list_query": filters.query_string(),  # the list's place, kept by the links of its items
        "selected_id": ticket_id,
        "nav_current": f"tickets:{slug}",
        "view_topic": ticket_view_topic(slug, teammate_id=request.user.pk),
    }
    target = request.htmx.target if request.htmx else None
    if target in ("ticket-list", "ticket-list-items"):
        return render(request, f"{TICKETS}#{target}", context)
    if ticket_id is not None:
        beside = request.GET.get("conversation", "")  # a tracker's linked conversation to show (tickets:open)
        context |= ticket_detail_context(ticket_id, conversation_id=int(beside) if beside.isdigit() else None)
    if target == "main":
        return render(request, f"{TICKETS}#ticket-detail-update", context)
    context["nav"] = render_region("nav", request, current=context["nav_current"])
    return render(request, TICKETS, context)


def ticket_detail_context(ticket_id: int, *, conversation_id: int | None = None) -> dict:
    """The open ticket's whole pane, and beside it what it is linked to: the conversation it came from (read-only,
    rule 2), or a tracker's first page of linked conversations, or (`conversation_id`) one of them, read-only."""
    pane = selectors.get_ticket_pane(ticket_id=ticket_id)
    context = whole_pane_context(pane)
    if conversation_id and selectors.tracker_links_conversation(tracker_id=ticket_id, conversation_id=conversation_id):
        context["context_conversation"] = get_conversation_pane(conversation_id=conversation_id)
    elif pane.context_conversation_id:
        context["context_conversation"] = get_conversation_pane(conversation_id=pane.context_conversation_id)
    elif pane.ticket.category == TicketCategory.TRACKER:
        context["tracker_links"] = selectors.get_tracker_links(tracker_id=ticket_id, cursor=None)
    return context


@require_safe
@teammate_required
@domain_errors
def open_ticket(request: TeammateRequest, ticket_id: int) -> HttpResponse:
    """A ticket's permanent address (cross-posts link here): its team's view, else "Your tickets" (or All tickets);
    a tracker's `?conversation=` (one of its linked conversations, shown beside it) is kept."""
    home = selectors.get_ticket_home(ticket_id=ticket_id, teammate=request.user)
    address = reverse("tickets:ticket", kwargs={"view": home, "ticket_id": ticket_id})
    conversation = request.GET.get("conversation", "")
    return redirect(f"{address}?{urlencode({'conversation': conversation})}" if conversation.isdigit() else address)


@require_safe
@teammate_required
@domain_errors
def open_conversation(request: TeammateRequest, conversation_id: int) -> HttpResponse:
    """A conversation's permanent address (notifications link here): the inbox; for a back-office-only teammate, the
    ticket of its own that it sees the conversation through, with the conversation beside it."""
    if not request.user.back_office_only:
        return redirect("inbox:conversation", view="all", conversation_id=conversation_id)
    scope = access.ticket_scope(request.user)
    ticket_id = selectors.get_linking_ticket_id(conversation_id=conversation_id, scope=scope)
    address = reverse("tickets:open", args=[ticket_id])
    return redirect(f"{address}?{urlencode({'conversation': conversation_id})}")


DUE_SOON_WITHIN = timedelta(days=1)


@require_safe
@teammate_required
def due_soon(request: TeammateRequest) -> HttpResponse:
    """The response targets due within a day, and those missed, of unresolved tickets, soonest first."""
    context = {
        "targets": selectors.list_due_soon(within=DUE_SOON_WITHIN, scope=access.ticket_scope(request.user)),
        "within": DUE_SOON_WITHIN,
        "nav_current": "tickets:due-soon",
        "nav": render_region("nav", request, current="tickets:due-soon"),
    }
    return render(request, "tickets/due_soon.html", context)
