"""`{% moment value %}`: an instant as `<time datetime="…">Nov 25, 17:10</time>` in the current time zone.

The markup `|date:'c'` and `|date:"M j, H:i"` wrote in fifteen places, without the date filter's cost (it
parses its format on every call: a few milliseconds of every list and timeline, bench/)."""

from django import template
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def moment(value, with_year: bool = False) -> str:
    if not value:
        return ""
    local = timezone.localtime(value)
    year = f" {local.year}," if with_year else ""
    label = f"{MONTHS_3[local.month].title()} {local.day},{year} {local:%H:%M}"
    return format_html('<time datetime="{}">{}</time>', local.isoformat(), label)
