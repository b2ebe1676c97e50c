"""Keyset (cursor) pagination: the page after or before a row, found by that row's sort values, never by OFFSET.

A list is ordered by `Key`s, the pk last, so that every row has one place in it. A cursor names a place: the
keys' values of one row, signed, so that a changed cursor or one from another ordering is refused rather than
read. A page reads `page_size + 1` rows from the place on, the extra one telling whether there is more that
way; nothing is ever counted, and a deep page costs what the first one does.

The rows after a place are written as a few conditions, each a range of the list's index that PostgreSQL can
seek into (a row-value comparison such as `(updated_at, id) < (%s, %s)` over keys sorted the same way), read
one after the other in list order. An OR of them in one query looked simpler, but PostgreSQL cannot seek
into an OR: it scanned the list from its start, 23 ms at 150,000 rows deep against 0.5 ms (bench/, "waiting
longest" at 1M conversations). So a page costs one query, and one more for each such range it runs past the
end of: the page where NULL `waiting_since` begins, say.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.core import signing
from django.db.models import Expression, F, Model, OrderBy, Q, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan

SALT = "helpdesk.pagination"
# A cursor is about 130 characters; anything much longer was not made here.
CURSOR_MAX_LENGTH = 1000
BROKEN = "That page link is broken or was changed. Go back to the first page of the list."
OTHER_ORDER = "That page link belongs to another sort of the list. Go back to the first page of the list."
BOTH = "A page link asks for the rows after a place or before it, not both."


class InvalidCursor(ValueError):
    """A cursor that cannot be read for this ordering; `message` is written for the teammate."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Key:
    """One sort key: a field, or the name `expression` is annotated as. `nulls_last` says where NULLs come in
    this key's order (True: after every value, False: before); None declares that the key is never NULL."""

    name: str
    descending: bool = False
    nulls_last: bool | None = None
    expression: Expression | None = None

    def order_by(self) -> OrderBy:
        nulls = {} if self.nulls_last is None else {"nulls_last": True} if self.nulls_last else {"nulls_first": True}
        return OrderBy(F(self.name), descending=self.descending, **nulls)

    def reversed(self) -> "Key":
        nulls_last = None if self.nulls_last is None else not self.nulls_last
        return replace(self, descending=not self.descending, nulls_last=nulls_last)


@dataclass(frozen=True, slots=True)
class Cursor:
    """A place in an ordering (the keys' values of one row) and which way to read from it."""

    values: tuple
    backwards: bool = False  # True: the rows before the place, False: the rows after it


@dataclass(frozen=True, slots=True)
class Page:
    """One page of rows, with the cursors of the next and previous pages (None at either end)."""

    rows: list
    next_cursor: str | None
    previous_cursor: str | None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None


def order_by(keys: Sequence[Key]) -> list[OrderBy]:
    return [key.order_by() for key in keys]


def paginate(queryset: QuerySet, *, keys: Sequence[Key], cursor: Cursor | None, page_size: int) -> Page:
    """One page of `queryset` in the order of `keys` (the pk last): the first, or the one after or before
    `cursor`. One query, plus one per index range the page runs past the end of (see the module's docstring).
    The page after a cursor always has a previous one: the cursor's row was in the list when it was made."""
    if keys[-1].name != "pk":
        raise ValueError("The last key must be the pk, so that every row has one place in the list.")
    backwards = cursor is not None and cursor.backwards
    reading = [key.reversed() for key in keys] if backwards else list(keys)
    annotations = {key.name: key.expression for key in keys if key.expression is not None}
    queryset = queryset.annotate(**annotations).order_by(*order_by(reading))
    limit = page_size + 1
    if cursor is None:
        rows = list(queryset[:limit])
    else:
        rows = []
        for condition in rows_after(reading, cursor.values):
            rows += queryset.filter(condition)[: limit - len(rows)]
            if len(rows) == limit:
                break
    more, rows = len(rows) > page_size, rows[:page_size]
    if backwards:
        rows.reverse()
    has_next, has_previous = (True, more) if backwards else (more, cursor is not None)
    return Page(
        rows=rows,
        next_cursor=encode_cursor(rows[-1], keys=keys) if has_next and rows else None,
        previous_cursor=encode_cursor(rows[0], keys=keys) if has_previous and rows else None,
    )


def rows_after(keys: Sequence[Key], values: Sequence[Any]) -> list[Q]:
    """The rows after `values` in the order of `keys`, as conditions each of which is one range of that order,
    every row of one coming before every row of the next. For (a ASC, b DESC, pk DESC) after (1, t, 9):
    `a = 1 AND (b, pk) < (t, 9)`, then `a > 1`."""
    ranges: list[list[Q]] = []
    tied = Q()  # the rows level with the cursor on the keys so far
    for group, group_values in key_groups(keys, values):
        ranges.append([tied & condition for condition in beyond(group, group_values)])
        for key, value in zip(group, group_values, strict=True):
            tied &= Q(**{f"{key.name}__isnull": True}) if value is None else Q(**{key.name: value})
    # Rows level on more keys come first: they differ from the cursor only later in the order.
    return [condition for group_ranges in reversed(ranges) for condition in group_ranges]


def key_groups(keys: Sequence[Key], values: Sequence[Any]) -> list[tuple[list[Key], list[Any]]]:
    """`keys` cut into runs that one row-value comparison can express: the same direction throughout, and NULL
    possible only in the first key (a NULL cursor value keeps its key on its own)."""
    groups: list[tuple[list[Key], list[Any]]] = []
    for key, value in zip(keys, values, strict=True):
        if groups:
            last_keys, last_values = groups[-1]
            first_is_null = last_keys[0].nulls_last is not None and last_values[0] is None
            if key.descending == last_keys[0].descending and key.nulls_last is None and not first_is_null:
                last_keys.append(key)
                last_values.append(value)
                continue
        groups.append(([key], [value]))
    return groups


def beyond(keys: list[Key], values: list[Any]) -> list[Q]:
    """The rows past `values` on this run of keys, in order: a row-value comparison (which leaves out NULLs),
    then the first key's NULLs when they sort after every value."""
    first = keys[0]
    if values[0] is None:  # a NULL cursor value: only the values, if they come after NULLs
        return [] if first.nulls_last else [Q(**{f"{first.name}__isnull": False})]
    if len(keys) == 1:
        past = Q(**{f"{first.name}__{'lt' if first.descending else 'gt'}": values[0]})
    else:
        comparison = TupleLessThan if first.descending else TupleGreaterThan
        past = Q(comparison(Tuple(*(F(key.name) for key in keys)), tuple(values)))
    return [past, Q(**{f"{first.name}__isnull": True})] if first.nulls_last else [past]


# --- Cursors: the keys' values of one row, as an opaque, signed string ---


def ordering_name(keys: Sequence[Key]) -> str:
    return ",".join(f"{'-' if key.descending else ''}{key.name}" for key in keys)


def encode_cursor(row: Model, *, keys: Sequence[Key]) -> str:
    """The place of `row` in the order of `keys`, signed (URL-safe)."""
    values = [encode_value(getattr(row, key.name)) for key in keys]
    return signing.Signer(salt=SALT).sign_object({"o": ordering_name(keys), "v": values})


def decode_cursor(token: str, *, keys: Sequence[Key], backwards: bool = False) -> Cursor:
    """The place a cursor names, for reading after it (or before it, `backwards`). Raises InvalidCursor for a
    broken or changed cursor, or one made for another ordering."""
    try:
        payload = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, ValueError):
        raise InvalidCursor(BROKEN) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("v"), list):
        raise InvalidCursor(BROKEN)
    if payload.get("o") != ordering_name(keys) or len(payload["v"]) != len(keys):
        raise InvalidCursor(OTHER_ORDER)
    values = tuple(decode_value(value) for value in payload["v"])
    if any(value is None and key.nulls_last is None for key, value in zip(keys, values, strict=True)):
        raise InvalidCursor(BROKEN)
    return Cursor(values, backwards)


def clean_page_link(form: Any, *, keys: Sequence[Key]) -> Cursor | None:
    """The cursor of a list form's `after` or `before` field (at most one), read for `keys`; None for the
    first page. A cursor that cannot be read is an error of its field, and None."""
    after, before = form.cleaned_data.get("after"), form.cleaned_data.get("before")
    try:
        if after and before:
            raise InvalidCursor(BOTH)
        return decode_cursor(after or before, keys=keys, backwards=bool(before)) if after or before else None
    except InvalidCursor as error:
        form.add_error("before" if before else "after", error.message)
        return None


def encode_value(value: Any) -> Any:
    # JSON has no datetime: an ISO string, tagged, keeps the microseconds and the offset.
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if value is None or isinstance(value, bool | int | str):
        return value
    raise TypeError(f"A cursor cannot hold {type(value).__name__} values.")


def decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        try:
            return datetime.fromisoformat(value["dt"])
        except (KeyError, TypeError, ValueError):
            raise InvalidCursor(BROKEN) from None
    if value is None or isinstance(value, bool | int | str):
        return value
    raise InvalidCursor(BROKEN)
