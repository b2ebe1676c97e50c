"""Live updates by topic (issue 12): what a committed change touched is published after the commit to the topics
that show it and no other, with the new counts of the lists it changed; a tab asks (poll) or hears (stream) only
about its own topics, and catches up from its sequence numbers on whatever it missed. Both backends: the database
(`make run`'s embedded default, polled) and the real Redis (pushed). In the browser: tests/browser/test_live.py."""

import asyncio
import json
import time
import uuid
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import redis
from django.db import transaction
from django.test import AsyncRequestFactory, Client
from django.urls import reverse

from helpdesk import live, live_views
from helpdesk.models import OutboxEvent
from inbox import actions
from tests.factories import BackOfficeTicketFactory, ConversationFactory, TeamFactory
from tickets import actions as ticket_actions

pytestmark = pytest.mark.django_db


def run_async[T](coroutine: Coroutine[Any, Any, T]) -> T:
    """asyncio.run, in a thread of its own: after the browser tests, Playwright's loop is running in this one."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


@pytest.fixture
def redis_live(settings):
    """Live updates through the test Redis, under a prefix of this test's own."""
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.fail("Live push tests need CELERY_BROKER_URL to point at Redis (make test starts one).")
    settings.LIVE_REDIS_URL = settings.CELERY_BROKER_URL
    settings.LIVE_PREFIX = f"live-test:{uuid.uuid4().hex}"
    yield live.backend()
    client = redis.Redis.from_url(settings.LIVE_REDIS_URL)
    client.delete(*(f"{settings.LIVE_PREFIX}:{key}" for key in ("seq", "topics")))


@pytest.fixture
def database_live(settings):
    settings.LIVE_REDIS_URL = ""
    return live.backend()


@pytest.fixture(params=["database", "redis"])
def any_live(request):
    return request.getfixturevalue(f"{request.param}_live")


def changed(topics: list[str], since: int = 0) -> list[str]:
    return live.changed_since(dict.fromkeys(topics, since))


def test_a_note_is_published_to_its_conversation_and_the_lists_it_reorders_only(any_live, teammate, apply_outbox):
    billing = TeamFactory(name="Billing")
    noted, other = ConversationFactory(team=billing), ConversationFactory(team=billing)
    before = any_live.current()

    actions.post_note(actor=teammate, conversation_id=noted.pk, body="Looked into it")
    apply_outbox()

    shown = [f"conversation-{noted.pk}", f"conversation-{other.pk}", "inbox-all", f"inbox-team-{billing.pk}"]
    shown += ["inbox-unassigned", f"inbox-assignee-{teammate.pk}", "count-inbox-all", f"count-inbox-team-{billing.pk}"]
    assert changed(shown, before) == sorted(
        [f"conversation-{noted.pk}", "inbox-all", f"inbox-team-{billing.pk}", "inbox-unassigned"]
    )
    assert any_live.current() == before + 1


def test_nothing_is_published_before_the_commit_nor_for_a_change_rolled_back(any_live, teammate, apply_outbox):
    conversation = ConversationFactory()
    before = any_live.current()

    with pytest.raises(RuntimeError), transaction.atomic():
        actions.post_note(actor=teammate, conversation_id=conversation.pk, body="Never mind")
        assert OutboxEvent.objects.filter(handler="helpdesk.live.publish", done_at__isnull=True).exists()
        assert any_live.current() == before  # written down, not published
        raise RuntimeError("rolled back")
    apply_outbox()

    assert any_live.current() == before
    assert changed([f"conversation-{conversation.pk}"], before) == []


def next_message(listener, timeout: float = 5) -> dict | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if message := listener.get_message(timeout=0.05):
            return message
    return None


def test_an_assignment_publishes_both_teams_lists_with_their_new_counts(redis_live, teammate, apply_outbox, settings):
    billing, fraud = TeamFactory(name="Billing"), TeamFactory(name="Fraud")
    conversation = ConversationFactory(team=billing)
    ConversationFactory(team=fraud)
    listener = redis.Redis.from_url(settings.LIVE_REDIS_URL).pubsub(ignore_subscribe_messages=True)
    listener.subscribe(f"{settings.LIVE_PREFIX}:changes")

    actions.assign_conversation(actor=teammate, conversation_id=conversation.pk, assignee_id=None, team_id=fraud.pk)
    apply_outbox()

    publication = live.Publication.from_json(next_message(listener)["data"])
    assert publication.counts == {
        "inbox-all": 2,
        "inbox-unassigned": 2,
        f"inbox-team-{billing.pk}": 0,
        f"inbox-team-{fraud.pk}": 2,
    }
    assert {f"count-inbox-team-{billing.pk}", f"count-inbox-team-{fraud.pk}", f"conversation-{conversation.pk}"} <= set(
        publication.topics
    )
    assert next_message(listener, timeout=0.3) is None  # one publication for the transaction's events


def test_a_cross_posted_ticket_note_reaches_the_ticket_its_conversation_and_their_lists(
    any_live, teammate, apply_outbox
):
    ticket = BackOfficeTicketFactory(actor=teammate, assignee_id=teammate.pk)
    unrelated = BackOfficeTicketFactory(actor=teammate)
    apply_outbox()
    before = any_live.current()

    ticket_actions.post_ticket_note(actor=teammate, ticket_id=ticket.pk, body="Refunded", cross_post=True)
    apply_outbox()

    conversation = f"conversation-{ticket.linked_conversation_id}"
    shown = [f"ticket-{ticket.pk}", conversation, f"tickets-assignee-{teammate.pk}", "tickets-all", "inbox-all"]
    shown += [f"ticket-{unrelated.pk}", f"conversation-{unrelated.linked_conversation_id}", "tickets-unassigned"]
    assert changed(shown, before) == sorted(
        [f"ticket-{ticket.pk}", conversation, f"tickets-assignee-{teammate.pk}", "tickets-all", "inbox-all"]
    )


def test_the_events_of_one_batch_go_out_as_one_publication(
    any_live, teammate, apply_outbox, django_capture_on_commit_callbacks
):
    conversations = ConversationFactory.create_batch(3)
    with transaction.atomic():
        for conversation in conversations:
            actions.post_note(actor=teammate, conversation_id=conversation.pk, body="Batch")
    before = any_live.current()
    rows = OutboxEvent.objects.filter(handler="helpdesk.live.publish", done_at__isnull=True)

    from helpdesk.outbox import apply_events

    with django_capture_on_commit_callbacks(execute=True):  # the worker's transaction commits
        assert len(apply_events(list(rows.values_list("pk", flat=True)))) == 3
    assert any_live.current() == before + 1
    assert changed([f"conversation-{c.pk}" for c in conversations], before) == sorted(
        f"conversation-{c.pk}" for c in conversations
    )


def test_redis_hears_of_a_change_only_once_it_is_committed(redis_live, teammate, django_capture_on_commit_callbacks):
    """A tab told of a change fetches it at once: told before the worker's commit, it would read the old state and
    keep it, marked as up to date."""
    conversation = ConversationFactory()
    actions.post_note(actor=teammate, conversation_id=conversation.pk, body="Committed first")
    rows = OutboxEvent.objects.filter(handler="helpdesk.live.publish", done_at__isnull=True)
    before = redis_live.current()
    from helpdesk.outbox import apply_events

    with django_capture_on_commit_callbacks(execute=True):
        apply_events(list(rows.values_list("pk", flat=True)))
        assert redis_live.current() == before  # still inside the worker's transaction: nobody is told
    assert redis_live.current() == before + 1


# --- The poll ---


def test_the_poll_is_for_teammates_only(client):
    response = client.get(reverse("live-poll"), {"topics": "inbox-all"})

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_poll_says_which_of_the_tabs_topics_changed_since_it_knew_them(
    database_live, teammate_client, teammate, apply_outbox
):
    first, second = ConversationFactory(), ConversationFactory()
    actions.post_note(actor=teammate, conversation_id=first.pk, body="One")
    apply_outbox()
    middle = database_live.current()
    actions.post_note(actor=teammate, conversation_id=second.pk, body="Two")
    apply_outbox()

    topics = f"conversation-{first.pk}:{middle} conversation-{second.pk}:{middle} ticket-999999"
    response = teammate_client.get(reverse("live-poll"), {"topics": topics, "since": 0})

    assert response.status_code == 200
    assert response.json() == {"seq": database_live.current(), "topics": [f"conversation-{second.pk}"]}


@pytest.mark.parametrize(
    "topics",
    [
        "<script>",
        "conversation-1:x",
        "Conversation-1",
        " ".join(f"ticket-{n}" for n in range(live_views.MAX_TOPICS + 1)),
    ],
)
def test_the_poll_refuses_bad_topics_with_a_message(database_live, teammate_client, topics):
    response = teammate_client.get(reverse("live-poll"), {"topics": topics})

    assert response.status_code == 400
    assert "Topics are words and numbers joined by dashes" in response.json()["errors"]["__all__"][0]


def test_a_tab_follows_its_own_notifications_only(database_live, teammate_client, teammate, other_teammate):
    own = teammate_client.get(reverse("live-poll"), {"topics": f"notifications-{teammate.pk}", "since": 0})
    other = teammate_client.get(reverse("live-poll"), {"topics": f"notifications-{other_teammate.pk}:0"})

    assert own.status_code == 200
    assert other.status_code == 400
    assert "its own teammate's notifications only" in other.json()["errors"]["__all__"][0]


# --- The stream ---


def test_the_stream_is_for_teammates_only_and_needs_redis(teammate_client, database_live):
    anonymous = Client().get(reverse("live-stream"), {"topics": "inbox-all"})
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))

    assert teammate_client.get(reverse("live-stream"), {"topics": "inbox-all"}).status_code == 404


def events_of(chunks: list[str]) -> list[dict]:
    """The `change` events among a stream's chunks: their id and data."""
    found = []
    for chunk in chunks:
        fields = dict(line.split(": ", 1) for line in chunk.strip().splitlines() if not line.startswith(":"))
        if fields.get("event") == "change":
            found.append({"id": int(fields["id"]), **json.loads(fields["data"])})
    return found


class Reader:
    """Reads a stream (which never ends by itself) in the background, so that a test can take what came within a
    while without cancelling the stream's generator."""

    def __init__(self, stream) -> None:
        self.stream, self.chunks = stream, asyncio.Queue()
        self.pump = asyncio.get_running_loop().create_task(self.read_all())

    async def read_all(self) -> None:
        async for chunk in self.stream:
            await self.chunks.put(chunk if isinstance(chunk, str) else chunk.decode())

    async def events(self, *, within: float) -> list[dict]:
        await asyncio.sleep(within)
        chunks = []
        while not self.chunks.empty():
            chunks.append(self.chunks.get_nowait())
        return events_of(chunks)

    async def close(self) -> None:
        self.pump.cancel()
        await asyncio.gather(self.pump, return_exceptions=True)
        await self.stream.aclose()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_stream_catches_up_then_sends_only_the_changes_to_its_topics(redis_live):
    redis_live.publish({"conversation-1", "ticket-5"}, {})
    missed = redis_live.publish({"conversation-1"}, {})

    async def scenario():
        stream = Reader(live_views.changes({"conversation-1": 0, "conversation-2": 0, "ticket-7": 0}))
        first = await stream.events(within=0.5)
        await asyncio.to_thread(redis_live.publish, {"ticket-5", "inbox-all"}, {})  # not shown: nothing comes
        await asyncio.to_thread(redis_live.publish, {"conversation-2", "ticket-5"}, {"inbox-all": 3})
        later = await stream.events(within=0.5)
        await stream.close()
        return first, later

    first, later = run_async(scenario())

    assert first == [{"id": missed.seq, "topics": ["conversation-1"], "counts": {}, "catchUp": True}]
    assert later == [{"id": missed.seq + 2, "topics": ["conversation-2"], "counts": {"inbox-all": 3}, "catchUp": False}]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reconnecting_stream_catches_up_from_its_last_event_id(redis_live, teammate):
    heard = redis_live.publish({"conversation-1"}, {})
    missed = redis_live.publish({"conversation-1"}, {})

    async def scenario(last_event_id: str):
        request = AsyncRequestFactory().get(
            reverse("live-stream"), {"topics": "conversation-1:0"}, headers={"Last-Event-ID": last_event_id}
        )

        async def auser():
            return teammate

        request.auser = auser
        response = await live_views.stream(request)
        stream = Reader(response.streaming_content)
        events = await stream.events(within=0.5)
        await stream.close()
        return response, events

    response, events = run_async(scenario(str(heard.seq)))
    assert response["Content-Type"] == "text/event-stream"
    assert [(event["id"], event["topics"]) for event in events] == [(missed.seq, ["conversation-1"])]

    _, events = run_async(scenario(str(missed.seq)))  # had everything: nothing to catch up on
    assert events == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_stream_that_fell_behind_catches_up_instead_of_losing_changes(redis_live):
    async def scenario():
        stream = live_views.changes({"ticket-1": redis_live.current()})
        assert await anext(stream) == "retry: 2000\n\n"
        for _ in range(150):  # more than a stream's queue holds, while the stream is not read
            await asyncio.to_thread(redis_live.publish, {"ticket-1"}, {})
        await asyncio.sleep(0.3)
        reader = Reader(stream)
        events = await reader.events(within=1)
        await reader.close()
        return events

    events = run_async(scenario())

    assert any(event["catchUp"] for event in events)
    assert events[-1]["id"] == redis_live.current()
    assert [event["id"] for event in events] == sorted({event["id"] for event in events})  # in order, no repeats


def test_pages_render_while_the_live_redis_is_down(settings, teammate_client, caplog):
    settings.LIVE_REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens there

    response = teammate_client.get("/inbox/all/")
    again = teammate_client.get("/inbox/all/")

    assert response.status_code == again.status_code == 200
    assert b'data-live-since="0"' in response.content  # its tab catches up on everything once Redis is back
    assert caplog.text.count("unreachable") == 1  # the next requests do not wait for Redis again
