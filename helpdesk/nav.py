"""The nav: every teammate page's views, with their counts, from the inbox and the tickets apps. Rendered in each
page's first response (the `nav` region, helpdesk/regions.py), and again at its own address (helpdesk.views.nav)
when a count changed while the tab was away."""

from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from helpdesk.http import TeammateRequest
from helpdesk.regions import renders
from inbox.models import Teammate
from inbox.selectors import list_inbox_nav
from tickets.selectors import list_ticket_nav

NAV = "components/nav.html"


def nav_context(*, teammate: Teammate, current: str) -> dict[str, Any]:
    """The views and their counts (four queries); `current` (e.g. "inbox:all") only marks which one is open."""
    inbox_views, team_views = list_inbox_nav(teammate=teammate)
    return {
        "inbox_views": inbox_views,
        "team_views": team_views,
        "ticket_views": list_ticket_nav(teammate=teammate),
        "current": current,
    }


@renders("nav")
def render_nav(request: TeammateRequest, *, current: str) -> SafeString:
    return render_to_string(NAV, nav_context(teammate=request.user, current=current), request)
