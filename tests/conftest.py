import os
import shutil

import pytest

from tests.factories import ContactFactory, ConversationFactory, TeamFactory, TeammateFactory

# Playwright's sync API runs an asyncio loop in the test thread; Django's ORM refuses to run inside
# one unless told this is safe (it is: the test thread is the only user of its connection).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def teammate(db):
    return TeammateFactory()


@pytest.fixture
def other_teammate(db):
    return TeammateFactory()


@pytest.fixture
def teammate_client(client, teammate):
    client.force_login(teammate)
    return client


@pytest.fixture
def team(db):
    return TeamFactory(name="Billing")


@pytest.fixture
def contact(db):
    return ContactFactory()


@pytest.fixture
def conversation(db, contact):
    return ConversationFactory(contact=contact)
