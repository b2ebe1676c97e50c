"""The placeholders of saved replies, in one place: which names exist, the check when a saved reply is saved, and the
substitution when it is inserted.

A small explicit substitution over a whitelist, in one pass: never the template engine on text a person wrote (that
would let a saved reply read whatever a template context holds), and a value is never read for placeholders again (a
contact named "{{teammate.name}}" stays that text). The result is plain text, put into a composer as its value.

`{{ticket.…}}` is read by the tickets app, which registers how (`register_ticket_source`, from its AppConfig.ready):
imports point workflows -> tickets -> inbox, so the inbox never imports it.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from inbox.models import Contact, Teammate

PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)  # anything in double braces is meant as one: known or not
NAME = re.compile(r"\s*([a-z]+\.[A-Za-z0-9_-]+)\s*")
TICKET_PREFIX = "ticket."
FIRST_NAME_FALLBACK = "there"  # "Hi {{contact.first_name}}," to a contact without a name: "Hi there,"

# Every placeholder but the ticket's attributes, with what it stands for (shown in the forms' help).
FIXED_NAMES = {
    "contact.first_name": f"the contact's first name (“{FIRST_NAME_FALLBACK}” when unknown)",
    "contact.name": "the contact's name",
    "contact.email": "the contact's email address",
    "teammate.first_name": "your first name",
    "teammate.name": "your name",
    "ticket.number": "the ticket's number",
    "ticket.title": "the ticket's title",
}


@dataclass(frozen=True, slots=True)
class TicketFacts:
    """What `{{ticket.…}}` is filled with: its number, title and each attribute's value as shown (by key), and the
    conversation whose contact fills `{{contact.…}}` (None: none)."""

    number: int
    title: str
    attributes: dict[str, str]
    conversation_id: int | None


@dataclass(frozen=True, slots=True)
class TicketSource:
    """How the tickets app answers for `{{ticket.…}}`: the attribute keys that exist (for the check), the ticket a
    conversation's saved replies use (None: none), and a ticket by id (raising NotFound)."""

    attribute_keys: Callable[[], set[str]]
    of_conversation: Callable[[int], TicketFacts | None]
    of_ticket: Callable[[int], TicketFacts]


_ticket_source: TicketSource | None = None


def register_ticket_source(source: TicketSource) -> None:
    global _ticket_source
    _ticket_source = source


def ticket_source() -> TicketSource | None:
    return _ticket_source


def check_placeholders(body: str) -> None:
    """Refuse, naming them, placeholders that do not exist and braces left open. Raises ValidationError."""
    unknown = []
    attribute_keys: set[str] | None = None
    for match in PLACEHOLDER.finditer(body):
        name = _name(match)
        if name in FIXED_NAMES:
            continue
        if name and name.startswith(TICKET_PREFIX):
            if attribute_keys is None:  # read once, and only when a ticket attribute is named
                attribute_keys = _ticket_source.attribute_keys() if _ticket_source else set()
            if name.removeprefix(TICKET_PREFIX) in attribute_keys:
                continue
        unknown.append(match.group(0))
    problems = []
    if unknown:
        names = [*FIXED_NAMES, *(f"{TICKET_PREFIX}{key}" for key in sorted(attribute_keys or ()))]
        problems.append(
            f"Unknown placeholder{'s' if len(unknown) > 1 else ''}: {', '.join(dict.fromkeys(unknown))}. "
            f"Use one of: {', '.join(f'{{{{{name}}}}}' for name in names)}, "
            "or {{ticket.KEY}} for the ticket's attribute KEY."
        )
    if "{{" in PLACEHOLDER.sub("", body):
        problems.append("A placeholder is not closed: write it as {{contact.first_name}}, with two braces each side.")
    if problems:
        raise ValidationError(problems)


def _name(match: re.Match[str]) -> str | None:
    found = NAME.fullmatch(match.group(1))
    return found.group(1) if found else None


def placeholder_values(*, contact: Contact | None, teammate: Teammate, ticket: TicketFacts | None) -> dict[str, str]:
    """Each placeholder's text for this contact, teammate and ticket: empty where there is none (no ticket, no
    email), the first name falling back to "there"."""
    contact_name = contact.name.strip() if contact else ""
    values = {
        "contact.first_name": contact_name.split()[0] if contact_name else FIRST_NAME_FALLBACK,
        "contact.name": contact_name,
        "contact.email": contact.email if contact else "",
        "teammate.first_name": teammate.first_name or teammate.display_name,
        "teammate.name": teammate.display_name,
        "ticket.number": str(ticket.number) if ticket else "",
        "ticket.title": ticket.title if ticket else "",
    }
    if ticket:
        values |= {f"{TICKET_PREFIX}{key}": value for key, value in ticket.attributes.items()}
    return values


def fill(body: str, values: dict[str, str]) -> str:
    """The body with each placeholder replaced by its value, in one pass; one without a value (an attribute the
    ticket's type does not have) becomes empty."""
    return PLACEHOLDER.sub(lambda match: values.get(_name(match) or "", ""), body)
