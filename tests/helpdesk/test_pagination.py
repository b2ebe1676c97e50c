"""Keyset pagination (helpdesk.pagination): every row exactly once, in order, forward and back, whatever the ties
and NULLs; cursors that round-trip to the microsecond and refuse to be changed or reused for another order."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from helpdesk.pagination import Cursor, InvalidCursor, Key, decode_cursor, encode_cursor, paginate, rows_after
from inbox.models import Conversation
from inbox.selectors import ORDERINGS, Sort
from tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=500_000)
# Three moments, two of them one microsecond apart: a cursor that lost its microseconds would skip or repeat.
MOMENTS = [NOW, NOW - timedelta(microseconds=1), NOW - timedelta(hours=1)]
WAITS = [None, NOW - timedelta(days=1), None, NOW - timedelta(days=2), NOW - timedelta(days=1)]


@pytest.fixture
def conversations() -> list[Conversation]:
    """17 conversations on three `updated_at` values, two of them a microsecond apart; two in three waiting
    since one of two moments (many tied), the others not waiting (NULL)."""
    rows = ConversationFactory.create_batch(17)
    for index, row in enumerate(rows):
        Conversation.objects.filter(pk=row.pk).update(
            updated_at=MOMENTS[index % 3], waiting_since=WAITS[index % len(WAITS)]
        )
    return list(Conversation.objects.all())


def in_order(rows: list[Conversation], sort: str) -> list[int]:
    """The pks in the order the list promises, sorted by Python."""
    if sort == Sort.WAITING_LONGEST:
        ordered = sorted(rows, key=lambda c: (c.waiting_since is None, c.waiting_since or NOW, c.updated_at, c.pk))
    else:
        ordered = sorted(rows, key=lambda c: (c.updated_at, c.pk), reverse=sort == Sort.NEWEST)
    return [row.pk for row in ordered]


def walk(keys: list[Key], page_size: int, *, backwards_from: str | None = None) -> list[list[int]]:
    """The pages met following each page's next cursor from the first page (or, from `backwards_from`, each
    page's previous cursor), as the forms would read them."""
    token, pages = backwards_from, []
    for _ in range(100):  # a bound: pagination that repeats itself fails instead of looping forever
        cursor = decode_cursor(token, keys=keys, backwards=backwards_from is not None) if token else None
        page = paginate(Conversation.objects.all(), keys=keys, cursor=cursor, page_size=page_size)
        pages.append([row.pk for row in page.rows])
        token = page.previous_cursor if backwards_from else page.next_cursor
        if token is None:
            return pages if backwards_from is None else pages[::-1]
    raise AssertionError("The pages never ended.")


@pytest.mark.parametrize("sort", [Sort.NEWEST, Sort.OLDEST, Sort.WAITING_LONGEST])
@pytest.mark.parametrize("page_size", [1, 2, 3, 5, 17, 20])
def test_paginate_walks_forward_then_back_over_every_row_once(conversations, sort, page_size):
    keys = ORDERINGS[sort]
    expected = in_order(conversations, sort)

    forward = walk(keys, page_size)
    last = paginate(
        Conversation.objects.all(),
        keys=keys,
        cursor=decode_cursor(encode_cursor(Conversation.objects.get(pk=forward[-1][0]), keys=keys), keys=keys),
        page_size=page_size,
    )
    backward = walk(keys, page_size, backwards_from=encode_cursor(Conversation.objects.get(pk=expected[-1]), keys=keys))

    assert sum(forward, []) == expected
    assert all(len(page) == page_size for page in forward[:-1])
    assert [row.pk for row in last.rows] == forward[-1][1:]  # the page after the last page's first row
    # Back from the last row: every row before it, once, the pages aligned to the end.
    assert sum(backward, []) == expected[:-1]
    assert all(len(page) == page_size for page in backward[1:])


def test_paginate_page_after_the_last_row_is_empty_with_no_links(conversations):
    keys = ORDERINGS[Sort.NEWEST]
    last = Conversation.objects.order_by("updated_at", "pk").first()

    page = paginate(
        Conversation.objects.all(),
        keys=keys,
        cursor=decode_cursor(encode_cursor(last, keys=keys), keys=keys),
        page_size=5,
    )

    assert (page.rows, page.next_cursor, page.previous_cursor) == ([], None, None)


def test_paginate_first_page_has_no_previous_and_reads_one_query(conversations, django_assert_num_queries):
    with django_assert_num_queries(1):
        page = paginate(Conversation.objects.all(), keys=ORDERINGS[Sort.OLDEST], cursor=None, page_size=5)

    assert page.has_next and not page.has_previous


def test_paginate_page_inside_one_range_is_one_query(conversations, django_assert_num_queries):
    keys = ORDERINGS[Sort.WAITING_LONGEST]
    first = paginate(Conversation.objects.all(), keys=keys, cursor=None, page_size=2)

    with django_assert_num_queries(1):
        paginate(Conversation.objects.all(), keys=keys, cursor=decode_cursor(first.next_cursor, keys=keys), page_size=2)


def test_paginate_page_where_nulls_begin_reads_them_in_a_second_query(conversations, django_assert_num_queries):
    keys = ORDERINGS[Sort.WAITING_LONGEST]
    waiting = Conversation.objects.filter(waiting_since__isnull=False).order_by("waiting_since", "updated_at", "pk")
    cursor = decode_cursor(encode_cursor(waiting.last(), keys=keys), keys=keys)

    with django_assert_num_queries(2):
        page = paginate(Conversation.objects.all(), keys=keys, cursor=cursor, page_size=3)

    assert all(row.waiting_since is None for row in page.rows) and len(page.rows) == 3


def test_rows_after_compares_keys_of_one_direction_as_a_row_value_an_index_can_seek_into(conversations):
    """PostgreSQL seeks into (state, updated_at) with `(updated_at, id) < (...)`; an OR of the same would make it
    scan the list from the start (bench/, see helpdesk.pagination)."""
    keys = ORDERINGS[Sort.NEWEST]
    (condition,) = rows_after(keys, (NOW, 5))

    with CaptureQueriesContext(connection) as queries:
        list(Conversation.objects.filter(condition))

    sql = queries[0]["sql"]
    assert '("inbox_conversation"."updated_at", "inbox_conversation"."id") <' in sql
    assert " OR " not in sql


def test_rows_after_splits_where_the_direction_changes():
    keys = [Key("resolved", descending=False), Key("updated_at", descending=True), Key("pk", descending=True)]

    first, second = rows_after(keys, (False, NOW, 9))

    assert "resolved" in str(first) and "updated_at" in str(first)
    assert str(second) == "(AND: ('resolved__gt', False))"


def test_rows_after_a_null_reads_only_the_nulls_after_it_when_nulls_come_last():
    keys = ORDERINGS[Sort.WAITING_LONGEST]

    (only,) = rows_after(keys, (None, NOW, 9))

    assert "('waiting_since__isnull', True)" in str(only)


def test_cursor_round_trips_microseconds_and_null(conversations):
    keys = ORDERINGS[Sort.WAITING_LONGEST]
    row = Conversation.objects.filter(waiting_since__isnull=True, updated_at=MOMENTS[1]).first()

    cursor = decode_cursor(encode_cursor(row, keys=keys), keys=keys, backwards=True)

    assert cursor == Cursor((None, MOMENTS[1], row.pk), backwards=True)


def test_decode_cursor_refuses_a_changed_cursor(conversations):
    keys = ORDERINGS[Sort.NEWEST]
    token = encode_cursor(conversations[0], keys=keys)
    changed = token[:5] + ("A" if token[5] != "A" else "B") + token[6:]

    with pytest.raises(InvalidCursor, match="broken or was changed"):
        decode_cursor(changed, keys=keys)


@pytest.mark.parametrize("token", ["", "abc", "abc:def", "😀:😀", "a" * 500])
def test_decode_cursor_refuses_garbage(token):
    with pytest.raises(InvalidCursor, match="broken or was changed"):
        decode_cursor(token, keys=ORDERINGS[Sort.NEWEST])


def test_decode_cursor_refuses_a_cursor_of_another_order(conversations):
    token = encode_cursor(conversations[0], keys=ORDERINGS[Sort.NEWEST])

    with pytest.raises(InvalidCursor, match="another sort"):
        decode_cursor(token, keys=ORDERINGS[Sort.OLDEST])


def test_paginate_requires_the_pk_last():
    with pytest.raises(ValueError, match="pk"):
        paginate(Conversation.objects.all(), keys=[Key("updated_at")], cursor=None, page_size=5)
