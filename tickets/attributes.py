"""Each kind of custom ticket attribute, in one place (`KINDS`): how a value is parsed and validated (from a form,
a workflow or the API), how it is shown to teammates and customers, and which form field edits it. Actions,
selectors, forms and the admin all read it here."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import escape

from helpdesk.errors import InvalidInput
from helpdesk.moments import moment_label
from tickets.models import AttributeKind, TicketAttribute

Audience = Literal["teammate", "customer"]
MAX_TEXT = 1_000
MAX_MULTILINE_TEXT = 10_000
TRUE_WORDS, FALSE_WORDS = {"true", "on", "1", "yes"}, {"false", "off", "0", "no"}
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True, slots=True)
class Kind:
    """What one kind of attribute means. `parse` turns any input into the JSON-safe stored value (ValueError with
    a readable message otherwise); `field` is the form field (given its label, help text and `required`);
    `show` writes a stored value for people; `initial` and `cleaned` convert between stored and form values."""

    parse: Callable[[TicketAttribute, Any], Any]
    field: Callable[[TicketAttribute, dict[str, Any]], forms.Field]
    show: Callable[[Any], str] = str
    initial: Callable[[Any], Any] = _same
    cleaned: Callable[[Any], Any] = _same
    has_options: bool = False  # its values are one of the attribute's options (admin: one per line)


def _text(limit: int, *, single_line: bool) -> Callable[[TicketAttribute, Any], str]:
    def parse(attribute: TicketAttribute, raw: Any) -> str:
        text = str(raw).strip()
        if single_line and "\n" in text:
            raise ValueError(f"{attribute.name} must be a single line.")
        if len(text) > limit:
            raise ValueError(f"{attribute.name} is limited to {limit:,} characters.")
        return text

    return parse


def _integer(attribute: TicketAttribute, raw: Any) -> int:
    if isinstance(raw, bool) or not str(raw).strip().lstrip("-").isdigit():
        raise ValueError(f"{attribute.name} must be a whole number.")
    try:  # isdigit() lets through "--5", "²" and numbers too long to convert
        return int(str(raw).strip())
    except ValueError:
        raise ValueError(f"{attribute.name} must be a whole number.") from None


def _decimal(attribute: TicketAttribute, raw: Any) -> str:
    try:
        number = Decimal(str(raw).strip())
    except InvalidOperation:
        number = None
    if isinstance(raw, bool) or number is None or not number.is_finite():
        raise ValueError(f"{attribute.name} must be a number, such as 12.50.")
    return str(number)


def _boolean(attribute: TicketAttribute, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower()
    if word not in TRUE_WORDS | FALSE_WORDS:
        raise ValueError(f"{attribute.name} must be yes or no.")
    return word in TRUE_WORDS


def _datetime(attribute: TicketAttribute, raw: Any) -> str:
    try:
        moment = parse_datetime(str(raw).strip())
    except ValueError:  # well-formed but impossible, e.g. month 13
        moment = None
    if moment is None:
        raise ValueError(f"{attribute.name} must be a date and time, such as 2026-11-25 14:30.")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment.isoformat()


def _option(attribute: TicketAttribute, raw: Any) -> str:
    if str(raw) not in attribute.options:
        raise ValueError(f"{attribute.name} must be one of: {', '.join(map(str, attribute.options))}.")
    return str(raw)


def _show_datetime(value: Any) -> str:
    moment = parse_datetime(str(value))
    return moment_label(moment, with_year=True) if moment else str(value)


def _datetime_initial(value: Any) -> Any:
    moment = parse_datetime(value) if isinstance(value, str) else None
    return timezone.localtime(moment) if moment else value


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


KINDS: dict[str, Kind] = {
    AttributeKind.TEXT: Kind(
        parse=_text(MAX_TEXT, single_line=True),
        field=lambda attribute, common: forms.CharField(max_length=MAX_TEXT, **common),
    ),
    AttributeKind.MULTILINE_TEXT: Kind(
        parse=_text(MAX_MULTILINE_TEXT, single_line=False),
        field=lambda attribute, common: forms.CharField(
            max_length=MAX_MULTILINE_TEXT, widget=forms.Textarea(attrs={"rows": 3}), **common
        ),
    ),
    AttributeKind.INTEGER: Kind(parse=_integer, field=lambda attribute, common: forms.IntegerField(**common)),
    AttributeKind.DECIMAL: Kind(
        parse=_decimal,
        field=lambda attribute, common: forms.DecimalField(**common),
        cleaned=lambda value: str(value) if isinstance(value, Decimal) else value,
    ),
    AttributeKind.BOOLEAN: Kind(
        parse=_boolean,
        # An unticked box is a "no", never a missing value: the field is never required.
        field=lambda attribute, common: forms.BooleanField(**{**common, "required": False}),
        show=lambda value: "Yes" if value else "No",
    ),
    AttributeKind.DATETIME: Kind(
        parse=_datetime,
        field=lambda attribute, common: forms.DateTimeField(
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
            input_formats=[DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
            **common,
        ),
        show=_show_datetime,
        initial=_datetime_initial,
        cleaned=_iso,
    ),
    AttributeKind.LIST: Kind(
        parse=_option,
        field=lambda attribute, common: forms.ChoiceField(
            choices=[("", "—")] + [(str(option), str(option)) for option in attribute.options], **common
        ),
        has_options=True,
    ),
}


def parse_value(attribute: TicketAttribute, raw: Any) -> Any:
    """One value of `attribute`, as stored in the ticket's JSON. Raises ValueError with a readable message."""
    kind = KINDS.get(attribute.kind)
    if kind is None:
        raise ValueError(f"{attribute.name} has an unknown kind.")
    return kind.parse(attribute, raw)


def show_value(attribute: TicketAttribute, value: Any) -> str:
    """A stored value as people read it (the same for teammates and customers); "" when there is none."""
    if value is None or value == "":
        return ""
    return KINDS[attribute.kind].show(value)


def form_field(attribute: TicketAttribute, *, required: bool) -> forms.Field:
    """The form field that edits `attribute`. Django's field templates write help texts as they are (|safe),
    so the admin's description is escaped here."""
    common = {"label": attribute.name, "help_text": escape(attribute.description), "required": required}
    return KINDS[attribute.kind].field(attribute, common)


def form_initial(attribute: TicketAttribute, value: Any) -> Any:
    """A stored value as the initial value of its form field."""
    return KINDS[attribute.kind].initial(value)


def form_value(attribute: TicketAttribute, value: Any) -> Any:
    """A form field's cleaned value as `clean_attribute_values` takes it (JSON-safe; empty stays empty)."""
    return KINDS[attribute.kind].cleaned(value)


def clean_attribute_values(
    attributes: Iterable[TicketAttribute], values: dict[str, Any], *, audience: Audience
) -> dict[str, Any]:
    """Parse `values` (keyed by attribute key) into JSON-safe values. Raises InvalidInput listing every problem.

    Teammates may set any live attribute and must fill those `required_to_create`; customers may set
    only customer-visible ones and must fill those `required_for_customers`. Empty values are left out.
    """
    live = {a.key: a for a in attributes if not a.archived}
    allowed = live if audience == "teammate" else {k: a for k, a in live.items() if a.visible_to_customers}
    errors: dict[str, list[str]] = {key: ["This field cannot be set here."] for key in values if key not in allowed}
    cleaned: dict[str, Any] = {}
    for key, attribute in allowed.items():
        raw = values.get(key)
        required = attribute.required_to_create if audience == "teammate" else attribute.required_for_customers
        if raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []:
            if required:
                errors[key] = [f"{attribute.name} is required."]
            continue
        try:
            cleaned[key] = parse_value(attribute, raw)
        except ValueError as error:
            errors[key] = [str(error)]
    if errors:
        raise InvalidInput("Some ticket attributes are not valid.", errors)
    return cleaned
