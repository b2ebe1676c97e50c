"""The one way an instant is written for people: "Dec 2, 12:38" in the current time zone.

The `{% moment %}` tag wraps it in `<time>`; Python that writes an instant into text (a timeline event,
an attribute's value) calls `moment_label`, so a snooze event and the header above it read the same.
"""

from datetime import datetime

from django.utils import timezone
from django.utils.dates import MONTHS_3


def moment_label(value: datetime, *, with_year: bool = False) -> str:
    """`Dec 2, 12:38`, or `Dec 2, 2026, 12:38` with the year, in the current time zone."""
    local = timezone.localtime(value)
    year = f" {local.year}," if with_year else ""
    return f"{MONTHS_3[local.month].title()} {local.day},{year} {local:%H:%M}"
