"""The command palette's query string (helpdesk/palette_views.py)."""

from django import forms

from helpdesk.forms import MAX_ID
from helpdesk.search import MAX_QUERY_LENGTH, SearchQuery


class PaletteForm(forms.Form):
    """What was typed, and what the page has open; anything it cannot read is a 400 naming the parameter."""

    q = forms.CharField(max_length=MAX_QUERY_LENGTH, required=False)
    conversation = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    ticket = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False)

    @property
    def query(self) -> SearchQuery:
        return SearchQuery(self.cleaned_data["q"])
