"""What we render in Python (helpdesk/forms.py, the moment tag) is the markup Django's templates would write."""

import zoneinfo
from datetime import UTC, datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.template import Context, Template
from django.utils import timezone
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


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
@pytest.mark.parametrize("with_year", [False, True])
def test_moment_writes_what_the_date_filters_wrote(zone, with_year):
    instant = datetime(2026, 3, 8, 6, 5, 4, 321, tzinfo=UTC)
    label = "M j, Y, H:i" if with_year else "M j, H:i"
    filters = Template(f'<time datetime="{{{{ t|date:\'c\' }}}}">{{{{ t|date:"{label}" }}}}</time>')
    tag = Template(f"{{% moment t with_year={with_year} %}}")

    with timezone.override(zoneinfo.ZoneInfo(zone)):
        assert tag.render(Context({"t": instant})) == filters.render(Context({"t": instant}))
    assert Template("{% moment t %}").render(Context({"t": None})) == ""
