"""The saved replies' forms: a teammate's own (their saved replies page; the admin's form is in its module), and
the composer's queries."""

from typing import Any

from django import forms

from helpdesk.forms import MAX_ID, picker_field
from inbox.forms import option, team_picker, teammate_picker
from inbox.models import Teammate
from inbox.saved_replies.models import SavedReply, SavedReplyKind


class SavedReplyModelForm(forms.ModelForm):
    """What both saved reply forms share: the body's placeholders and the effects are checked by SavedReply.clean,
    and the owner, which the form sets rather than shows, is still checked against the unique names (a form error,
    never an IntegrityError)."""

    def _get_validation_exclusions(self) -> set[str]:
        return super()._get_validation_exclusions() - {"owner"}  # type: ignore[misc]  # Django's; not in its stubs


class SavedReplyForm(SavedReplyModelForm):
    """A teammate's own saved reply: its effects' teammate and team chosen with the inbox's pickers."""

    assign_teammate = teammate_picker(empty_label="Nobody", label="Assign to a teammate")
    assign_team = team_picker(empty_label="Keep the conversation's team", label="Move to team")

    class Meta:
        model = SavedReply
        fields = ["name", "kind", "body", "state_effect", "assign_to_me"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args: Any, owner: Teammate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.instance.owner = owner
        if not self.is_bound:
            for name in ("assign_teammate", "assign_team"):
                row = getattr(self.instance, name)
                self.initial[name] = row.pk if row else None
                picker_field(self, name).offer(option(row))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.instance.assign_teammate_id = data.get("assign_teammate")
        self.instance.assign_team_id = data.get("assign_team")
        return data


class SavedRepliesQueryForm(forms.Form):
    """The composer's list: words of the name, and only notes in a ticket's note composer."""

    q = forms.CharField(max_length=100, required=False, strip=True)
    kind = forms.ChoiceField(choices=[("", "Any"), *SavedReplyKind.choices], required=False)


class RenderQueryForm(forms.Form):
    """Where a saved reply is inserted: a conversation's composer, or a ticket's note composer."""

    conversation = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    ticket = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("conversation") and data.get("ticket"):
            raise forms.ValidationError("Name a conversation or a ticket, not both.")
        return data
