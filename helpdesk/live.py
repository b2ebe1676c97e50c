"""Live updates by topic: what a committed change touched reaches only the tabs that show it.

A topic names what a region of a page shows: `conversation-12`, `ticket-9`, `inbox-team-3` (a list, whose count
is in the nav too). Each app says which topics its events touch (`@topics_of(EventClass)` in its live.py); the
outbox publishes them after the commit (`publish`, a batch handler: the events one transaction of the worker applies go
out as one publication; applied twice, it only makes a tab fetch a region again). A publication carries a sequence
number, its topics, and the new totals of the lists whose counts it changed.

Two backends, chosen by the settings: with Redis, a publication goes out on a pub/sub channel that every web
process's `Hub` reads, and each tab holds one server-sent-events stream (helpdesk/live_views.py); without it (the
embedded default of `make run`), publications are kept in the database and tabs poll for the topics they show.
Either way the last sequence number of each topic is kept, so a tab that reconnects catches up on what it missed.
"""

import asyncio
import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, partial
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.dispatch import receiver
from django.test.signals import setting_changed

from helpdesk.models import LiveTopic, OutboxEvent
from helpdesk.outbox import Event, subscribe

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Touched:
    """What one event touched: the topics whose regions must be fetched again, and the lists (themselves topics)
    whose counts may have changed (published as their `count_topic`, with the new totals)."""

    topics: set[str] = field(default_factory=set)
    counted: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class Publication:
    seq: int
    topics: list[str]
    counts: dict[str, int]

    def to_json(self) -> str:
        return json.dumps({"seq": self.seq, "topics": self.topics, "counts": self.counts})

    @classmethod
    def from_json(cls, text: str | bytes) -> "Publication":
        data = json.loads(text)
        return cls(int(data["seq"]), list(data["topics"]), dict(data["counts"]))


TopicsOf = Callable[[dict[str, Any]], Touched]
Counter = Callable[[set[str]], dict[str, int]]
_topics_of: dict[str, TopicsOf] = {}
_counters: list[Counter] = []


def topics_of(*event_classes: type[Event]) -> Callable[[TopicsOf], TopicsOf]:
    """Decorator: this function says what an event of these classes touched (from its payload); the outbox then
    publishes it after every such event commits."""

    def register(function: TopicsOf) -> TopicsOf:
        for event_class in event_classes:
            _topics_of[event_class.__name__] = function
            subscribe(event_class, batch=True)(publish)
        return function

    return register


def counter(function: Counter) -> Counter:
    """Decorator: this function gives the current totals of the list topics it knows among those asked."""
    _counters.append(function)
    return function


def publish(events: list[OutboxEvent]) -> None:
    """The outbox handler: publish what the events (those one transaction of the worker applies) touched, as one
    publication, with the new counts of the lists they may have changed."""
    topics: set[str] = set()
    counted: set[str] = set()
    for event in events:
        touched = _topics_of[event.kind](event.payload)
        topics |= touched.topics
        counted |= touched.counted
    counts: dict[str, int] = {}
    for count in _counters:
        counts |= count(counted)
    backend().publish_with_transaction(topics | {count_topic(name) for name in counts}, counts)


def count_topic(list_topic: str) -> str:
    """The topic of a list's count (the nav's), apart from the list's own: a note reorders a list but changes no
    count, and every tab shows the counts."""
    return f"count-{list_topic}"


class Backend(Protocol):
    def publish(self, topics: set[str], counts: dict[str, int]) -> Publication: ...

    def publish_with_transaction(self, topics: set[str], counts: dict[str, int]) -> None:
        """Publish what the current transaction changes, so that no tab hears of it before it commits: a tab told
        fetches at once, and would otherwise read the state from before and keep it as up to date."""
        ...

    def current(self) -> int: ...

    def seqs(self, topics: Iterable[str]) -> dict[str, int]:
        """The sequence number of the last publication to each of these topics (those ever published to)."""
        ...


UNREACHABLE_PAUSE = 10.0  # seconds without asking a backend that just failed


def page_since() -> int:
    """The sequence number a page is rendered at; 0 while the backend is unreachable (Redis down): the page renders
    all the same, and its tab catches up on everything once the stream is back. After a failure, requests do not ask
    again for UNREACHABLE_PAUSE: an outage costs one connection timeout per pause and process, not one per request."""
    global _unreachable_until
    if time.monotonic() < _unreachable_until:
        return 0
    try:
        return backend().current()
    except Exception:  # a Redis error of any kind (redis-py's, or the socket's)
        _unreachable_until = time.monotonic() + UNREACHABLE_PAUSE
        logger.warning("The live updates' backend is unreachable; pages are rendered at sequence 0.", exc_info=True)
        return 0


_unreachable_until = 0.0


def changed_since(sinces: dict[str, int]) -> list[str]:
    """Which of these topics were published to after their sequence number ({topic: since})."""
    return sorted(topic for topic, seq in backend().seqs(sinces).items() if seq > sinces[topic])


class DatabaseBackend:
    """Without Redis: the last sequence number of each topic in a table (the row of topic "" is the counter), read
    by polling tabs. SQLite takes one writer at a time, so sequence numbers are handed out in commit order."""

    def publish(self, topics: set[str], counts: dict[str, int]) -> Publication:
        with transaction.atomic():
            counter, _ = LiveTopic.objects.select_for_update().get_or_create(topic="", defaults={"seq": 0})
            LiveTopic.objects.filter(pk=counter.pk).update(seq=F("seq") + 1)
            seq = counter.seq + 1
            for topic in sorted(topics):
                LiveTopic.objects.update_or_create(topic=topic, defaults={"seq": seq})
        return Publication(seq, sorted(topics), counts)

    def publish_with_transaction(self, topics: set[str], counts: dict[str, int]) -> None:
        self.publish(topics, counts)  # rows of the same transaction: seen when it commits

    def current(self) -> int:
        return LiveTopic.objects.filter(topic="").values_list("seq", flat=True).first() or 0

    def seqs(self, topics: Iterable[str]) -> dict[str, int]:
        return dict(LiveTopic.objects.filter(topic__in=list(topics)).exclude(topic="").values_list("topic", "seq"))


class RedisBackend:
    """With Redis: a counter, the last sequence number of each topic (a sorted set, only ever raised), and a pub/sub
    channel that every web process's Hub reads. A publication does all three in one script, which Redis runs alone:
    whoever reads the counter then the topics (a stream catching up) never sees one without the other."""

    PUBLISH = """
        local seq = redis.call('INCR', KEYS[1])
        for i = 2, #ARGV do redis.call('ZADD', KEYS[2], 'GT', seq, ARGV[i]) end
        redis.call('PUBLISH', KEYS[3], '{"seq": ' .. seq .. ', ' .. ARGV[1])
        return seq
    """

    def __init__(self, url: str, prefix: str):
        import redis

        # Short timeouts: a page reads the current sequence number, and must not wait long for a Redis that is down.
        self.redis = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)
        self.seq_key, self.topics_key, self.channel = f"{prefix}:seq", f"{prefix}:topics", f"{prefix}:changes"
        self.script = self.redis.register_script(self.PUBLISH)

    def publish(self, topics: set[str], counts: dict[str, int]) -> Publication:
        ordered = sorted(topics)
        rest = json.dumps({"topics": ordered, "counts": counts}).removeprefix("{")  # the JSON after its seq
        seq = int(self.script(keys=[self.seq_key, self.topics_key, self.channel], args=[rest, *ordered]))
        return Publication(seq, ordered, counts)

    def publish_with_transaction(self, topics: set[str], counts: dict[str, int]) -> None:
        """Published after the commit; asked now whether Redis answers, so that while it does not the outbox event
        stays pending and is retried."""
        self.current()
        transaction.on_commit(partial(self.publish_quietly, topics, counts))

    def publish_quietly(self, topics: set[str], counts: dict[str, int]) -> None:
        try:
            self.publish(topics, counts)
        except Exception:  # Redis went away since it answered: the tabs catch up on the topics' next change
            logger.warning("Could not publish %s after the commit.", sorted(topics), exc_info=True)

    def current(self) -> int:
        return int(self.redis.get(self.seq_key) or 0)

    def seqs(self, topics: Iterable[str]) -> dict[str, int]:
        topics = sorted(set(topics))
        scores = self.redis.zmscore(self.topics_key, topics) if topics else []
        return {topic: int(score) for topic, score in zip(topics, scores, strict=True) if score is not None}


@cache
def backend() -> Backend:
    if settings.LIVE_REDIS_URL:
        return RedisBackend(settings.LIVE_REDIS_URL, settings.LIVE_PREFIX)
    return DatabaseBackend()


@receiver(setting_changed)
def choose_backend_again(*, setting: str, **kwargs: Any) -> None:
    global _unreachable_until
    if setting.startswith("LIVE_"):
        backend.cache_clear()
        _unreachable_until = 0.0


class Follower:
    """A stream's place in its process's Hub: the publications to its topics, in order, and whether it must catch up
    from the sequence numbers instead (it stopped reading and its queue filled, or the hub lost Redis a while)."""

    def __init__(self, topics: Iterable[str]) -> None:
        self.topics = frozenset(topics)
        self.queue: asyncio.Queue[Publication | None] = asyncio.Queue(maxsize=100)
        self.behind = False

    def send(self, publication: Publication | None) -> None:
        try:
            self.queue.put_nowait(publication)
        except asyncio.QueueFull:
            self.behind = True

    def fell_behind(self) -> None:
        self.behind = True
        self.send(None)  # wakes the stream up


class Hub:
    """One per web process (and event loop): reads the pub/sub channel and hands each publication to the streams
    that follow one of its topics, looked up by topic, so a change costs nothing for the tabs that do not show it."""

    def __init__(self) -> None:
        self.followers: dict[str, set[Follower]] = defaultdict(set)
        self.reader: asyncio.Task[None] | None = None
        self.subscribed = asyncio.Event()

    async def follow(self, topics: Iterable[str]) -> Follower:
        """Follow these topics; returns once the hub hears the channel (or after 5 s without Redis: the stream
        then fails to catch up and the browser opens it again)."""
        if self.reader is None or self.reader.done():
            self.reader = asyncio.get_running_loop().create_task(self.read())
        follower = Follower(topics)
        for topic in follower.topics:
            self.followers[topic].add(follower)
        try:
            await asyncio.wait_for(self.subscribed.wait(), timeout=5)
        except TimeoutError:
            pass
        return follower

    def leave(self, follower: Follower) -> None:
        for topic in follower.topics:
            self.followers[topic].discard(follower)
            if not self.followers[topic]:
                del self.followers[topic]

    async def read(self) -> None:
        import redis.asyncio

        heard_before = False
        while True:
            try:
                client = redis.asyncio.Redis.from_url(settings.LIVE_REDIS_URL)
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(f"{settings.LIVE_PREFIX}:changes")
                    async for message in pubsub.listen():
                        if message["type"] == "subscribe":
                            if heard_before:  # what was published while the hub was away reached no one
                                for follower in {f for followers in self.followers.values() for f in followers}:
                                    follower.fell_behind()
                            heard_before = True
                            self.subscribed.set()
                        elif message["type"] == "message":
                            self.dispatch(Publication.from_json(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis went away: the streams catch up from the sequence numbers once it is back
                self.subscribed.clear()
                logger.warning("The live hub lost Redis; reconnecting in 1 s.", exc_info=True)
                await asyncio.sleep(1)

    def dispatch(self, publication: Publication) -> None:
        for follower in {f for topic in publication.topics for f in self.followers.get(topic, ())}:
            follower.send(publication)


_hubs: dict[asyncio.AbstractEventLoop, Hub] = {}


def hub() -> Hub:
    loop = asyncio.get_running_loop()
    if loop not in _hubs:
        _hubs[loop] = Hub()
    return _hubs[loop]
