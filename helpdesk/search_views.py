"""The teammates' search page: the results in the middle pane, the item opened beside them as in any list."""

from dataclasses import replace
from typing import Any

from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from helpdesk.http import TeammateRequest, bad_query, domain_errors, teammate_required
from helpdesk.regions import render_region
from helpdesk.search import SearchSort
from helpdesk.search_forms import STATES, SearchForm, SearchKind
from inbox.models import Teammate
from inbox.search import Snippet, get_contact_card, search_contacts, search_conversations
from inbox.views import detail_context
from tickets import access
from tickets.search import search_tickets
from tickets.views import ticket_detail_context

SEARCH = "search/search.html"


@require_safe
@teammate_required
@domain_errors
def search(request: TeammateRequest) -> HttpResponse:
    """The search page; with htmx, only the region it targets: the results, or the item opened beside them."""
    params = request.GET.copy()
    if request.user.back_office_only:  # its tickets are all it may search (tickets/access.py)
        params.setdefault("kind", SearchKind.TICKETS)
    form = SearchForm(params)
    if not form.is_valid():
        return bad_query(request, form)
    context = {"form": form, "kind": form.searched_kind, "nav_current": "search"} | tabs_context(form, request.user)
    context["open_id"] = opened = form.cleaned_data["open"]
    # A region swapped alone brings what shows its change elsewhere, out of band (the tabs' links, the status).
    context["swapped"] = request.htmx.target == "search-results"
    if opened and request.htmx.target != "search-results":
        context |= opened_context(request, form.searched_kind, opened)
        if request.htmx.target == "main":
            return render(request, f"{SEARCH}#search-detail", context)
    context |= results_context(form, scope=access.ticket_scope(request.user))
    if request.htmx.target == "search-results":
        return render(request, f"{SEARCH}#search-results", context)
    context["nav"] = render_region("nav", request, current="search")
    return render(request, SEARCH, context)


def tabs_context(form: SearchForm, teammate: Teammate) -> dict:
    """Each kind's tab: (kind, label, this search's query string in that kind); the others apart, for the hint."""
    kinds = [(value, label) for value, label in SearchKind.CHOICES if access.may_search(teammate, value)]
    tabs = [(value, label, form.kind_query(value)) for value, label in kinds]
    return {"tabs": tabs, "other_tabs": [tab for tab in tabs if tab[0] != form.searched_kind]}


def results_context(form: SearchForm, *, scope: Q) -> dict:
    query, kind = form.searched, form.searched_kind
    context: dict[str, Any] = {
        "searched": bool(query.words),
        "has_states": bool(STATES[kind]),
        "sort_choices": SearchSort.CHOICES,
        "list_query": form.query_string(open=None),
        "first_page_query": form.query_string(after=None, before=None, open=None),
    }
    if not query.words:
        return context
    snippets: dict[int, Snippet] = {}
    if kind == SearchKind.CONTACTS:
        page = search_contacts(query=query, cursor=form.cursor)
    else:
        search_kind = search_tickets if kind == SearchKind.TICKETS else search_conversations
        filters = replace(form.filters(), scope=scope) if kind == SearchKind.TICKETS else form.filters()
        page, snippets = search_kind(query=query, filters=filters, sort=form.searched_sort, cursor=form.cursor)
    context["page"] = page
    context["results"] = [(row, snippets.get(row.pk)) for row in page.rows]
    context["previous_query"] = form.query_string(before=page.previous_cursor, after=None, open=None)
    context["next_query"] = form.query_string(after=page.next_cursor, before=None, open=None)
    return context


def opened_context(request: TeammateRequest, kind: str, item_id: int) -> dict:
    """The item open beside the results, as its own list would show it."""
    if kind == SearchKind.TICKETS:
        return {"opened": "ticket"} | ticket_detail_context(item_id)
    if kind == SearchKind.CONTACTS:
        return {"opened": "contact", "card": get_contact_card(contact_id=item_id)}
    return {"opened": "conversation", "conversation_id": item_id} | detail_context(request, item_id)
