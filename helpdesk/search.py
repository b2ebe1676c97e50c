"""Search on PostgreSQL alone: full-text documents kept by the database in the write's own transaction, read here.

The documents are columns no model declares (`search_document` on inbox_part, tickets_ticket and tickets_ticketpart,
`search_text` on inbox_contact), each set by a BEFORE trigger from the row itself (the search migrations), so no
save can leave one stale and no bulk load can skip one. A tsvector under the text search configuration `helpdesk`
(English stemming, accents folded by `unaccent`) has a GIN index; a contact's text has a `pg_trgm` one, which finds
any part of a name or an address.

A conversation or ticket matches when its own fields or one of its parts holds every word of the query. Two plans
find the newest matches, and PostgreSQL's own estimate of how many parts match chooses (one EXPLAIN, no rows
read): a rare word collects the few matching ids from the index, then sorts those; a common word walks the list
newest first and checks each row's parts until the page is full, which stops early precisely because the word is
common. One plan alone is fast for one of the two and slow for the other.

The embedded SQLite default (`make run`) has no documents: it matches each word with LIKE over the same fields
(no stemming, and slow past a few thousand conversations).
"""

import dataclasses
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    Exists,
    Expression,
    F,
    Field,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from helpdesk.pagination import Cursor, Key, Page, order_by, paginate

CONFIG = "helpdesk"
# More parts than this matching (PostgreSQL's estimate): walk the list newest first instead of collecting ids. At
# 10M parts a collected match costs about 10 µs and a walked conversation about 20 µs: they cross near 10,000 (bench/).
COMMON = 10_000
# A query of common words that is estimated rare is first tried on this many of the newest rows.
PROBE = 1_000
MAX_QUERY_LENGTH = 200
PAGE_SIZE = 25
NUMBER = re.compile(r"#?(\d{1,9})")
# ts_headline's marks around a match: characters no text holds, so the snippet can be escaped whole, then marked.
START, STOP = "\x02", "\x03"


def full_text() -> bool:
    return connection.vendor == "postgresql"


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What a teammate typed: the text as given, its words, and the number it names (`#123`, or `123` alone)."""

    text: str

    @property
    def words(self) -> list[str]:
        return [word.strip("\"'") for word in self.text.split() if word.strip("\"'")]

    @property
    def any_word(self) -> "SearchQuery":
        """Any one of the words (`a or b`): how common the words are one by one."""
        return SearchQuery(" or ".join(word.lstrip("-") for word in self.words if word.lstrip("-")))

    @property
    def only_number(self) -> bool:
        """`#123`: that number, and no text."""
        return self.text.strip().startswith("#") and self.number is not None

    @property
    def number(self) -> int | None:
        found = NUMBER.fullmatch(self.text.strip())
        return int(found.group(1)) if found else None


class OnDocument(Expression):
    """SQL over a column of the row that no model declares (`search_document`), or over a field under the search
    configuration: `template` names it `{column}` and the teammate's query `{query}`. The row's table is found
    through its pk, a column Django knows, so that the alias is right inside subqueries too."""

    def __init__(self, template: str, column: str, query: SearchQuery, output_field: Field | None = None):
        super().__init__(output_field=output_field or BooleanField())
        self.template, self.column, self.query = template, column, query
        self.pk: Any = F("pk")

    def get_source_expressions(self) -> list:
        return [self.pk]

    def set_source_expressions(self, expressions: Sequence[Any]) -> None:
        (self.pk,) = expressions

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[str]]:
        column = f"{compiler.quote_name(self.pk.alias)}.{self.column}"  # the pk, resolved: a Col of the row's alias
        return self.template.format(column=column, query=f"websearch_to_tsquery('{CONFIG}', %s)"), (self.query.text,)


def document_matches(query: SearchQuery) -> OnDocument:
    return OnDocument("{column} @@ {query}", "search_document", query)


def document_rank(query: SearchQuery) -> OnDocument:
    return OnDocument("ts_rank({column}, {query})", "search_document", query, FloatField())


def field_matches(field: str, query: SearchQuery) -> OnDocument:
    """A short text field against the query, through an expression index on `to_tsvector('helpdesk', field)`."""
    return OnDocument(f"to_tsvector('{CONFIG}'::regconfig, {{column}}) @@ {{query}}", field, query)


def words_like(fields: list[str], query: SearchQuery) -> Q:
    """The embedded default's search: every word in one of `fields`."""
    condition = Q()
    for word in query.words:
        either = Q()
        for field in fields:
            either |= Q(**{f"{field}__icontains": word})
        condition &= either
    return condition


class InArray(Func):
    """`value = ANY(ARRAY(subquery))`: the subquery's rows in an array whose length PostgreSQL does not guess from
    the subquery's estimate but takes as short (10), so that it reads the rows by their primary key. With `pk IN
    (subquery)` it believed its estimate for a word outside the ~1,000 most common ones (0.04 % of the parts, 4,172
    at 10M, for a word in 5) and read all 1M conversations into a hash join: 100-470 ms against 1 ms (bench/)."""

    arg_joiner = " = ANY(ARRAY("
    template = "%(expressions)s))"
    output_field = BooleanField()


def matching(rows: QuerySet, *, parts: Callable[[SearchQuery], QuerySet], own: Q, query: SearchQuery) -> QuerySet:
    """`rows` whose own fields (`own`) or one of whose parts match (`parts(query)`: the matching parts, their
    `owner_id` naming the row), by the plan that suits how common the words are (module docstring)."""
    if estimated_rows(parts(query)) > COMMON or dense_although_estimated_rare(rows, parts=parts, query=query):
        return walked(rows, parts=parts(query), own=own)
    owned = rows.model.objects.filter(own).values("pk").order_by()
    owners = parts(query).values("owner_id").order_by().union(owned).order_by()
    return rows.filter(InArray(F("pk"), Subquery(owners)))


def walked(rows: QuerySet, *, parts: QuerySet, own: Q) -> QuerySet:
    """The walk: each row's parts checked one row at a time, until the page is full. The second, redundant
    condition keeps PostgreSQL from turning the EXISTS into a hashed `id IN (every matching part)` (it can only for
    an EXISTS correlated by equalities alone), which it chose for words in 27,000 to 82,000 of 10M parts and which
    reads every match before the first row: 165-472 ms against 22-33 ms walking the rows by an index in their order
    (bench/)."""
    correlated = parts.filter(owner_id=OuterRef("pk"), owner_id__gte=OuterRef("pk"))
    return rows.filter(Q(Exists(correlated)) | own)


def dense_although_estimated_rare(
    rows: QuerySet, *, parts: Callable[[SearchQuery], QuerySet], query: SearchQuery
) -> bool:
    """Several common words together (a phrase, say): PostgreSQL multiplies their shares as if they were
    independent, and a phrase in 40,000 of 10M parts was estimated at 1,000 (collected: 389 ms; walked: 8 ms). So
    when the words one by one are common, the newest PROBE rows are walked: a full page among them says walk. Two
    queries, for a query of several words only."""
    if len(query.words) < 2 or estimated_rows(parts(query.any_word)) <= COMMON:
        return False
    newest = rows.order_by(*order_by(NEWEST_KEYS)).values("pk")[:PROBE]
    probe = walked(rows.filter(pk__in=Subquery(newest)), parts=parts(query), own=Q(pk__in=[]))
    return len(probe.values("pk")[:PAGE_SIZE]) == PAGE_SIZE


def estimated_rows(queryset: QuerySet) -> int:
    """How many rows PostgreSQL expects the queryset to read: a plan, not a count."""
    plan = json.loads(queryset.explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


def best_part_rank(parts: QuerySet, query: SearchQuery) -> Expression:
    """The rank of the best of a row's `parts` (correlated to the row by OuterRef) that match; 0 for none."""
    best = parts.filter(document_matches(query)).annotate(rank=document_rank(query)).order_by("-rank")
    return Coalesce(Subquery(best.values("rank")[:1], output_field=FloatField()), Value(0.0))


def newest_matching_headlines(parts: QuerySet, *, owner: str, query: SearchQuery) -> QuerySet:
    """(owner id, kind, headline of the body) of the newest part of each owner in `parts` that matches."""
    return (
        parts.filter(document_matches(query))
        .order_by(owner, "-created_at")
        .distinct(owner)
        .annotate(snippet=headline("body", query))
        .values_list(owner, "kind", "snippet")
    )


def headline(field: str, query: SearchQuery, *, words: int = 24) -> RawSQL:
    """A snippet of `field` around its matches (to pass through `marked`)."""
    options = f"StartSel={START}, StopSel={STOP}, MaxWords={words}, MinWords={words // 2}, MaxFragments=2"
    return RawSQL(f"ts_headline('{CONFIG}', {field}, websearch_to_tsquery('{CONFIG}', %s), %s)", [query.text, options])


def marked(snippet: str) -> SafeString:
    """A headline as safe markup: the text escaped whole, its matches in <mark>."""
    markup = escape(snippet).replace(START, "<mark>").replace(STOP, "</mark>").replace("</mark><mark>", "")
    return mark_safe(markup)  # noqa: S308


def plain_snippet(text: str, query: SearchQuery, *, width: int = 160) -> SafeString:
    """The embedded default's snippet (and a ticket description's): the text around the first word found, cut at
    spaces (… where cut), matches in <mark>. Escaped piece by piece: a word never matches inside the escaping
    (`amp` in `&amp;`)."""
    lowered = text.lower()
    first = min((lowered.find(word.lower()) for word in query.words if word.lower() in lowered), default=0)
    start = max(0, first - width // 3)
    end = start + width
    if start > 0 and not text[start - 1].isspace():  # from the next whole word, but never past the match
        space = re.search(r"\s", text[start:first])
        start = start + space.end() if space else first
    blank = max(text.rfind(space, first, end) for space in " \n\t")
    if end < len(text) and not text[end].isspace() and blank > first:  # to the last whole word after the match
        end = blank
    excerpt = text[start:end].strip()
    pieces, done = [], 0
    if query.words:
        words = sorted({re.escape(word) for word in query.words}, key=len, reverse=True)  # the longest one first
        for found in re.finditer("|".join(words), excerpt, re.IGNORECASE):
            pieces += [escape(excerpt[done : found.start()]), f"<mark>{escape(found.group(0))}</mark>"]
            done = found.end()
    pieces.append(escape(excerpt[done:]))
    return mark_safe(("… " if start > 0 else "") + "".join(pieces) + (" …" if end < len(text) else ""))  # noqa: S308


class SearchSort:
    NEWEST = "newest"
    BEST = "best"
    CHOICES = [(NEWEST, "Newest first"), (BEST, "Best match first")]


# "Best match" ranks the newest this many matches, not every one: a common word matches a million rows.
BEST_OF = 500
NEWEST_KEYS = [Key("updated_at", descending=True), Key("pk", descending=True)]


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """What a search is narrowed to; None (or "") for any. `assignee_id` 0: unassigned."""

    state: str = ""
    team_id: int | None = None
    assignee_id: int | None = None
    ticket_type_id: int | None = None
    since: date | None = None
    until: date | None = None
    # What the teammate may see of the searched kind (tickets/access.py): Q() for everything.
    scope: Q = dataclasses.field(default_factory=Q)

    def owners_and_dates(self) -> Q:
        """The filters every kind of item with an owner and an `updated_at` shares, within `scope`."""
        condition = self.scope
        if self.team_id is not None:
            condition &= Q(team_id=self.team_id)
        if self.assignee_id is not None:
            condition &= Q(assignee__isnull=True) if self.assignee_id == 0 else Q(assignee_id=self.assignee_id)
        if self.since is not None:
            condition &= Q(updated_at__date__gte=self.since)
        if self.until is not None:
            condition &= Q(updated_at__date__lte=self.until)
        return condition


def best_keys(rank: Expression) -> list[Key]:
    """Rank, scaled to an integer (a cursor holds no floats), then the pk."""
    scaled = Cast(rank * 1_000_000, output_field=IntegerField())
    return [Key("rank", descending=True, expression=scaled), Key("pk", descending=True)]


def search_page(
    rows: QuerySet, *, sort: str, rank: Expression, cursor: Cursor | None, page_size: int = PAGE_SIZE
) -> Page:
    """One page of matching `rows`, newest first, or by `rank` among the newest BEST_OF."""
    if sort == SearchSort.BEST:
        newest = rows.order_by(*order_by(NEWEST_KEYS)).values("pk")[:BEST_OF]
        related = rows.query.select_related
        rows = rows.model.objects.filter(pk__in=newest).select_related(*(related if isinstance(related, dict) else ()))
        return paginate(rows, keys=best_keys(rank), cursor=cursor, page_size=page_size)
    return paginate(rows, keys=NEWEST_KEYS, cursor=cursor, page_size=page_size)
