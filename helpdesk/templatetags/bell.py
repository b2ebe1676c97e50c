from django import template
from django.http import HttpRequest

from helpdesk.notify import count_unread

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: template.Context) -> int:
    """The bell's count in a teammate page's top bar: the view's, when it read it, else one query."""
    if "unread_count" in context:
        return context["unread_count"]
    request: HttpRequest = context["request"]
    return count_unread(teammate=request.user)  # type: ignore[arg-type]  # teammate pages only
