"""Validation of a ticket's custom attribute values against its type."""

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from helpdesk.errors import InvalidInput
from tickets.models import AttributeKind, TicketAttribute

Audience = Literal["teammate", "customer"]
MAX_TEXT = 1_000
MAX_MULTILINE_TEXT = 10_000
TRUE_WORDS, FALSE_WORDS = {"true", "on", "1", "yes"}, {"false", "off", "0", "no"}


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


def parse_value(attribute: TicketAttribute, raw: Any) -> Any:
    """One value of `attribute`, as stored in the ticket's JSON. Raises ValueError with a readable message."""
    match attribute.kind:
        case AttributeKind.TEXT | AttributeKind.MULTILINE_TEXT:
            text = str(raw).strip()
            limit = MAX_TEXT if attribute.kind == AttributeKind.TEXT else MAX_MULTILINE_TEXT
            if attribute.kind == AttributeKind.TEXT and "\n" in text:
                raise ValueError(f"{attribute.name} must be a single line.")
            if len(text) > limit:
                raise ValueError(f"{attribute.name} is limited to {limit:,} characters.")
            return text
        case AttributeKind.INTEGER:
            if isinstance(raw, bool) or not str(raw).strip().lstrip("-").isdigit():
                raise ValueError(f"{attribute.name} must be a whole number.")
            try:  # isdigit() lets through "--5", "²" and numbers too long to convert
                return int(str(raw).strip())
            except ValueError:
                raise ValueError(f"{attribute.name} must be a whole number.") from None
        case AttributeKind.DECIMAL:
            try:
                number = Decimal(str(raw).strip())
            except InvalidOperation:
                number = None
            if isinstance(raw, bool) or number is None or not number.is_finite():
                raise ValueError(f"{attribute.name} must be a number, such as 12.50.")
            return str(number)
        case AttributeKind.BOOLEAN:
            if isinstance(raw, bool):
                return raw
            word = str(raw).strip().lower()
            if word not in TRUE_WORDS | FALSE_WORDS:
                raise ValueError(f"{attribute.name} must be yes or no.")
            return word in TRUE_WORDS
        case AttributeKind.DATETIME:
            try:
                moment = parse_datetime(str(raw).strip())
            except ValueError:  # well-formed but impossible, e.g. month 13
                moment = None
            if moment is None:
                raise ValueError(f"{attribute.name} must be a date and time, such as 2026-11-25 14:30.")
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            return moment.isoformat()
        case AttributeKind.LIST:
            if str(raw) not in attribute.options:
                raise ValueError(f"{attribute.name} must be one of: {', '.join(map(str, attribute.options))}.")
            return str(raw)
    raise ValueError(f"{attribute.name} has an unknown kind.")
