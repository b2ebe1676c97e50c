"""The search page's query string (helpdesk/search_views.py)."""

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.db.models import Value

from helpdesk.forms import MAX_ID, choice_field
from helpdesk.pagination import CURSOR_MAX_LENGTH, clean_page_link
from helpdesk.search import MAX_QUERY_LENGTH, NEWEST_KEYS, SearchFilters, SearchQuery, SearchSort, best_keys
from inbox.forms import team_picker, teammate_picker
from inbox.models import ConversationState
from inbox.search import CONTACT_KEYS
from tickets.search import list_ticket_type_options
from tickets.selectors.lists import TicketStatus


class SearchKind:
    CONVERSATIONS = "conversations"
    TICKETS = "tickets"
    CONTACTS = "contacts"
    CHOICES = [(CONVERSATIONS, "Conversations"), (TICKETS, "Tickets"), (CONTACTS, "Contacts")]


STATES = {
    SearchKind.CONVERSATIONS: ConversationState.choices,
    SearchKind.TICKETS: [choice for choice in TicketStatus.CHOICES if choice[0] != TicketStatus.ALL],
    SearchKind.CONTACTS: [],
}


# The filters (and sort) each kind has: contacts have none, and are sorted by name.
KIND_FILTERS = {
    SearchKind.CONVERSATIONS: {"state", "team", "assignee", "unassigned", "since", "until", "sort"},
    SearchKind.TICKETS: {"state", "team", "assignee", "unassigned", "type", "since", "until", "sort"},
    SearchKind.CONTACTS: set(),
}

PLACEHOLDER = 'Words, "a phrase", #123, an email address'


class SearchForm(forms.Form):
    """What to search for and in what; anything it cannot read is a 400 naming the parameter."""

    q = forms.CharField(max_length=MAX_QUERY_LENGTH, required=False, label="Search")
    kind = forms.ChoiceField(choices=SearchKind.CHOICES, required=False)
    state = forms.ChoiceField(required=False, label="State")
    team = team_picker(empty_label="Any team", label="Team")
    assignee = teammate_picker(empty_label="Anyone", label="Assignee")
    unassigned = forms.BooleanField(required=False, label="Unassigned only")
    type = forms.TypedChoiceField(coerce=int, empty_value=None, required=False, label="Ticket type")
    since = forms.DateField(required=False, label="Updated since", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="Updated until", widget=forms.DateInput(attrs={"type": "date"}))
    sort = forms.ChoiceField(choices=SearchSort.CHOICES, required=False, label="Sort")
    after = forms.CharField(max_length=CURSOR_MAX_LENGTH, required=False)
    before = forms.CharField(max_length=CURSOR_MAX_LENGTH, required=False)
    open = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False)  # the item open beside the list

    cursor = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        kind = self.data.get("kind") or SearchKind.CONVERSATIONS
        choice_field(self, "state").choices = [("", "Any state"), *STATES.get(kind, [])]
        choice_field(self, "type").choices = [("", "Any type"), *list_ticket_type_options()]
        box = self.fields["q"].widget
        box.input_type = "search"  # a TextInput's own: an attrs "type" is overridden by it
        box.attrs.update({"autocomplete": "off", "placeholder": PLACEHOLDER, "aria-keyshortcuts": "/"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date comes before the start date.")
        if data.get("unassigned") and data.get("assignee"):
            self.add_error("unassigned", "Choose an assignee or unassigned only, not both.")
        if self.searched_kind == SearchKind.CONTACTS:
            keys = CONTACT_KEYS
        else:
            keys = best_keys(Value(0)) if data.get("sort") == SearchSort.BEST else NEWEST_KEYS
        self.cursor = clean_page_link(self, keys=keys)
        return data

    @property
    def searched_kind(self) -> str:
        return self.cleaned_data.get("kind") or SearchKind.CONVERSATIONS

    @property
    def searched(self) -> SearchQuery:
        return SearchQuery(self.cleaned_data["q"])

    @property
    def searched_sort(self) -> str:
        return self.cleaned_data["sort"] or SearchSort.NEWEST

    def filters(self) -> SearchFilters:
        data = self.cleaned_data
        return SearchFilters(
            state=data["state"],
            team_id=data["team"],
            assignee_id=0 if data["unassigned"] else data["assignee"],
            ticket_type_id=data["type"] if self.searched_kind == SearchKind.TICKETS else None,
            since=data["since"],
            until=data["until"],
        )

    @property
    def filtering(self) -> bool:
        """Whether any filter the searched kind has narrows the search (the sort is no filter)."""
        names = KIND_FILTERS[self.searched_kind] - {"sort"}
        return any(self.cleaned_data.get(name) not in (None, "", False) for name in names)

    def kind_query(self, kind: str) -> str:
        """This search in `kind` (its tab): the words, and the filters and sort that `kind` has too; no page, no
        item open (they belong to this kind's list)."""
        kept = {"q", "kind"} | KIND_FILTERS[kind]
        if self.data.get("state") not in dict(STATES[kind]):
            kept.discard("state")
        return self.query_string(kind=kind, **{name: None for name in self.fields if name not in kept})

    def query_string(self, **changes: Any) -> str:
        """The search's place as a query string (`?...`), with `changes` (None drops a parameter)."""
        values = {name: self.data.get(name) for name in self.fields if self.data.get(name)}
        values |= changes
        return "?" + urlencode({name: value for name, value in values.items() if value not in (None, "")})
