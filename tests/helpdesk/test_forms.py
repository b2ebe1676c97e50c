"""The select rendered in Python (helpdesk/forms.py) is the markup Django's templates would write."""

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from helpdesk.forms import FormRenderer


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(
        choices=[
            ("", "Unassigned"),
            (1, 'Zoë "Zed" O\'Neil & <co>'),
            ("Teams", [(2, "Billing <EU>"), (3, mark_safe("<b>Safe</b>"))]),
        ],
        required=False,
    )
    team = forms.ChoiceField(choices=[(1, "A&B")], widget=forms.Select(attrs={"data-x": 'q"uote', "disabled": True}))


def test_select_markup_matches_djangos_templates():
    for data in ({"assignee": "2", "team": "1"}, {"assignee": "1"}, None):
        ours = AssignForm(data, renderer=FormRenderer())
        djangos = AssignForm(data, renderer=DjangoTemplates())
        for name in ("assignee", "team"):
            assert str(ours[name]) == str(djangos[name])
    assert "&lt;co&gt;" in str(AssignForm(renderer=FormRenderer())["assignee"])
