"""The teammates' tracker pages: linking a conversation to a tracker (the picker), unlinking, the list of what
a tracker links, and its reply to every linked customer once resolved. Each view parses, calls one action or
selector, and renders a named partial of tickets/trackers.html (STYLE.md 5)."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST, require_safe

from helpdesk.errors import InvalidInput, RuleViolation
from helpdesk.http import TeammateRequest, add_domain_error, bad_query, domain_errors, teammate_required
from inbox.forms import LiveVersionForm
from tickets import actions, selectors
from tickets.forms import TrackerLinkForm, TrackerLinksQueryForm, TrackerReplyForm, TrackerSearchForm
from tickets.side_views import render_side
from tickets.views import changed

TRACKERS = "tickets/trackers.html"


def picker_context(conversation_id: int, search: TrackerSearchForm, form: TrackerLinkForm | None = None) -> dict:
    text = search.cleaned_data["q"] if search.is_valid() else ""
    linked = selectors.list_conversation_tickets(conversation_id=conversation_id)
    trackers, more = selectors.list_open_trackers(search=text, linked_ids=linked.tracker_ids)
    return {
        "conversation_id": conversation_id,
        "search": search,
        "search_text": text,
        "trackers": trackers,
        "more": more,
        "form": form or TrackerLinkForm(),
    }


@require_safe
@teammate_required
@domain_errors
def picker(request: TeammateRequest, conversation_id: int) -> HttpResponse:
    """The "Link to tracker" picker in the ticket side: open trackers, `?q=` searching their titles and numbers;
    the search box asks only for the results (#tracker-results)."""
    search = TrackerSearchForm(request.GET)
    if not search.is_valid():
        return bad_query(request, search)
    target = "tracker-results" if request.htmx.target == "tracker-results" else "tracker-picker"
    return render(request, f"{TRACKERS}#{target}", picker_context(conversation_id, search))


@require_POST
@teammate_required
@domain_errors
def link(request: TeammateRequest, conversation_id: int) -> HttpResponse:
    """Link the conversation (or the customer ticket it is the thread of) to the chosen tracker; the side comes
    back with the tracker open. A refusal comes back in the picker (422)."""
    form = TrackerLinkForm(request.POST)
    if form.is_valid():
        try:
            tracker_link = actions.link_to_tracker(
                actor=request.user, tracker_id=form.cleaned_data["tracker"], conversation_id=conversation_id
            )
        except (InvalidInput, RuleViolation) as error:
            add_domain_error(form, error)
        else:
            linked = selectors.list_conversation_tickets(conversation_id=conversation_id)
            return render_side(request, linked, selected_id=tracker_link.tracker_id, focus_pane=True)
    search = TrackerSearchForm({"q": request.POST.get("q", "")})
    return render(request, f"{TRACKERS}#tracker-picker", picker_context(conversation_id, search, form), status=422)


@require_POST
@teammate_required
@domain_errors
def unlink(request: TeammateRequest, ticket_id: int, conversation_id: int) -> HttpResponse:
    """Unlink a conversation (or the customer ticket it is the thread of) from the tracker. From the conversation's
    ticket side, the side comes back; from the tracker's list of links, the list."""
    actions.unlink_from_tracker(actor=request.user, tracker_id=ticket_id, conversation_id=conversation_id)
    if request.htmx.target == "ticket-side":
        linked = selectors.list_conversation_tickets(conversation_id=conversation_id)
        return render_side(request, linked, selected_id=None)
    links = selectors.get_tracker_links(tracker_id=ticket_id, cursor=None)
    return render(request, f"{TRACKERS}#tracker-links", {"links": links, "page_link": {}})


@require_safe
@teammate_required
@domain_errors
def links(request: TeammateRequest, ticket_id: int) -> HttpResponse:
    """What the tracker links, a page at a time (`?after=`/`?before=`), shown beside it in a ticket view; 204 while
    its version `v` is current."""
    query = TrackerLinksQueryForm(request.GET)
    if not query.is_valid():
        return bad_query(request, query)
    tracker_links = selectors.get_tracker_links(tracker_id=ticket_id, cursor=query.cursor)
    if query.cleaned_data["v"] == tracker_links.version:
        return HttpResponse(status=204)
    page_link = {name: query.cleaned_data[name] for name in ("after", "before") if query.cleaned_data[name]}
    context = {"links": tracker_links, "page_link": page_link}
    return render(request, f"{TRACKERS}#tracker-links", context)


@require_safe
@teammate_required
@domain_errors
def reply_part(request: TeammateRequest, ticket_id: int, part: str) -> HttpResponse:
    """The tracker's reply to its customers: its delivery status (`status`) or the form to send it (`form`);
    each answers 204 while its version `v` is current, so nothing being typed in the form is replaced."""
    query = LiveVersionForm(request.GET)
    if not query.is_valid():
        return bad_query(request, query)
    status = selectors.get_tracker_reply_status(tracker_id=ticket_id)
    version = status.version if part == "status" else status.form_version
    if query.cleaned_data["v"] == version:
        return HttpResponse(status=204)
    return render(request, f"{TRACKERS}#tracker-reply-{part}", {"status": status, "form": TrackerReplyForm()})


@require_POST
@teammate_required
@domain_errors
def reply(request: TeammateRequest, ticket_id: int) -> HttpResponse:
    """Send the resolved tracker's reply to every linked customer; the form comes back as a confirmation and the
    status refreshes as the copies are delivered. A refusal comes back in the form (422)."""
    form = TrackerReplyForm(request.POST)
    if form.is_valid():
        try:
            sent = actions.send_tracker_reply(actor=request.user, tracker_id=ticket_id, body=form.cleaned_data["body"])
        except (InvalidInput, RuleViolation) as error:
            add_domain_error(form, error)
        else:
            status = selectors.get_tracker_reply_status(tracker_id=ticket_id)
            response = render(request, f"{TRACKERS}#tracker-reply-form", {"status": status, "sent": sent})
            return changed(response)
    status = selectors.get_tracker_reply_status(tracker_id=ticket_id)
    return render(request, f"{TRACKERS}#tracker-reply-form", {"status": status, "form": form}, status=422)
