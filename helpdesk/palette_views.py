"""The command palette's options (Ctrl/Cmd+K, static/js/palette.js): the listbox's groups as a partial, for what was
typed and what the page has open. Reads only: a command runs on the page, through its own forms and buttons."""

from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from helpdesk.http import TeammateRequest, bad_query_message, teammate_required
from helpdesk.palette import PaletteGroup, PaletteOption, count_label, matching_commands
from helpdesk.palette_forms import PaletteForm
from helpdesk.search import SearchQuery
from inbox.models import Teammate
from inbox.palette import (
    list_contact_options,
    list_conversation_commands,
    list_conversation_options,
    list_saved_reply_options,
)
from tickets import access
from tickets.palette import list_ticket_commands, list_ticket_options

PALETTE_RESULTS = "components/palette.html#palette-results"
HINT = "Type #123 for a number, words from a conversation, a ticket or a contact, or what to do."


@require_safe
@teammate_required
def palette(request: TeammateRequest) -> HttpResponse:
    """`?q=` what was typed, `conversation=` and `ticket=` the ids open in the page (their commands). A bad
    parameter is a 400 with the palette's own message, never a 500."""
    form = PaletteForm(request.GET)
    if not form.is_valid():
        return render(request, PALETTE_RESULTS, {"error": bad_query_message(form)}, status=400)
    data = form.cleaned_data
    groups = palette_groups(
        teammate=request.user, query=form.query, conversation_id=data["conversation"], ticket_id=data["ticket"]
    )
    count = sum(len(group.options) for group in groups if group.key != "search")
    context = {"groups": groups, "summary": count_label(count) if groups else "", "hint": "" if groups else HINT}
    return render(request, PALETTE_RESULTS, context)


def palette_groups(
    *, teammate: Teammate, query: SearchQuery, conversation_id: int | None, ticket_id: int | None
) -> list[PaletteGroup]:
    """The groups that have options, in order: commands on what is open, the items found (the one whose number was
    typed first), and the search page for the same words. A fixed number of queries (at most ten)."""
    if teammate.back_office_only:  # its tickets only (tickets/access.py): no inbox, no contacts
        commands = list_ticket_commands(teammate=teammate, ticket_id=ticket_id)
        groups = [
            PaletteGroup("commands", "Commands", matching_commands(commands, query)),
            PaletteGroup("tickets", "Tickets", list_ticket_options(query=query, scope=access.ticket_scope(teammate))),
        ]
    else:
        commands = list_conversation_commands(teammate=teammate, conversation_id=conversation_id)
        commands += list_ticket_commands(teammate=teammate, ticket_id=ticket_id)
        groups = [
            PaletteGroup("commands", "Commands", matching_commands(commands, query)),
            PaletteGroup("conversations", "Conversations", list_conversation_options(query=query)),
            PaletteGroup("tickets", "Tickets", list_ticket_options(query=query)),
            PaletteGroup("contacts", "Contacts", list_contact_options(query=query)),
        ]
    if conversation_id or ticket_id:  # a composer to insert into
        saved = list_saved_reply_options(teammate=teammate, query=query, note_only=not conversation_id)
        groups.insert(1, PaletteGroup("saved-replies", "Saved replies", saved))
    found = [group for group in groups if group.options]
    if query.words:
        found.append(PaletteGroup("search", "Search", [search_option(query)]))
    return found


def search_option(query: SearchQuery) -> PaletteOption:
    return PaletteOption(
        key="search",
        label=f"Search for “{query.text}”",
        meta="Conversations, tickets and contacts, with filters",
        href=f"{reverse('search')}?{urlencode({'q': query.text})}",
    )
