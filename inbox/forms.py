from typing import Any

from django import forms
from django.db.models import Model
from django.utils import timezone

from helpdesk.forms import MAX_ID, AttachmentsField, PickerField, picker_field
from helpdesk.moments import preset_time
from helpdesk.pagination import CURSOR_MAX_LENGTH, Cursor, clean_page_link
from inbox.actions import MAX_BODY_LENGTH
from inbox.models import ConversationState, Team, Teammate
from inbox.selectors import ORDERINGS, Sort, get_team_option, get_teammate_option


class ListFilterForm(forms.Form):
    """The list's filters, from the query string; anything else is a 400 with the message."""

    state = forms.ChoiceField(choices=ConversationState.choices, required=False)
    sort = forms.ChoiceField(choices=Sort.CHOICES, required=False)
    # A page link: the cursor of the row the page starts after, or ends before (helpdesk.pagination).
    after = forms.CharField(max_length=CURSOR_MAX_LENGTH, required=False)
    before = forms.CharField(max_length=CURSOR_MAX_LENGTH, required=False)
    open = forms.IntegerField(min_value=1, required=False)  # the conversation open beside the list

    cursor: Cursor | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "sort" in data:  # a cursor is read for its sort; an unknown sort is already an error
            self.cursor = clean_page_link(self, keys=ORDERINGS[data["sort"] or Sort.NEWEST])
        return data

    def values(self) -> dict[str, Any]:
        """What the list selector takes."""
        data = self.cleaned_data
        return {"state": data["state"] or ConversationState.OPEN, "sort": data["sort"] or Sort.NEWEST}

    def query(self) -> dict[str, Any]:
        """The list's place, for its links: its filters, and the page link it was opened with, if any."""
        data = self.cleaned_data
        return self.values() | {name: data[name] for name in ("after", "before") if data[name]}

    def problems(self) -> str:
        return " ".join(str(message) for messages in self.errors.values() for message in messages)


class LiveVersionForm(forms.Form):
    """A live part's query string: the version it shows, answered with 204 while that is still current."""

    v = forms.CharField(max_length=64, required=False)


class ComposerForm(forms.Form):
    KIND_CHOICES = [("reply", "Reply"), ("note", "Note")]

    kind = forms.ChoiceField(choices=KIND_CHOICES, initial="reply", widget=forms.RadioSelect)
    # Not required here: a message may be files alone, which the action decides (inbox.actions.clean_body).
    body = forms.CharField(
        max_length=MAX_BODY_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "data-composer": "", "placeholder": "Write a reply…"}),
        label="Message",
    )
    attachments = AttachmentsField()
    # The saved reply the message was written from, when its effects are to be applied on sending (its chip).
    saved_reply = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False, widget=forms.HiddenInput)


# The empty choices of the assign forms' pickers.
UNASSIGNED, NO_TEAM = "Unassigned", "No team"


def teammate_picker(*, empty_label: str | None = UNASSIGNED, **kwargs: Any) -> PickerField:
    """A picker of active teammates (helpdesk.forms.PickerField), searched at inbox:teammate-options."""
    return PickerField(source="inbox:teammate-options", lookup=teammate_label, empty_label=empty_label, **kwargs)


def team_picker(*, empty_label: str | None = NO_TEAM, **kwargs: Any) -> PickerField:
    """A picker of teams (helpdesk.forms.PickerField), searched at inbox:team-options."""
    return PickerField(source="inbox:team-options", lookup=team_label, empty_label=empty_label, **kwargs)


def teammate_label(teammate_id: int) -> str | None:
    return get_teammate_option(teammate_id=teammate_id)


def team_label(team_id: int) -> str | None:
    return get_team_option(team_id=team_id)


def option(row: Model | None) -> tuple[int, str] | None:
    """A picker's current choice from the row a pane already loaded (its str() is what the pickers show)."""
    return (row.pk, str(row)) if row is not None else None


class AssignForm(forms.Form):
    """The conversation's assignee and team; unbound, it shows the current ones (`assignee`, `team`)."""

    assignee = teammate_picker()
    team = team_picker()

    def __init__(self, *args: Any, assignee: Teammate | None = None, team: Team | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.update({"assignee": assignee.pk if assignee else None, "team": team.pk if team else None})
            picker_field(self, "assignee").offer(option(assignee))
            picker_field(self, "team").offer(option(team))


class OptionsQueryForm(forms.Form):
    """A picker's search (static/js/app.js): words of the name."""

    q = forms.CharField(max_length=100, required=False, strip=True)


class SnoozeForm(forms.Form):
    PRESETS = [
        ("1h", "1 hour"),
        ("4h", "4 hours"),
        ("tomorrow", "Tomorrow, 9:00"),
        ("next_week", "Next Monday, 9:00"),
        ("custom", "Pick a date and time"),
    ]

    preset = forms.ChoiceField(choices=PRESETS, initial="1h", label="Snooze for")
    until = forms.DateTimeField(
        required=False,
        label="Until",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        preset = data.get("preset")
        if preset == "custom":
            if not data.get("until"):
                self.add_error("until", "Pick the date and time to snooze until.")
            elif data["until"] <= timezone.now():
                self.add_error("until", "Choose a time in the future.")
        elif preset:
            data["until"] = preset_time(preset, now=timezone.localtime())
        return data
