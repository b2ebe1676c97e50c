"""`{% moment value %}`: an instant as `<time datetime="…">Nov 25, 17:10</time>` in the current time zone.

The markup `|date:'c'` and `|date:"M j, H:i"` wrote in fifteen places, without the date filter's cost (it
parses its format on every call: a few milliseconds of every list and timeline, bench/). The label itself is
`helpdesk.moments.moment_label`, which Python that writes an instant into text uses too."""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html

from helpdesk.moments import moment_label

register = template.Library()


@register.simple_tag
def moment(value: datetime | None, with_year: bool = False) -> str:
    if not value:
        return ""
    local = timezone.localtime(value)
    return format_html('<time datetime="{}">{}</time>', local.isoformat(), moment_label(local, with_year=with_year))
