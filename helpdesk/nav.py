"""The nav: every teammate page's views, with their counts, from the inbox and the tickets apps. Rendered in each
page's first response (the `nav` region, helpdesk/regions.py), and again at its own address (helpdesk.views.nav)
when a count changed while the tab was away."""

from dataclasses import dataclass
from html import escape
from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from helpdesk.http import TeammateRequest
from helpdesk.regions import renders
from inbox.models import Teammate
from inbox.selectors import NavItem, list_inbox_nav, list_team_options
from tickets.selectors import list_ticket_nav

NAV = "components/nav.html"
HIDDEN = ("all", "unassigned", "trackers")  # the ticket views of every team, which a back-office-only teammate lacks
SLUG = "__slug__"
# a slug is URL-safe as it is: a view's address is its kind's, with its slug put in


@dataclass(frozen=True, slots=True)
class NavSection:
    key: str
    heading: str
    links: SafeString  # its <li> elements


def links_html(items: list[NavItem], *, url_name: str, current: str, live_since: int) -> SafeString:
    """The views' <li> links, each with its count (updated in place by static/js/live.js through data-count).

    Written here rather than by a template loop: the nav has about a hundred links (50 teams, each with an inbox and a
    ticket view) on every page, and the loop took 4 to 7 ms of each page, against 0.2 ms for this (bench/, full size).
    Everything a person typed (a team's name) is escaped; one reverse() per kind of view."""
    prefix = url_name.split(":")[0]
    address = reverse(url_name, args=[SLUG])
    links = []
    for item in items:
        marked = ' aria-current="page"' if current == f"{prefix}:{item.slug}" else ""
        href = escape(address.replace(SLUG, item.slug))
        label, topic, count = escape(item.label), escape(item.topic), escape(item.display)
        links.append(
            f'<li><a class="nav-link" href="{href}"{marked}><span>{label}</span> <span class="count" '
            f'data-count="{topic}" data-live-since="{live_since}" aria-label="{count} open">{count}</span></a></li>'
        )
    return mark_safe("\n".join(links))  # every value in it is escaped above


def nav_context(*, teammate: Teammate, current: str, live_since: int) -> dict[str, Any]:
    """The views and their counts (three queries: the teams, and each app's counts); `current` (e.g. "inbox:all")
    only marks which one is open, and `live_since` is the sequence number the counts are read at (helpdesk/live.py)."""
    if teammate.back_office_only:  # no inbox: its own tickets and its teams' (tickets/access.py)
        teams = list_team_options(limit=None, member=teammate)
        inbox_views: list[NavItem] = []
        team_views: list[NavItem] = []
        ticket_views = [item for item in list_ticket_nav(teammate=teammate, teams=teams) if item.slug not in HIDDEN]
    else:
        teams = list_team_options(limit=None)
        inbox_views, team_views = list_inbox_nav(teammate=teammate, teams=teams)
        ticket_views = list_ticket_nav(teammate=teammate, teams=teams)

    def links(items: list[NavItem], url_name: str) -> SafeString:
        return links_html(items, url_name=url_name, current=current, live_since=live_since)

    sections = [
        NavSection("inbox", "Inbox", links(inbox_views, "inbox:view")),
        NavSection("teams", "Team inboxes", links(team_views, "inbox:view")),
        NavSection("tickets", "Tickets", links(ticket_views, "tickets:list")),
    ]
    return {
        "current": current,
        "inbox_views": inbox_views,
        "team_views": team_views,
        "ticket_views": ticket_views,
        "sections": [nav_section for nav_section in sections if nav_section.links],
    }


@renders("nav")
def render_nav(request: TeammateRequest, *, current: str) -> SafeString:
    context = nav_context(teammate=request.user, current=current, live_since=request.live_since)
    return render_to_string(NAV, context, request)
