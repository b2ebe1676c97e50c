"""The command palette's options (Ctrl/Cmd+K; helpdesk/palette_views.py, static/js/palette.js): what each app offers
for a query, in one shape, and how a command is found by the words typed.

An option either goes somewhere (`href`: a conversation, a ticket, a contact, the search page) or runs a command on
the page as it is (`command`, which static/js/palette.js maps to the page's own button or form, so that every change
still goes through the existing view and its action). The apps build their options (inbox/palette.py,
tickets/palette.py); the view groups them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from helpdesk.pagination import paginate
from helpdesk.search import NEWEST_KEYS, SearchQuery

# Items of each kind the palette shows for words: the newest matches, as the search page's first page has them.
ITEMS_SHOWN = 5


@dataclass(frozen=True, slots=True)
class PaletteOption:
    """One option of the listbox. `key` makes its DOM id (`palette-option-<key>`), unique in the palette."""

    key: str
    label: str
    meta: str = ""  # a second, quieter line: the contact and state, the ticket type...
    href: str = ""  # where it goes, or
    command: str = ""  # what it runs (static/js/palette.js's `commands`), with
    value: str = ""  # the command's argument, if it takes one (a saved reply's id)
    keywords: tuple[str, ...] = ()  # more words a command is found by, besides its label's


@dataclass(frozen=True, slots=True)
class PaletteGroup:
    """A labelled group of options (role=group in the listbox); `key` makes its DOM id."""

    key: str
    label: str
    options: list[PaletteOption] = field(default_factory=list)


def command(name: str, label: str, *keywords: str) -> PaletteOption:
    """A command option: `name` is what static/js/palette.js runs."""
    return PaletteOption(key=f"command-{name}", label=label, command=name, keywords=keywords)


def matching_commands(commands: list[PaletteOption], query: SearchQuery) -> list[PaletteOption]:
    """The commands every typed word begins a word of (its label's or keywords'): "clo" finds "Close", "snooze tom"
    "Snooze until tomorrow". Without words, every command."""
    typed = [word.casefold() for word in query.words]
    found = []
    for command in commands:
        words = " ".join((command.label, *command.keywords)).casefold().split()
        if all(any(word.startswith(part) for word in words) for part in typed):
            found.append(command)
    return found


def number_first(matching: Callable[[SearchQuery], QuerySet], query: SearchQuery, *, limit: int) -> list[Any]:
    """The row whose number the query is (`#123`, `123`) first, then, unless the query is only a number, the newest
    `matching` its words, `limit` in all. One query for the number, and those of `matching` and a page for words."""
    found: list[Any] = []
    if query.number is not None:
        found += matching(SearchQuery(f"#{query.number}"))
    if query.words and not query.only_number:
        page = paginate(matching(query), keys=NEWEST_KEYS, cursor=None, page_size=limit)
        found += [row for row in page.rows if row.pk != query.number]
    return found[:limit]


def count_label(count: int) -> str:
    """What the palette's status region reads out once the options are shown."""
    if count == 0:
        return "No results"
    return f"{count} result{'' if count == 1 else 's'}"
