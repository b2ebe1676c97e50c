"""@mentions in internal notes (issue 16): `@username` names a teammate, and a team's handle (its name in lower case,
words joined by dashes: `@trust-safety`) every member of the team. The note composers complete them as one types
(static/js/saved_replies.js, from `list_mention_options`); the apps' notify handlers tell whom a note mentions."""

import re
from dataclasses import dataclass

from django.db.models.functions import Lower
from django.utils.text import slugify

from inbox.models import WORKING, Team, Teammate
from inbox.selectors import OPTIONS_SHOWN, TEAMMATE_LABEL

# Not inside a word or an email address (ana@example.com mentions nobody); a handle ends before trailing dots.
MENTION = re.compile(r"(?<![\w@.+-])@([\w.+-]*\w)")


@dataclass(frozen=True, slots=True)
class MentionOption:
    handle: str
    label: str
    is_team: bool


def team_handle(name: str) -> str:
    return slugify(name)


def handles_in(body: str) -> set[str]:
    return {match.lower() for match in MENTION.findall(body)}


def mentioned_teammate_ids(body: str) -> set[int]:
    """The working teammates a note mentions, by name or through their team. At most three queries."""
    handles = handles_in(body)
    if not handles:
        return set()
    working = Teammate.objects.filter(WORKING)
    ids = set(working.annotate(handle=Lower("username")).filter(handle__in=handles).values_list("pk", flat=True))
    team_ids = [pk for pk, name in Team.objects.values_list("pk", "name") if team_handle(name) in handles]
    if team_ids:
        ids |= set(working.filter(teams__in=team_ids).values_list("pk", flat=True))
    return ids


def list_mention_options(*, search: str = "", limit: int = OPTIONS_SHOWN) -> list[MentionOption]:
    """Teammates (by name or username) and teams whose name starts a word with `search`, teammates first. Two
    queries."""
    word = search.strip().lower()
    teammates = (
        Teammate.objects.filter(WORKING)
        .annotate(label=TEAMMATE_LABEL)
        .order_by("first_name", "last_name", "username", "pk")
        .values_list("username", "label")
    )
    if word:
        teammates = teammates.filter(label__icontains=word) | teammates.filter(username__istartswith=word)
    options = [MentionOption(username, label, False) for username, label in teammates[:limit]]
    teams = Team.objects.order_by("name").values_list("name", flat=True)
    if word:
        teams = teams.filter(name__icontains=word)
    options += [MentionOption(team_handle(name), name, True) for name in teams[: max(limit - len(options), 0)]]
    return options
