"""The teammates' inbox: thin views that parse input, call an action or a selector, render a partial."""

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from helpdesk.errors import DomainError
from helpdesk.http import (
    TeammateRequest,
    add_domain_error,
    attachment_response,
    bad_query,
    domain_errors,
    error_response,
    json_response,
    teammate_required,
)
from helpdesk.regions import render_region
from inbox import actions
from inbox.forms import AssignForm, ComposerForm, ListFilterForm, LiveVersionForm, OptionsQueryForm, SnoozeForm
from inbox.live import inbox_view_topic
from inbox.mail import actions as mail_actions
from inbox.mail.selectors import check_conversation_email
from inbox.mentions import list_mention_options
from inbox.messenger import messenger_url
from inbox.models import Conversation, ConversationState
from inbox.saved_replies.actions import post_with_saved_reply
from inbox.saved_replies.selectors import get_effects_label
from inbox.selectors import (
    Sort,
    change_version,
    get_attachment,
    get_conversation,
    get_conversation_pane,
    get_conversation_versions,
    get_inbox_view,
    list_inbox_conversations,
    list_team_options,
    list_teammate_options,
    list_timeline,
    timeline_version,
)

CONVERSATION = "inbox/conversation.html"


@require_safe
@teammate_required
def home(request: TeammateRequest) -> HttpResponse:
    """The inbox's "Your conversations"; for a back-office-only teammate, which has no inbox, "Your tickets"."""
    if request.user.back_office_only:
        return redirect("tickets:list", view="mine")
    return redirect("inbox:view", view="mine")


@require_safe
@teammate_required
@domain_errors
def inbox_page(request: TeammateRequest, view: str, conversation_id: int | None = None) -> HttpResponse:
    """The inbox page; with HTMX, only the region it targets (the list or the main pane)."""
    inbox_view = get_inbox_view(teammate=request.user, slug=view)
    filters = ListFilterForm(request.GET)
    if not filters.is_valid():
        return error_response(request, f"Those list filters are not valid. {filters.problems()}", status=400)
    query = urlencode(filters.query())
    open_conversation_id = conversation_id or filters.cleaned_data["open"]
    context = {
        "view": inbox_view,
        "query": query,
        "first_page_query": urlencode(filters.values()),
        "paged": filters.cursor is not None,
        "filters": filters.values(),
        "nav_current": f"inbox:{view}",
        "state_choices": ConversationState.choices,
        "sort_choices": Sort.CHOICES,
        "open_conversation_id": open_conversation_id,
        "view_topic": inbox_view_topic(view, teammate_id=request.user.pk),
    }
    if request.htmx.target == "main" and conversation_id:
        context |= detail_context(request, conversation_id)
        return render(request, CONVERSATION + "#conversation-detail", context)
    context["page"] = list_inbox_conversations(view=inbox_view, cursor=filters.cursor, **filters.values())
    if request.htmx.target == "conversation-list":
        return render(request, "inbox/inbox.html#conversation-list", context)
    context["nav"] = render_region("nav", request, current=context["nav_current"])
    if conversation_id:
        context |= detail_context(request, conversation_id)
    return render(request, "inbox/inbox.html", context)


def detail_context(request: TeammateRequest, conversation_id: int) -> dict:
    """The main pane whole: the conversation, and beside it its linked tickets, which the tickets app renders."""
    context = pane_context(conversation_id)
    return context | {"ticket_side": render_region("conversation-side", request, conversation_id=conversation_id)}


def pane_context(conversation_id: int, **forms) -> dict:
    pane = get_conversation_pane(conversation_id=conversation_id)
    conversation = pane.conversation
    return header_context(conversation) | {
        "pane": pane,
        "composer": forms.get("composer") or ComposerForm(),
        "assign_form": forms.get("assign_form") or AssignForm(assignee=conversation.assignee, team=conversation.team),
        "snooze_form": forms.get("snooze_form") or SnoozeForm(),
        "composer_effects": forms.get("composer_effects", ""),
    }


def render_pane(request: TeammateRequest, conversation_id: int, *, status: int = 200, **forms) -> HttpResponse:
    return render(request, CONVERSATION + "#conversation-pane", pane_context(conversation_id, **forms), status=status)


@require_safe
@teammate_required
@domain_errors
def conversation_header(request: TeammateRequest, conversation_id: int) -> HttpResponse:
    """The live header; 204 while its version `v` is current, so a change elsewhere re-renders nothing."""
    query = LiveVersionForm(request.GET)
    if not query.is_valid():
        return bad_query(request, query)
    if query.cleaned_data["v"] == get_conversation_versions(conversation_id=conversation_id)[0]:
        return HttpResponse(status=204)
    conversation = get_conversation(conversation_id=conversation_id)
    return render(request, CONVERSATION + "#conversation-header", header_context(conversation))


@require_safe
@teammate_required
@domain_errors
def conversation_timeline(request: TeammateRequest, conversation_id: int) -> HttpResponse:
    """The live timeline; 204 while its version `v` (newest part, deliveries) is current."""
    query = LiveVersionForm(request.GET)
    if not query.is_valid():
        return bad_query(request, query)
    if query.cleaned_data["v"] == get_conversation_versions(conversation_id=conversation_id)[1]:
        return HttpResponse(status=204)
    return render(request, CONVERSATION + "#conversation-timeline", timeline_context(conversation_id))


@require_safe
@teammate_required
@domain_errors
def conversation_context(request: TeammateRequest, conversation_id: int) -> HttpResponse:
    """A conversation read-only, for context beside a back-office ticket."""
    return render(request, CONVERSATION + "#conversation-context", timeline_context(conversation_id))


@require_safe
@never_cache  # a signed link lets anyone who has it in as the contact: no cache keeps a copy
@teammate_required
@domain_errors
def contact_link(request: TeammateRequest, conversation_id: int) -> HttpResponse:
    """The contact's messenger link, absolute (SITE_URL), to copy and send them; loaded when the teammate opens
    "Copy messenger link", so that signed links are not in every render of the pane. Signing one changes
    nothing, so a GET."""
    contact = get_conversation(conversation_id=conversation_id).contact
    context = {
        "contact": contact,
        "messenger_url": messenger_url(contact),
        "link_days": settings.MESSENGER_LINK_MAX_AGE.days,
    }
    return render(request, CONVERSATION + "#contact-link", context)


def header_context(conversation: Conversation) -> dict:
    return {"conversation": conversation, "conversation_version": change_version(conversation.updated_at)}


def timeline_context(conversation_id: int) -> dict:
    conversation = get_conversation(conversation_id=conversation_id)
    parts = list_timeline(conversation_id=conversation.pk)
    return {"conversation": conversation, "parts": parts, "timeline_version": timeline_version(parts)}


@require_POST
@teammate_required
@domain_errors
def post_message(request: TeammateRequest, conversation_id: int) -> HttpResponse:
    """Reply to the customer or write an internal note, as the composer's mode says, and apply the effects of the
    saved reply it was written from, if it carries one (all or nothing: inbox.saved_replies.actions)."""
    form = ComposerForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            post_with_saved_reply(
                actor=request.user,
                conversation_id=conversation_id,
                kind=data["kind"],
                body=data["body"],
                attachments=data["attachments"],
                saved_reply_id=data["saved_reply"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            composer = ComposerForm(initial={"kind": form.cleaned_data["kind"]})
            return render_pane(request, conversation_id, composer=composer)
    # A refused message keeps its saved reply's effects, and their chip, until the teammate removes them.
    effects = get_effects_label(teammate=request.user, saved_reply_id=form.cleaned_data.get("saved_reply"))
    return render_pane(request, conversation_id, composer=form, composer_effects=effects, status=422)


@require_safe
@teammate_required
@domain_errors
def attachment(request: TeammateRequest, attachment_id: int) -> HttpResponse:
    """A file attached to a conversation part (any kind: teammates read every part)."""
    found = get_attachment(attachment_id=attachment_id)
    return attachment_response(file=found.file, name=found.name, content_type=found.content_type)


@require_POST
@teammate_required
@domain_errors
def resend_email(request: TeammateRequest, conversation_id: int, outbound_email_id: int) -> HttpResponse:
    """Send a reply's failed email again, from the timeline; the timeline comes back, the email queued."""
    check_conversation_email(conversation_id=conversation_id, outbound_email_id=outbound_email_id)
    mail_actions.resend_email(actor=request.user, outbound_email_id=outbound_email_id)
    return render(request, f"{CONVERSATION}#conversation-timeline", timeline_context(conversation_id))


@require_POST
@teammate_required
@domain_errors
def assign(request: TeammateRequest, conversation_id: int) -> HttpResponse:
    form = AssignForm(request.POST)
    if form.is_valid():
        actions.assign_conversation(
            actor=request.user,
            conversation_id=conversation_id,
            assignee_id=form.cleaned_data["assignee"],
            team_id=form.cleaned_data["team"],
        )
        return render_pane(request, conversation_id)
    return render_pane(request, conversation_id, assign_form=form, status=422)


@require_POST
@teammate_required
@domain_errors
def snooze(request: TeammateRequest, conversation_id: int) -> HttpResponse:
    form = SnoozeForm(request.POST)
    if form.is_valid():
        try:
            actions.snooze_conversation(
                actor=request.user, conversation_id=conversation_id, until=form.cleaned_data["until"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return render_pane(request, conversation_id)
    return render_pane(request, conversation_id, snooze_form=form, status=422)


@require_POST
@teammate_required
@domain_errors
def close(request: TeammateRequest, conversation_id: int) -> HttpResponse:
    actions.close_conversation(actor=request.user, conversation_id=conversation_id)
    return render_pane(request, conversation_id)


@require_POST
@teammate_required
@domain_errors
def reopen(request: TeammateRequest, conversation_id: int) -> HttpResponse:
    actions.reopen_conversation(actor=request.user, conversation_id=conversation_id)
    return render_pane(request, conversation_id)


# --- The pickers' options (helpdesk.forms.PickerField, static/js/app.js) ---


def options_response(request: TeammateRequest, list_options: Callable[..., list[tuple[int, str]]]) -> HttpResponse:
    query = OptionsQueryForm(request.GET)
    if not query.is_valid():
        return json_response({"error": "The search is too long."}, status=400)
    results = [{"value": pk, "text": label} for pk, label in list_options(search=query.cleaned_data["q"])]
    return json_response({"results": results})


@require_safe
@teammate_required
def teammate_options(request: TeammateRequest) -> HttpResponse:
    """The assignee picker's options: the active teammates whose name holds every word of `?q=`, by name, at most
    OPTIONS_SHOWN, as JSON `{"results": [{"value": id, "text": name}]}`."""
    return options_response(request, list_teammate_options)


@require_safe
@teammate_required
def team_options(request: TeammateRequest) -> HttpResponse:
    """The team picker's options: the teams whose name holds every word of `?q=`, as teammate_options says."""
    return options_response(request, list_team_options)


@require_safe
@teammate_required
def mention_options(request: TeammateRequest) -> HttpResponse:
    """A note composer's list of teammates and teams to mention, for what was typed after "@" (`?q=`)."""
    query = OptionsQueryForm(request.GET)
    if not query.is_valid():
        return bad_query(request, query)
    search = query.cleaned_data["q"]
    options = list_mention_options(search=search)
    return render(request, "components/mention_options.html", {"options": options, "search": search})
