import os
import shutil
import time

import pytest

from helpdesk.celery import app
from tests.factories import ContactFactory, ConversationFactory, TeamFactory, TeammateFactory
from tests.worker import WorkerProcess

# Transactional tests (`django_db(transaction=True)`: threads, the Celery worker, the browser) must also
# pass `serialized_rollback=True`: the flush after them would otherwise drop the rows the migrations
# create (the default ticket states) and the next test would find none.

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


@pytest.fixture
def apply_outbox(db, django_capture_on_commit_callbacks):
    """Apply every pending outbox event, oldest first, as the Celery worker would (plain function calls), and then
    make the webhook deliveries' attempts that are due, as its send_webhook_delivery tasks would.

    Events recorded by the handlers themselves (a state change after a customer reply) are applied too, and what
    each one's transaction does once committed (a live publication) is done, as its commit would. Returns the ids
    applied.
    """
    from helpdesk.models import DeliveryStatus, OutboxEvent, WebhookDelivery
    from helpdesk.outbox import apply_event
    from helpdesk.webhooks import deliver_webhook

    def apply() -> list[int]:
        applied: list[int] = []
        for _ in range(10):  # bounded: a handler that keeps recording events is a bug to surface, not to loop on
            pending = list(
                OutboxEvent.objects.filter(done_at__isnull=True)
                .exclude(pk__in=applied)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            if not pending:
                for delivery_pk in WebhookDelivery.objects.filter(status=DeliveryStatus.QUEUED).values_list("pk"):
                    deliver_webhook(delivery_pk=delivery_pk[0])
                return applied
            for event_id in pending:
                with django_capture_on_commit_callbacks(execute=True):
                    apply_event(event_id)
                applied.append(event_id)
        raise AssertionError("Outbox events keep being recorded while applying them.")

    return apply


@pytest.fixture(scope="session", autouse=True)
def attachments_folder(tmp_path_factory):
    """Attachments go to a folder of the test run's own, never to var/attachments/. For the whole session, so
    that module-scoped worlds (the customer leak sweep) store theirs there too."""
    from django.conf import settings
    from django.test import override_settings

    folder = tmp_path_factory.mktemp("attachments")
    storage = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(folder)}}
    with override_settings(STORAGES={**settings.STORAGES, "attachments": storage}):
        yield folder


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """MD5 instead of PBKDF2: each TeammateFactory otherwise spends about 0.3 s hashing its password."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real `celery worker` process consuming from the real Redis, writing to the test database."""
    if not app.conf.broker_url.startswith("redis://"):
        pytest.fail("Worker tests need CELERY_BROKER_URL to point at Redis (make test starts one).")
    app.control.purge()  # messages left by an earlier run name events of another database
    worker = WorkerProcess(tmp_path_factory.mktemp("worker") / "worker.log")
    with django_db_blocker.unblock():
        worker.start()
    yield worker
    worker.stop()


@pytest.fixture
def worker(celery_worker_process, transactional_db):
    """The module's worker, for one test: after the test, and before the database is flushed, it is given time to
    finish what it is applying (a task applies any pending event it finds), so that the flush does not deadlock
    with its transaction."""
    from helpdesk.models import OutboxEvent

    yield celery_worker_process
    deadline = time.monotonic() + 10
    while OutboxEvent.objects.filter(done_at__isnull=True, attempts=0).exists() and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.fixture
def make_api_client(db):
    """`make(teammate, *scopes)`: a test client of the JSON API whose requests carry a new token acting as that
    teammate, with these scopes (every scope when none is given). The token is the client's `token`."""
    from django.test import Client

    from helpdesk.models import ApiScope
    from helpdesk.tokens import create_api_token

    def make(teammate, *scopes: str, rate_limit: int = 600) -> Client:
        made = create_api_token(
            actor=None,
            teammate_id=teammate.pk,
            name="Test",
            scopes=list(scopes or ApiScope.values),
            rate_limit=rate_limit,
        )
        client = Client(headers={"Authorization": f"Bearer {made.key}"})
        client.token = made.token  # type: ignore[attr-defined]
        return client

    return make


@pytest.fixture
def api_client(make_api_client, teammate):
    """A client of the JSON API acting as `teammate`, with every scope."""
    return make_api_client(teammate)


@pytest.fixture
def webhook_receiver():
    """A real HTTP receiver on 127.0.0.1 that verifies signatures (tests/webhook_receiver.py)."""
    from tests.webhook_receiver import Receiver, serve

    receiver = Receiver()
    server = serve(receiver)
    yield receiver
    server.shutdown()


@pytest.fixture
def webhook_endpoint(db, webhook_receiver):
    """`make(*topics)`: an active endpoint at the receiver, subscribed to these topics (every one when none is
    given); the receiver verifies with its secret."""
    from helpdesk.models import WebhookEndpoint, WebhookTopic

    def make(*topics: str) -> WebhookEndpoint:
        endpoint = WebhookEndpoint.objects.create(
            name="Billing console", url=webhook_receiver.url, topics=list(topics or WebhookTopic.values)
        )
        webhook_receiver.secret = endpoint.secret
        return endpoint

    return make
