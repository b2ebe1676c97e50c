"""The ticket side of a conversation (its linked tickets, the ticket forms sent, the open ticket's whole pane) and
creating a back-office or tracker ticket from it. Each view parses, calls one action or selector, and renders a named
partial (STYLE.md 5)."""

from collections.abc import Callable

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import reswap, retarget, trigger_client_event

from helpdesk.errors import InvalidInput, RuleViolation
from helpdesk.http import TeammateRequest, add_domain_error, bad_query, domain_errors, error_response, teammate_required
from helpdesk.regions import renders
from tickets import actions, rules, selectors
from tickets.forms import CreateQueryForm, SideQueryForm, TicketCreateForm, posted_type_id
from tickets.models import SharingPolicy, Ticket, TicketCategory
from tickets.selectors import ConversationTickets
from tickets.views import TICKET, whole_pane_context

CREATE = "tickets/create.html#ticket-create"


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


@require_POST
@teammate_required
@domain_errors
def snooze_until_moves(request: TeammateRequest, conversation_id: int, ticket_id: int) -> HttpResponse:
    """Snooze the conversation until the open linked ticket moves. The ticket side comes back; the conversation's
    header and timeline refresh (conversation-changed). A refusal is the flash message (domain_errors)."""
    actions.snooze_until_ticket_moves(actor=request.user, conversation_id=conversation_id, ticket_id=ticket_id)
    linked = selectors.list_conversation_tickets(conversation_id=conversation_id)
    response = render_side(request, linked, selected_id=ticket_id)
    return trigger_client_event(response, "conversation-changed", after="settle")
