"""The one way an instant is written for people: "Dec 2, 12:38" in the current time zone.

The `{% moment %}` tag wraps it in `<time>`; Python that writes an instant into text (a timeline event,
an attribute's value) calls `moment_label`, so a snooze event and the header above it read the same.
`preset_time` is the one way a snooze preset ("tomorrow, 9:00") becomes an instant: the snooze form and the saved
replies' snooze effects read it.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.dates import MONTHS_3


def moment_label(value: datetime, *, with_year: bool = False) -> str:
    """`Dec 2, 12:38`, or `Dec 2, 2026, 12:38` with the year, in the current time zone."""
    local = timezone.localtime(value)
    year = f" {local.year}," if with_year else ""
    return f"{MONTHS_3[local.month].title()} {local.day},{year} {local:%H:%M}"


def preset_time(preset: str, *, now: datetime) -> datetime:
    """The moment a snooze preset stands for, in the current time zone."""
    nine = time(9, 0)
    if preset == "1h":
        return now + timedelta(hours=1)
    if preset == "4h":
        return now + timedelta(hours=4)
    if preset == "tomorrow":
        return timezone.make_aware(datetime.combine(now.date() + timedelta(days=1), nine))
    days_to_monday = (7 - now.weekday()) % 7 or 7
    return timezone.make_aware(datetime.combine(now.date() + timedelta(days=days_to_monday), nine))
