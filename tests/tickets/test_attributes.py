"""Validation of a ticket's custom attribute values (tickets/attributes.py); no database needed."""

from datetime import UTC, datetime

import pytest

from helpdesk.errors import InvalidInput
from tests.factories import TicketAttributeFactory
from tickets.attributes import clean_attribute_values
from tickets.models import AttributeKind


def attribute(kind=AttributeKind.TEXT, **fields):
    """An unsaved attribute named "Order" (key `order`) of the given kind."""
    return TicketAttributeFactory.build(key="order", name="Order", kind=kind, **fields)


def clean(attributes, values, *, audience="teammate"):
    return clean_attribute_values(attributes, values, audience=audience)


def errors_of(attributes, values, *, audience="teammate") -> dict[str, list[str]]:
    with pytest.raises(InvalidInput) as raised:
        clean(attributes, values, audience=audience)
    return raised.value.errors


@pytest.mark.parametrize(
    ("kind", "options", "raw", "stored"),
    [
        (AttributeKind.TEXT, [], "  Order 1234  ", "Order 1234"),
        (AttributeKind.MULTILINE_TEXT, [], "First line\nSecond line", "First line\nSecond line"),
        (AttributeKind.INTEGER, [], "42", 42),
        (AttributeKind.INTEGER, [], " -7 ", -7),
        (AttributeKind.INTEGER, [], 12, 12),
        (AttributeKind.DECIMAL, [], "12.50", "12.50"),
        (AttributeKind.DECIMAL, [], 3, "3"),
        (AttributeKind.BOOLEAN, [], True, True),
        (AttributeKind.BOOLEAN, [], False, False),
        (AttributeKind.BOOLEAN, [], "yes", True),
        (AttributeKind.BOOLEAN, [], "off", False),
        (AttributeKind.DATETIME, [], "2026-11-25T14:30:00+00:00", "2026-11-25T14:30:00+00:00"),
        (AttributeKind.LIST, ["Card", "Bank transfer"], "Bank transfer", "Bank transfer"),
    ],
)
def test_clean_attribute_values_accepts_good_value(kind, options, raw, stored):
    cleaned = clean([attribute(kind, options=options)], {"order": raw})

    assert cleaned == {"order": stored}


def test_clean_attribute_values_makes_naive_datetime_aware():
    cleaned = clean([attribute(AttributeKind.DATETIME)], {"order": "2026-11-25 14:30"})

    assert datetime.fromisoformat(cleaned["order"]).astimezone(UTC) == datetime(2026, 11, 25, 14, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kind", "options", "raw", "message"),
    [
        (AttributeKind.TEXT, [], "two\nlines", "Order must be a single line."),
        (AttributeKind.TEXT, [], "x" * 1_001, "Order is limited to 1,000 characters."),
        (AttributeKind.MULTILINE_TEXT, [], "x" * 10_001, "Order is limited to 10,000 characters."),
        (AttributeKind.INTEGER, [], "12.5", "Order must be a whole number."),
        (AttributeKind.INTEGER, [], "twelve", "Order must be a whole number."),
        (AttributeKind.INTEGER, [], True, "Order must be a whole number."),
        (AttributeKind.INTEGER, [], "--5", "Order must be a whole number."),
        (AttributeKind.INTEGER, [], "²", "Order must be a whole number."),
        (AttributeKind.INTEGER, [], "9" * 5_000, "Order must be a whole number."),
        (AttributeKind.DECIMAL, [], "12,50", "Order must be a number, such as 12.50."),
        (AttributeKind.DECIMAL, [], "NaN", "Order must be a number, such as 12.50."),
        (AttributeKind.DECIMAL, [], "Infinity", "Order must be a number, such as 12.50."),
        (AttributeKind.DECIMAL, [], False, "Order must be a number, such as 12.50."),
        (AttributeKind.BOOLEAN, [], "maybe", "Order must be yes or no."),
        (AttributeKind.DATETIME, [], "next tuesday", "Order must be a date and time, such as 2026-11-25 14:30."),
        (AttributeKind.DATETIME, [], "2026-13-01 10:00", "Order must be a date and time, such as 2026-11-25 14:30."),
        (AttributeKind.LIST, ["Card", "Bank transfer"], "Cash", "Order must be one of: Card, Bank transfer."),
    ],
)
def test_clean_attribute_values_refuses_bad_value_with_readable_message(kind, options, raw, message):
    errors = errors_of([attribute(kind, options=options)], {"order": raw})

    assert errors == {"order": [message]}


@pytest.mark.parametrize("empty", [None, "", "   ", []])
def test_clean_attribute_values_leaves_out_empty_optional_value(empty):
    assert clean([attribute()], {"order": empty}) == {}


def test_clean_attribute_values_requires_required_to_create_for_teammates():
    errors = errors_of([attribute(required_to_create=True)], {})

    assert errors == {"order": ["Order is required."]}


def test_clean_attribute_values_does_not_require_required_for_customers_from_teammates():
    required_for_customers = attribute(visible_to_customers=True, required_for_customers=True)

    assert clean([required_for_customers], {}) == {}


def test_clean_attribute_values_requires_required_for_customers_from_customers():
    required_for_customers = attribute(visible_to_customers=True, required_for_customers=True)

    errors = errors_of([required_for_customers], {}, audience="customer")

    assert errors == {"order": ["Order is required."]}


def test_clean_attribute_values_does_not_require_required_to_create_from_customers():
    teammate_only = attribute(required_to_create=True, visible_to_customers=False)

    assert clean([teammate_only], {}, audience="customer") == {}


def test_clean_attribute_values_accepts_customer_visible_value_from_customers():
    visible = attribute(visible_to_customers=True)

    assert clean([visible], {"order": "1234"}, audience="customer") == {"order": "1234"}


def test_clean_attribute_values_refuses_internal_attribute_from_customers():
    internal = attribute(visible_to_customers=False)

    errors = errors_of([internal], {"order": "1234"}, audience="customer")

    assert errors == {"order": ["This field cannot be set here."]}


def test_clean_attribute_values_does_not_require_archived_attribute():
    archived = attribute(required_to_create=True, archived=True)

    assert clean([archived], {}) == {}


def test_clean_attribute_values_does_not_store_archived_attribute():
    archived = attribute(archived=True)

    errors = errors_of([archived], {"order": "1234"})

    assert errors == {"order": ["This field cannot be set here."]}


def test_clean_attribute_values_refuses_unknown_key():
    errors = errors_of([attribute()], {"colour": "red"})

    assert errors == {"colour": ["This field cannot be set here."]}


def test_clean_attribute_values_reports_every_problem_at_once():
    amount = TicketAttributeFactory.build(key="amount", name="Amount", kind=AttributeKind.DECIMAL)
    order = attribute(required_to_create=True)

    errors = errors_of([order, amount], {"amount": "lots", "colour": "red"})

    assert errors == {
        "order": ["Order is required."],
        "amount": ["Amount must be a number, such as 12.50."],
        "colour": ["This field cannot be set here."],
    }
