"""`{% icon name %}`: one of the shipped icons (helpdesk/icons.py) as an inline, decorative `<svg class="icon">`.

An unknown name shows the ticket icon, so a type saved before an icon was removed still renders."""

from django import template
from django.utils.safestring import SafeString

from helpdesk.icons import icon_svg

register = template.Library()


@register.simple_tag
def icon(name: str) -> SafeString:
    return icon_svg(name)
