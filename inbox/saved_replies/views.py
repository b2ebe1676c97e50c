"""The saved replies' teammate views: the composer's list and insertion (static/js/saved_replies.js), and the page
where a teammate keeps their own."""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from helpdesk.errors import DomainError, NotFound
from helpdesk.http import TeammateRequest, add_domain_error, bad_query, domain_errors, json_response, teammate_required
from helpdesk.regions import render_region
from inbox.saved_replies import actions
from inbox.saved_replies.forms import RenderQueryForm, SavedRepliesQueryForm, SavedReplyForm
from inbox.saved_replies.models import SavedReply
from inbox.saved_replies.selectors import (
    get_saved_reply,
    list_editable_saved_replies,
    list_saved_replies,
    render_saved_reply,
)

PAGE = "inbox/saved_replies.html"


@require_safe
@teammate_required
def options(request: TeammateRequest) -> HttpResponse:
    """The composer's list of saved replies whose name holds the words typed after "/" (`?q=`; `?kind=note` in a
    ticket's note composer): the shared ones and the teammate's own, as listbox options."""
    query = SavedRepliesQueryForm(request.GET)
    if not query.is_valid():
        return bad_query(request, query)
    search, kind = query.cleaned_data["q"], query.cleaned_data["kind"]
    rows = list_saved_replies(teammate=request.user, search=search, kind=kind or None)
    return render(request, f"{PAGE}#saved-reply-options", {"saved_replies": rows, "search": search})


@require_safe
@teammate_required
def render_reply(request: TeammateRequest, saved_reply_id: int) -> HttpResponse:
    """A saved reply filled in for `?conversation=` or `?ticket=`, as JSON (RenderedReply.as_json); an error as
    JSON `{"error": message}` with a 400, 404 or 422."""
    query = RenderQueryForm(request.GET)
    if not query.is_valid():
        problems = " ".join(str(message) for messages in query.errors.values() for message in messages)
        return json_response({"error": f"That address has a bad parameter: {problems}"}, status=400)
    try:
        rendered = render_saved_reply(
            teammate=request.user,
            saved_reply_id=saved_reply_id,
            conversation_id=query.cleaned_data["conversation"],
            ticket_id=query.cleaned_data["ticket"],
        )
    except DomainError as error:
        return json_response({"error": error.message}, status=404 if isinstance(error, NotFound) else 422)
    return json_response(rendered.as_json())


# --- The teammate's own saved replies (shared ones are kept by admins, in the Django admin) ---


def page(request: TeammateRequest, form: SavedReplyForm, *, status: int = 200) -> HttpResponse:
    editing = form.instance if form.instance.pk else None
    context = {
        "form": form,
        "saved_replies": list_editable_saved_replies(teammate=request.user),
        "editing": editing,
        "editable": editing is None or editing.editable_by(request.user),
        "nav": render_region("nav", request, current="inbox:saved-replies"),
        "nav_current": "inbox:saved-replies",
    }
    return render(request, PAGE, context, status=status)


def edit(request: TeammateRequest, instance: SavedReply | None = None) -> HttpResponse:
    """The page with the form for a new saved reply or `instance`; a POST saves it and comes back to it."""
    if request.method != "POST":
        return page(request, SavedReplyForm(instance=instance, owner=request.user))
    form = SavedReplyForm(request.POST, instance=instance, owner=request.user)
    if form.is_valid():
        try:
            actions.save_saved_reply(actor=request.user, saved_reply=form.instance)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("inbox:saved-reply", form.instance.pk)
    return page(request, form, status=422)


@require_http_methods(["GET", "HEAD", "POST"])
@teammate_required
def saved_replies(request: TeammateRequest) -> HttpResponse:
    """The teammate's saved replies and the shared ones; a new one of their own (POST)."""
    return edit(request)


@require_http_methods(["GET", "HEAD", "POST"])
@teammate_required
@domain_errors
def saved_reply(request: TeammateRequest, saved_reply_id: int) -> HttpResponse:
    """One of the teammate's own saved replies, to change (POST); a shared one is shown, read-only (changed by
    admins)."""
    instance = get_saved_reply(teammate=request.user, saved_reply_id=saved_reply_id)
    if request.method == "POST":
        actions.check_editable(request.user, instance)  # before the form changes the row shown with the refusal
    return edit(request, instance)


@require_POST
@teammate_required
@domain_errors
def delete(request: TeammateRequest, saved_reply_id: int) -> HttpResponse:
    actions.delete_saved_reply(actor=request.user, saved_reply_id=saved_reply_id)
    return redirect("inbox:saved-replies")
