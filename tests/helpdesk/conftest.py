import pytest

from helpdesk.celery import app
from tests.worker import WorkerProcess


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
