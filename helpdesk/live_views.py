"""How a tab follows the topics it shows (helpdesk/live.py): one server-sent-events stream with Redis, served by the
ASGI server (an async view: a stream holds no thread); a poll every LIVE_POLL_SECONDS without it.

Both take the topics the tab shows, each with the sequence number the tab knows it up to (the one its region was
rendered at, or the last it heard of; on a stream's reconnect, its Last-Event-ID), and first say which of them
changed since: a tab never misses a change, whatever happened while it was away."""

import asyncio
import json
import re
from collections.abc import AsyncIterator
from typing import Any

from asgiref.sync import sync_to_async
from django import forms
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.views.decorators.http import require_safe

from helpdesk.http import NOT_A_TEAMMATE, TeammateRequest, teammate_required
from helpdesk.live import backend, changed_since, hub
from helpdesk.notify import notifications_topic

TOPIC = re.compile(r"(?P<topic>[a-z]+(?:-[a-z0-9]+)*)(?::(?P<since>[0-9]{1,18}))?")
MAX_TOPICS = 300  # a tab's regions, and the nav's counts: two per team
KEEP_ALIVE_SECONDS = 25  # a comment line now and then, so that proxies and the browser keep the stream open


class LiveQueryForm(forms.Form):
    """`topics`: what the tab shows, space-separated, each with the sequence number it is known up to
    (`conversation-12:4051`); `since`: that number for the topics given without one."""

    topics = forms.CharField(max_length=12000, required=False)
    since = forms.IntegerField(min_value=0, required=False)

    def __init__(self, *args: Any, teammate_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.teammate_id = teammate_id

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        words = cleaned.get("topics", "").split()
        matches = [TOPIC.fullmatch(word) for word in words]
        if len(words) > MAX_TOPICS or not all(matches):
            raise forms.ValidationError(
                f"Topics are words and numbers joined by dashes, each with `:` and a sequence number or not, "
                f"at most {MAX_TOPICS} of them."
            )
        own = notifications_topic(self.teammate_id)
        if any(word.startswith("notifications-") and word.split(":")[0] != own for word in words):
            raise forms.ValidationError("A tab follows its own teammate's notifications only.")
        since = cleaned.get("since") or 0
        sinces: dict[str, int] = {}
        for match in filter(None, matches):
            topic, seq = match["topic"], int(match["since"] or since)
            sinces[topic] = min(seq, sinces.get(topic, seq))
        return {"sinces": sinces}


def message(seq: int, topics: list[str], counts: dict[str, int] | None = None, *, catch_up: bool = False) -> str:
    data = json.dumps({"topics": topics, "counts": counts or {}, "catchUp": catch_up})
    return f"id: {seq}\nevent: change\ndata: {data}\n\n"


@require_safe
@teammate_required
def poll(request: TeammateRequest) -> HttpResponse:
    """Without push: the current sequence number and which of the tab's topics changed since `since`."""
    query = LiveQueryForm(request.GET, teammate_id=request.user.pk)
    if not query.is_valid():
        return JsonResponse({"errors": query.errors}, status=400)
    return JsonResponse({"seq": request.live_since, "topics": changed_since(query.cleaned_data["sinces"])})


def close_connection() -> None:
    """This thread's connection (looked up when called, not when bound), unless a transaction holds it (a test's)."""
    if not connection.in_atomic_block:
        connection.close()


@require_safe
async def stream(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The tab's stream of changes to its topics. Only active staff teammates (checked as `teammate_required`
    does, here in an async view); 404 without Redis, where tabs poll."""
    user = await request.auser()
    # The session and the user were read in this request's thread (Django's thread-sensitive context), whose database
    # connection would otherwise stay open as long as the stream: one per open tab.
    await sync_to_async(close_connection)()
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not user.is_working:
        return HttpResponse(NOT_A_TEAMMATE, status=403)
    if not settings.LIVE_REDIS_URL:
        return HttpResponse("Live updates are polled here: there is no Redis to push them.", status=404)
    query = LiveQueryForm(request.GET, teammate_id=user.pk)
    if not query.is_valid():
        return HttpResponse(query.errors.as_text(), content_type="text/plain", status=400)
    # On a reconnect, the browser says the last event it had: every topic of the stream was known up to that one.
    last_event_id = request.headers.get("Last-Event-ID", "")
    heard = int(last_event_id) if last_event_id.isdecimal() and len(last_event_id) < 19 else 0
    sinces = {topic: max(since, heard) for topic, since in query.cleaned_data["sinces"].items()}
    response = StreamingHttpResponse(changes(sinces), content_type="text/event-stream")
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


async def catch_up(sinces: dict[str, int]) -> tuple[int, str]:
    """The newest sequence number, and the message naming the topics that changed since theirs ("" if none)."""
    current = await sync_to_async(backend().current, thread_sensitive=False)()
    missed = await sync_to_async(changed_since, thread_sensitive=False)(sinces)
    return current, message(current, missed, catch_up=True) if missed else ""


async def changes(sinces: dict[str, int]) -> AsyncIterator[str]:
    """What the stream sends: first the topics that changed since their sequence numbers, then each publication
    that touches one of them, as it comes. Follows the hub before reading what changed, so that nothing falls in
    between; catches up again whenever the hub could not hand it every publication. Ends after LIVE_STREAM_SECONDS:
    the browser opens it again from its last event (and is asked again who it is, by any web process)."""
    follower = await hub().follow(sinces)
    loop = asyncio.get_running_loop()
    ends_at = loop.time() + settings.LIVE_STREAM_SECONDS
    try:
        yield "retry: 2000\n\n"
        seen, missed = await catch_up(sinces)
        if missed:
            yield missed
        while (left := ends_at - loop.time()) > 0:
            try:
                publication = await asyncio.wait_for(follower.queue.get(), timeout=min(left, KEEP_ALIVE_SECONDS))
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            if follower.behind:
                follower.behind = False
                seen, missed = await catch_up(dict.fromkeys(sinces, seen))
                if missed:
                    yield missed
            if publication is not None and publication.seq > seen:
                seen = publication.seq
                yield message(seen, sorted(follower.topics.intersection(publication.topics)), publication.counts)
        yield f"id: {seen}\n\n"  # the browser opens the stream again from here
    finally:
        hub().leave(follower)
