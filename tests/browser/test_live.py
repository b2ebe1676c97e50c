"""Live updates in the browser (issue 12, "Done when"): a change in one teammate's tab reaches a second tab that
shows it, without a reload, through the real worker, Redis pub/sub and the server-sent-events stream of an ASGI
server; a third tab that does not show it receives nothing at all; a tab whose connection dropped catches up when
it is back. Without Redis: tests/browser/test_live_poll.py."""

import socket
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from playwright.sync_api import expect

from tests.factories import ConversationFactory, PartFactory, TeammateFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LIVE = 3_000  # ms, from one teammate's action to another's screen

# What a tab's server asked it to do, from here on: each `change` it heard (with the topics), each region it fetched.
WATCH = """() => {
    window.__heard = [];
    window.__fetched = [];
    const fetched = (event) => window.__fetched.push(event.detail.pathInfo.requestPath);
    document.body.addEventListener("htmx:beforeRequest", fetched);
    document.body.addEventListener("live", (event) => window.__heard.push(event.target.id));
}"""


def post_note_from(page, body: str) -> None:
    page.locator("#composer").get_by_text("Note", exact=True).click()
    composer = page.locator("#composer [data-composer]")
    composer.fill(body)
    composer.press("Control+Enter")
    expect(page.locator("#conversation-timeline .part-note")).to_contain_text(body)


def since(page) -> int:
    return int(page.locator("#live").get_attribute("data-since"))


@pytest.fixture
def three_tabs(open_as, teammate, other_teammate):
    """Two teammates on one unassigned conversation, a third on another conversation of their own."""
    third = TeammateFactory(first_name="Third")
    shown = ConversationFactory(subject="Charged twice")
    PartFactory(conversation=shown, body="I was charged twice for order 1042.")
    elsewhere = ConversationFactory(assignee=third, subject="Where is my parcel")
    writer = open_as(teammate, f"/inbox/all/{shown.pk}/")
    reader = open_as(other_teammate, f"/inbox/unassigned/{shown.pk}/")
    bystander = open_as(third, f"/inbox/mine/{elsewhere.pk}/")
    for page in (writer, reader, bystander):
        page.evaluate(WATCH)
    return writer, reader, bystander, shown


@pytest.mark.worker
def test_a_change_reaches_the_tab_that_shows_it_and_no_other(worker, three_tabs):
    writer, reader, bystander, _ = three_tabs
    bystander_since = since(bystander)

    post_note_from(writer, "Refund approved by billing.")

    expect(reader.locator("#conversation-timeline")).to_contain_text("Refund approved by billing.", timeout=LIVE)
    reader.wait_for_function("window.__heard.includes('conversation-list')", timeout=LIVE)  # it reorders the list
    assert reader.evaluate("window.__same_document") is True
    assert "conversation-timeline" in reader.evaluate("window.__heard")
    bystander.wait_for_timeout(500)  # longer than the reader took: anything meant for the bystander has come
    assert bystander.evaluate("window.__heard") == []
    assert bystander.evaluate("window.__fetched") == []
    assert since(bystander) == bystander_since


@pytest.mark.worker
def test_a_dropped_connection_catches_up_on_reconnect(worker, three_tabs):
    writer, reader, _, _ = three_tabs
    reader.context.set_offline(True)

    post_note_from(writer, "Sent while the reader was away.")
    worker.drain()  # the worker published it
    reader.wait_for_timeout(500)  # the reader, offline, heard nothing
    expect(reader.locator("#conversation-timeline")).not_to_contain_text("Sent while the reader was away.")

    reader.context.set_offline(False)

    expect(reader.locator("#conversation-timeline")).to_contain_text("Sent while the reader was away.", timeout=LIVE)
    assert reader.evaluate("window.__same_document") is True


def open_streams(url: str, cookie: str, count: int) -> list[socket.socket]:
    """`count` tabs' streams, each read up to its first line (the stream is open, its access checked)."""
    host, port = urlsplit(url).hostname, urlsplit(url).port
    streams = []
    for n in range(count):
        stream = socket.create_connection((host, port), timeout=5)
        stream.sendall(
            f"GET /live/stream/?topics=conversation-{n + 1}:0 HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\n"
            "Accept: text/event-stream\r\n\r\n".encode()
        )
        assert stream.recv(4096).startswith(b"HTTP/1.1 200")
        streams.append(stream)
    return streams


def database_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


def test_open_streams_hold_no_database_connection(live_server, teammate):
    """Fifty teammates' tabs waiting for changes: no connection each, or PostgreSQL runs out (max_connections)."""
    client = Client()
    client.force_login(teammate)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    open_streams(live_server.url, cookie, 1)  # the server's own connections, made once
    before = database_connections()

    streams = open_streams(live_server.url, cookie, 50)

    assert database_connections() - before < 5
    for stream in streams:
        stream.close()
