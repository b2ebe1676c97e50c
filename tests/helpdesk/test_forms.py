"""The shared form fields (helpdesk/forms.py), and the moment tag writes what Django's date filters wrote."""

import re
import zoneinfo
from datetime import UTC, datetime

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from helpdesk.forms import PickerField, picker_field

NAMES = {7: 'Zoë "Zed" O\'Neil & <co>', 8: "Ada Lovelace"}
looked_up: list[int] = []


def lookup(pk: int) -> str | None:
    looked_up.append(pk)
    return NAMES.get(pk)


class PickForm(forms.Form):
    person = PickerField(source="inbox:teammate-options", lookup=lookup, empty_label="Unassigned")
    body = forms.CharField()


def options(form: forms.Form) -> list[tuple[str, str]]:
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', str(form["person"]))


def test_picker_field_carries_only_the_empty_choice_and_the_current_one():
    form = PickForm()
    picker_field(form, "person").offer((8, "Ada Lovelace"))

    assert options(form) == [("", "Unassigned"), ("8", "Ada Lovelace")]
    assert f'data-picker="{reverse("inbox:teammate-options")}"' in str(form["person"])


def test_picker_field_escapes_the_current_choice():
    form = PickForm()
    picker_field(form, "person").offer((7, NAMES[7]))

    assert "&lt;co&gt;" in str(form["person"]) and "<co>" not in str(form["person"])


def test_picker_field_cleans_a_choosable_id_to_an_int():
    form = PickForm({"person": "8", "body": "x"})

    assert form.is_valid()
    assert form.cleaned_data["person"] == 8


def test_picker_field_cleans_empty_to_none():
    form = PickForm({"person": "", "body": "x"})

    assert form.is_valid()
    assert form.cleaned_data["person"] is None


@pytest.mark.parametrize(
    ("value", "lookups"),
    [("9", [9]), ("0", []), ("-8", []), ("8.0", []), ("nobody", []), (str(2**63), []), ("9" * 400, [])],
)
def test_picker_field_refuses_what_is_not_a_choosable_id(value, lookups):
    looked_up.clear()
    form = PickForm({"person": value, "body": "x"})

    assert not form.is_valid()
    assert "Select a valid choice" in str(form.errors["person"])
    assert looked_up == lookups  # only an id that could be a row's is looked up


def test_picker_field_shows_the_submitted_choice_again_when_another_field_fails():
    form = PickForm({"person": "8", "body": ""})

    assert not form.is_valid()
    assert ("8", "Ada Lovelace") in options(form)
    assert re.search(r'<option value="8" selected>', str(form["person"]))


def test_picker_field_without_empty_label_offers_no_empty_choice():
    form = PickForm()
    field = picker_field(form, "person")
    field.offer((8, "Ada Lovelace"))

    field.empty_label = None

    assert options(form) == [("8", "Ada Lovelace")]


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
