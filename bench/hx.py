"""What a browser does with a page of this app, read from its HTML: the requests htmx makes as soon as it loads (an
element whose hx-trigger has `load` fetches its hx-get, and what that brings in may do the same), and what
static/js/live.js follows (regions naming their topics in data-live, refreshed from their hx-get; nav counts in
data-count). Standard library only: the tab simulator (bench/live_tabs.py) imports it without Django.

(Not `html.py`: bench/ comes first on the scripts' path, and would hide the standard library's `html`.)
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit


@dataclass(frozen=True)
class Region:
    """An element that live.js refreshes when one of its topics changes: htmx fetches its hx-get (the `live`
    trigger), at most once every `throttle_ms` (data-live-throttle), with the HX-Target header `target`."""

    topics: tuple[str, ...]
    url: str
    target: str
    throttle_ms: int


class _Elements(HTMLParser):
    """The attributes of every element, and the values of the named inputs (for hx-include)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append({name: value or "" for name, value in attrs} | {"<tag>": tag})

    handle_startendtag = handle_starttag


_COMMENT = re.compile(r"<!--.*?-->", re.S)
_START_TAG = re.compile(r"""<[a-zA-Z][^\s/>]*(?:[^>"']+|"[^"]*"|'[^']*')*>""")
_WANTED = ("hx-", "data-live", "data-count", 'id="live"', "<input")


def elements(html: str) -> list[dict[str, str]]:
    """The attributes of the elements that matter here (htmx's, live.js's, and inputs). The start tags are picked
    out by a regular expression first: Python's HTMLParser takes ~30 ms for a page, which made the clients of
    bench/page_loads.py, not the server, the bottleneck."""
    tags = (m[0] for m in _START_TAG.finditer(_COMMENT.sub("", html)))
    parser = _Elements()
    parser.feed("".join(tag for tag in tags if any(word in tag for word in _WANTED)))
    parser.close()
    return parser.elements


def fires_on_load(trigger: str) -> bool:
    """hx-trigger is a comma-separated list of triggers, each an event name then its modifiers: "load, live",
    "live, ticket-changed from:body", "toggle once from:closest details" (which does not fire on load)."""
    return any(part.split()[0] == "load" for part in trigger.split(",") if part.strip())


def load_requests(html: str) -> list[tuple[str, str]]:
    """What htmx fetches as soon as this HTML is in the page (its load triggers), in document order: each hx-get
    with the id of its element (htmx's HX-Target header)."""
    return [
        (e["hx-get"], e.get("id", ""))
        for e in elements(html)
        if e.get("hx-get") and fires_on_load(e.get("hx-trigger", ""))
    ]


def page_load(get, url: str, *, max_depth: int = 4) -> list[tuple[str, int, str]]:
    """Every request a browser makes for this page before it is idle (static files aside: cached): the page, then
    what its load triggers fetch, and theirs. `get(url, target)` returns (status, html); `target` is None for the
    page itself, else the HX-Target of an htmx request. Returns [(url, status, html)] in the order fetched."""
    loaded: list[tuple[str, int, str]] = []
    wave: list[tuple[str, str | None]] = [(url, None)]
    for _ in range(max_depth + 1):
        fetched = []
        for each, target in wave:
            status, html = get(each, target)
            loaded.append((each, status, html))
            fetched.append(html)
        wave = [following for html in fetched for following in load_requests(html)]
        if not wave:
            break
    return loaded


def _with_include(element: dict[str, str], inputs: dict[str, tuple[str, str]]) -> str:
    """The region's hx-get with the named input that hx-include="#id" adds (the list sends the open conversation)."""
    url = element.get("hx-get", "")
    include = element.get("hx-include", "")
    if include.startswith("#") and (named := inputs.get(include[1:])) and named[0]:
        url += ("&" if urlsplit(url).query else "?") + urlencode([named])
    return url


def live_view(htmls: list[str]) -> tuple[dict[str, int], list[Region]]:
    """What a tab whose page is made of these HTML documents follows, as live.js's `shown()` computes it: each topic
    with the sequence number it is known up to (the oldest data-live-since showing it; nav counts as
    `count-<list>`), and the regions it refreshes. An element that a load trigger replaces (outerHTML) is gone."""
    sinces: dict[str, int] = {}
    regions: list[Region] = []
    all_elements = [e for html in htmls for e in elements(html)]
    inputs = {e["id"]: (e.get("name", ""), e.get("value", "")) for e in all_elements if e.get("id")}
    page_since = next((int(e.get("data-since") or 0) for e in all_elements if e.get("id") == "live"), 0)

    def note(topic: str, element: dict[str, str]) -> None:
        since = int(element.get("data-live-since") or page_since)
        sinces[topic] = min(since, sinces.get(topic, since))

    for e in all_elements:
        replaced = fires_on_load(e.get("hx-trigger", "")) and e.get("hx-swap", "").startswith("outerHTML")
        if "data-live" in e and not replaced:
            topics = tuple(e["data-live"].split())
            for topic in topics:
                note(topic, e)
            target = e.get("id", "")
            regions.append(Region(topics, _with_include(e, inputs), target, int(e.get("data-live-throttle") or 0)))
        if "data-count" in e:
            note(f"count-{e['data-count']}", e)
    return sinces, regions
