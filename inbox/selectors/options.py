"""What the teammate and team pickers offer, searched as one types."""

from django.db.models import Q, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim

from inbox.models import (
    WORKING,
    Team,
    Teammate,
)

# A picker (assignee, team) shows this many options at a time: typing narrows them (static/js/app.js).
OPTIONS_SHOWN = 20


def _holding_words(field: str, search: str) -> Q:
    """The rows whose `field` holds every word of `search`, as the picker filters the options it has loaded."""
    condition = Q()
    for word in search.split():
        condition &= Q(**{f"{field}__icontains": word})
    return condition


# Teammate.__str__ in SQL: the full name, or the username.
TEAMMATE_LABEL = Coalesce(NullIf(Trim(Concat("first_name", Value(" "), "last_name")), Value("")), "username")


def list_teammate_options(*, search: str = "", limit: int = OPTIONS_SHOWN) -> list[tuple[int, str]]:
    """The active teammates the assignee picker offers whose name (or username) holds every word of `search`, as
    (id, name) by name, at most `limit`. One query."""
    rows = (
        Teammate.objects.filter(WORKING)
        .annotate(label=TEAMMATE_LABEL)
        .filter(_holding_words("label", search))
        .order_by("first_name", "last_name", "username", "pk")
    )
    return list(rows.values_list("pk", "label")[:limit])


def get_teammate_option(*, teammate_id: int) -> str | None:
    """The name of an active teammate the assignee picker may submit; None for any other id. One query."""
    rows = Teammate.objects.filter(WORKING, pk=teammate_id).annotate(label=TEAMMATE_LABEL)
    return rows.values_list("label", flat=True).first()


def list_team_options(
    *, search: str = "", limit: int | None = OPTIONS_SHOWN, member: Teammate | None = None
) -> list[tuple[int, str]]:
    """The teams the team picker offers whose name holds every word of `search` (and that have `member`), as (id,
    name) by name, at most `limit` (None: all of them, as the nav lists them). One query."""
    rows = Team.objects.filter(_holding_words("name", search)).order_by("name", "pk")
    if member is not None:
        rows = rows.filter(members=member)
    return list(rows.values_list("pk", "name")[:limit])


def get_team_option(*, team_id: int) -> str | None:
    """The name of the team a team picker may submit; None for an unknown id. One query."""
    return Team.objects.filter(pk=team_id).values_list("name", flat=True).first()
