"""The teammates' ticket pages: the ticket side of a conversation, the ticket pane, the back-office ticket
views. Each view parses, calls one action or selector, and renders a named partial (STYLE.md 5)."""

from collections.abc import Callable

from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import reswap, retarget, trigger_client_event

from helpdesk.errors import InvalidInput, RuleViolation
from helpdesk.http import TeammateRequest, add_domain_error, bad_query, domain_errors, error_response, teammate_required
from helpdesk.regions import render_region, renders
from inbox.selectors import get_conversation_pane
from tickets import actions, rules, selectors
from tickets.forms import (
    AssignForm,
    CreateQueryForm,
    NoteForm,
    PanePartQueryForm,
    SideQueryForm,
    StateForm,
    TicketCreateForm,
    TicketEditForm,
    TicketListFilterForm,
    TrackerReplyForm,
    edit_initial,
    posted_type_id,
)
from tickets.live import ticket_view_topic
from tickets.models import SharingPolicy, Ticket, TicketCategory
from tickets.selectors import ConversationTickets, TicketPane, TicketStatus

TICKET = "tickets/ticket.html"
TICKETS = "tickets/tickets.html"
CREATE = "tickets/create.html#ticket-create"
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


# --- The ticket side of a conversation ---


def whole_pane_context(pane: TicketPane) -> dict:
    """What the whole pane shows, in one response: its parts' context, and a tracker's reply status and form."""
    context = pane_context(pane)
    if pane.ticket.category == TicketCategory.TRACKER:
        context["tracker_reply"] = selectors.get_tracker_reply_status(tracker_id=pane.ticket.pk)
        context["tracker_reply_form"] = TrackerReplyForm()
    return context


def side_context(linked: ConversationTickets, *, selected_id: int | None, **extra) -> dict:
    """The ticket side: the linked tickets, the ticket forms sent, and the open ticket's whole pane (by default the
    first linked ticket). Raises NotFound for a ticket not linked to the conversation."""
    if selected_id is None and linked.tickets:
        selected_id = linked.tickets[0].pk
    pane = selectors.get_side_ticket_pane(linked=linked, ticket_id=selected_id) if selected_id else None
    ticket_forms = selectors.list_conversation_ticket_forms(
        conversation_id=linked.conversation_id, customer_ticket_id=linked.customer_ticket_id
    )
    context = {"linked": linked, "selected_id": selected_id, "ticket_forms": ticket_forms, **extra}
    return context | (whole_pane_context(pane) if pane else {})


def render_side(
    request: TeammateRequest, linked: ConversationTickets, *, selected_id: int | None, **extra
) -> HttpResponse:
    return render(request, f"{TICKET}#ticket-side", side_context(linked, selected_id=selected_id, **extra))


@renders("conversation-side")
def conversation_side(request: TeammateRequest, *, conversation_id: int) -> SafeString:
    """The ticket side in the inbox page's (or main pane's) own response, beside the conversation."""
    linked = selectors.list_conversation_tickets(conversation_id=conversation_id)
    return render_to_string(f"{TICKET}#ticket-side", side_context(linked, selected_id=None), request)


@require_safe
@teammate_required
@domain_errors
def conversation_tickets(request: TeammateRequest, conversation_id: int) -> HttpResponse:
    """The linked back-office tickets of a conversation (`?ticket=` picks the open one), or with `?part=` only
    a live part, the switcher or the ticket forms: 204 while its version `v` is current."""
    query = SideQueryForm(request.GET)
    if not query.is_valid():
        return bad_query(request, query)
    part, version, selected_id = (query.cleaned_data[name] for name in ("part", "v", "ticket"))
    if part == "forms":
        return ticket_forms_part(request, conversation_id, version)
    linked = selectors.list_conversation_tickets(conversation_id=conversation_id)
    if part == "switcher":
        if version == linked.version:
            return HttpResponse(status=204)
        if selected_id is None and linked.tickets:
            # The side was empty (nothing in it being typed): open the first ticket, made elsewhere, in it.
            return reswap(retarget(render_side(request, linked, selected_id=None), "#ticket-side"), "innerHTML")
        return render(request, f"{TICKET}#ticket-switcher", {"linked": linked, "selected_id": selected_id})
    return render_side(request, linked, selected_id=selected_id)


def ticket_forms_part(request: TeammateRequest, conversation_id: int, version: str) -> HttpResponse:
    customer_ticket_id = selectors.get_customer_ticket_id(conversation_id=conversation_id)
    ticket_forms = selectors.list_conversation_ticket_forms(
        conversation_id=conversation_id, customer_ticket_id=customer_ticket_id
    )
    if version == ticket_forms.version:
        return HttpResponse(status=204)
    return render(request, f"{TICKET}#ticket-forms", {"ticket_forms": ticket_forms})


# What each create form makes from a conversation: its URL name and the action that creates it.
CREATORS: dict[str, tuple[str, Callable[..., Ticket]]] = {
    TicketCategory.BACK_OFFICE: ("tickets:create", actions.create_back_office_ticket),
    TicketCategory.TRACKER: ("tickets:tracker-create", actions.create_tracker_ticket),
}


def create_form(conversation_id: int, category: str, data=None, initial=None, ticket_type_id=None):
    """The create form for a conversation, with the chosen type's attributes and (back-office) its sharing choice."""
    customer_ticket_id = selectors.get_customer_ticket_id(conversation_id=conversation_id)
    choices = selectors.get_ticket_create_choices(category=category, ticket_type_id=ticket_type_id)
    chosen = choices.ticket_type
    show_share = chosen is not None and chosen.sharing_policy == SharingPolicy.OPTIONAL
    refusal = None
    if chosen is not None and show_share:
        refusal = rules.sharing_refusal(
            sharing_policy=chosen.sharing_policy,
            linked_ticket_id=customer_ticket_id,
            conversation_id=None if customer_ticket_id else conversation_id,
        )
    url = reverse(CREATORS[category][0], args=[conversation_id])
    form = TicketCreateForm(data, initial=initial, choices=choices, share_refusal=refusal, type_url=url)
    return form, {
        "form": form,
        "choices": choices,
        "show_share": show_share,
        "conversation_id": conversation_id,
        "create_url": url,
    }


@require_http_methods(["GET", "HEAD", "POST"])
@teammate_required
@domain_errors
def create(request: TeammateRequest, conversation_id: int) -> HttpResponse:
    """A new back-office ticket from the conversation (see `create_ticket`)."""
    return create_ticket(request, conversation_id, TicketCategory.BACK_OFFICE)


@require_http_methods(["GET", "HEAD", "POST"])
@teammate_required
@domain_errors
def create_tracker(request: TeammateRequest, conversation_id: int) -> HttpResponse:
    """A new tracker ticket, linked to the conversation (or to the customer ticket it is the thread of)."""
    return create_ticket(request, conversation_id, TicketCategory.TRACKER)


def create_ticket(request: TeammateRequest, conversation_id: int, category: str) -> HttpResponse:
    """GET: the form (`?ticket_type=` shows that type's attributes). POST: create the ticket, then the side with
    it open; bad input or a refusal re-renders the form with a 422."""
    if request.method != "POST":
        query = CreateQueryForm(request.GET)
        if not query.is_valid():
            return bad_query(request, query)
        type_id = query.cleaned_data["ticket_type"]
        form, context = create_form(conversation_id, category, initial=request.GET.dict(), ticket_type_id=type_id)
        if type_id and context["choices"].ticket_type is None:
            label = TicketCategory(category).label.lower()
            return error_response(request, f"That ticket type is not offered for {label} tickets.", status=400)
        form.fields["ticket_type"].widget.attrs["autofocus"] = True  # htmx focuses it once swapped in
        return render(request, CREATE, context)
    form, context = create_form(conversation_id, category, request.POST, ticket_type_id=posted_type_id(request.POST))
    if form.is_valid():
        try:
            ticket = CREATORS[category][1](actor=request.user, conversation_id=conversation_id, **form.action_kwargs())
        except (InvalidInput, RuleViolation) as error:
            add_domain_error(form, form.field_error(error))
        else:
            linked = selectors.list_conversation_tickets(conversation_id=conversation_id)
            return render_side(request, linked, selected_id=ticket.pk, focus_pane=True)
    form.focus_first_error()
    return render(request, CREATE, context, status=422)


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
    form = NoteForm(request.POST)
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
        context |= ticket_detail_context(ticket_id)
    if target == "main":
        return render(request, f"{TICKETS}#ticket-detail-update", context)
    context["nav"] = render_region("nav", request, current=context["nav_current"])
    return render(request, TICKETS, context)


def ticket_detail_context(ticket_id: int) -> dict:
    """The open ticket's whole pane, and beside it what it is linked to: the conversation it came from (read-only,
    rule 2), or a tracker's first page of linked conversations."""
    pane = selectors.get_ticket_pane(ticket_id=ticket_id)
    context = whole_pane_context(pane)
    if pane.context_conversation_id:
        context["context_conversation"] = get_conversation_pane(conversation_id=pane.context_conversation_id)
    elif pane.ticket.category == TicketCategory.TRACKER:
        context["tracker_links"] = selectors.get_tracker_links(tracker_id=ticket_id, cursor=None)
    return context


@require_safe
@teammate_required
@domain_errors
def open_ticket(request: TeammateRequest, ticket_id: int) -> HttpResponse:
    """A ticket's permanent address (cross-posts link here): its team's view, else "Your tickets"."""
    return redirect("tickets:ticket", view=selectors.get_ticket_home(ticket_id=ticket_id), ticket_id=ticket_id)
