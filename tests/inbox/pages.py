"""What the tests of the inbox pages share: HTMX headers, view URLs and readers of a response."""

import html
import re

from django.urls import reverse

HTMX = {"HX-Request": "true"}
# Every page's nav: the teams, the inbox's counts, the tickets' counts (helpdesk/nav.py); and the bell's count.
NAV_QUERIES = 4


def htmx_target(target: str) -> dict:
    return {**HTMX, "HX-Target": target}


def root_id(response) -> str:
    """The id of the first element of a partial response."""
    return re.search(r'<\w+[^>]*\sid="([^"]+)"', response.content.decode()).group(1)


def view_url(slug: str = "all", conversation=None, **query) -> str:
    if conversation is None:
        url = reverse("inbox:view", args=[slug])
    else:
        url = reverse("inbox:conversation", args=[slug, conversation.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def subjects(response) -> list[str]:
    return [c.subject for c in response.context["page"].rows]


def pager_link(response, rel: str) -> str | None:
    """The address of the list's Previous (`prev`) or Next (`next`) link, None when there is none."""
    link = re.search(rf'<a class="button" rel="{rel}" href="([^"]+)"', response.content.decode())
    return html.unescape(link.group(1)) if link else None


def html_of(response) -> str:
    return response.content.decode()
