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
