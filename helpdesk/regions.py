"""Regions of a teammate page that another app renders, in the page's first response (issue 12: a page is one
request, not a page and then the regions that fetched themselves on load).

Every page shows the nav, whose counts come from the inbox and the tickets apps, and the inbox page shows the tickets
linked to the open conversation; yet the inbox never imports the tickets app (imports point workflows -> tickets ->
inbox). So the app that owns a region registers the function that renders it (`@renders("conversation-side")`, loaded
by its AppConfig.ready), and a page asks for the region by name, as the outbox's subscribers register themselves. A
region keeps its own address: live updates fetch it again there when one of its topics changes.
"""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.safestring import SafeString

Renderer = Callable[..., SafeString]
_renderers: dict[str, Renderer] = {}


def renders(name: str) -> Callable[[Renderer], Renderer]:
    """Decorator: this function renders the region `name` (markup, with the request's context processors)."""

    def register(function: Renderer) -> Renderer:
        _renderers[name] = function
        return function

    return register


def render_region(name: str, request: HttpRequest, **kwargs: Any) -> SafeString:
    """The region's markup as the app that owns it renders it; empty when no installed app renders it."""
    renderer = _renderers.get(name)
    return renderer(request, **kwargs) if renderer else SafeString("")
