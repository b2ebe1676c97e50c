import pytest


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


@pytest.fixture
def blocking_violations(axe):
    """axe-core's serious and critical violations on the page as it is now, as readable lines."""

    def check(page) -> list[str]:
        results = axe.run(page)
        return [
            f"{violation['id']} ({violation['impact']}) at {node['target']}: {node['html'][:160]}"
            for violation in results.response["violations"]
            if violation["impact"] in BLOCKING_IMPACTS
            for node in violation["nodes"]
        ]

    return check
