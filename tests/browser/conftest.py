import socket
import threading
import time

import pytest
from playwright.sync_api import expect


@pytest.fixture(scope="session")
def _django_connections():
    """The test run's database connections, taken before Playwright starts its event loop."""
    from django.db import connections

    return {alias: connections[alias] for alias in connections}


@pytest.fixture(scope="session")
def playwright(_django_connections, playwright):
    """pytest-playwright's `playwright`, with Django's connections kept the same once its loop runs.

    Playwright's sync API leaves an asyncio loop running in the test thread (driven from a greenlet)
    for the rest of the session. Django keeps connections in a thread-critical asgiref Local, which
    then stores them per context instead of per thread: without this, every later test would get
    fresh connection objects, without the test database's serialized contents, so serialized_rollback
    would silently restore nothing (the worker tests then found no default ticket states).
    """
    from django.db import connections

    for alias, connection in _django_connections.items():
        connections[alias] = connection
    yield playwright


class AsgiLiveServer:
    """pytest-django's `live_server`, served by uvicorn (in a thread) through Django's ASGI application, as
    production serves the live streams: a server-sent-events stream is an async view, which a WSGI server would
    read to its end before answering. Static files come through Django's finders, as in the live_server."""

    def __init__(self) -> None:
        import uvicorn
        from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
        from django.core.asgi import get_asgi_application
        from django.test.utils import modify_settings

        listening = socket.socket()
        listening.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{listening.getsockname()[1]}"
        app = ASGIStaticFilesHandler(get_asgi_application())
        self.server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [listening]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        # Enabled and disabled around each test by pytest-django's `_live_server_helper`.
        self._live_server_modified_settings = modify_settings(ALLOWED_HOSTS={"append": "127.0.0.1"})

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(_django_connections):
    server = AsgiLiveServer()
    yield server
    server.stop()


VIEWPORT = {"width": 1440, "height": 900}
BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.fixture
def open_as(live_server, new_context):
    """Open `path` as `teammate` in a browser context of their own (their own cookies), as two people would.

    Signs in through a session made by `force_login` (the login form has its own test). The page gets a
    `window.__same_document` marker: still there later, it proves that no full page load happened since.
    """
    from django.conf import settings
    from django.test import Client

    def open_page(teammate, path: str):
        client = Client()
        client.force_login(teammate)
        context = new_context(viewport=VIEWPORT, base_url=live_server.url)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
        context.set_default_timeout(5_000)  # a missing element fails fast; `expect` has its own timeouts
        page = context.new_page()
        page.goto(path)
        page.evaluate("window.__same_document = true")
        return page

    return open_page


@pytest.fixture(scope="session")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()  # axe-core's script ships inside the package: nothing is fetched at run time


def axe_violations(axe, page, *, impacts: set[str] | None = None) -> list[str]:
    """axe-core's violations on the page as it is now (of `impacts`, or all), as readable lines. Waits for htmx
    to settle; axe-core is injected once per document, not per check as `axe.run` does (half these tests' time)."""
    expect(page.locator(".htmx-request, .htmx-settling, .htmx-swapping")).to_have_count(0)
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe.axe_script)
    found = page.evaluate("axe.run(document, {resultTypes: ['violations']}).then((results) => results.violations)")
    return [
        f"{violation['id']} ({violation['impact']}) at {node['target']}: {node['html'][:160]}"
        for violation in found
        if impacts is None or violation["impact"] in impacts
        for node in violation["nodes"]
    ]


@pytest.fixture
def blocking_violations(axe):
    """axe-core's serious and critical violations on the page as it is now, as readable lines."""
    return lambda page: axe_violations(axe, page, impacts=BLOCKING_IMPACTS)


@pytest.fixture
def violations(axe):
    """Every axe-core violation on the page as it is now, whatever its impact. The landmark rules a lost <main>
    broke (landmark-one-main, region, skip-link) are all "moderate": `blocking_violations` did not see them."""
    return lambda page: axe_violations(axe, page)


def pick(scope, label: str, typed: str, name: str) -> None:
    """Choose `name` in the search picker labelled `label` (static/js/app.js), as a person would: into its box, type
    part of the name, click the option that comes."""
    scope.locator(".ts-wrapper", has=scope.page.get_by_role("combobox", name=label)).click()
    scope.page.keyboard.type(typed)
    scope.get_by_role("listbox", name=label).get_by_role("option", name=name).click()
