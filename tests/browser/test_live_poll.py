"""Live updates without Redis (`make run`'s embedded default): tabs poll for their own topics, with the same outcome
as the push (tests/browser/test_live.py). A module of its own: no Celery worker may run here, as one started for
the push tests would apply the outbox itself, with its own settings (publishing to Redis)."""

import pytest
from playwright.sync_api import expect

from inbox.actions import post_note
from tests.browser.test_live import LIVE, WATCH
from tests.factories import ConversationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_without_redis_tabs_poll_for_their_own_topics(settings, apply_outbox, open_as, teammate, other_teammate):
    settings.LIVE_REDIS_URL = ""  # make run's embedded default: publications kept in the database, polled
    settings.LIVE_POLL_SECONDS = 0.3
    shown = ConversationFactory(subject="Charged twice")
    elsewhere = ConversationFactory(assignee=other_teammate, subject="Where is my parcel")
    reader = open_as(teammate, f"/inbox/all/{shown.pk}/")
    bystander = open_as(other_teammate, f"/inbox/mine/{elsewhere.pk}/")
    for page in (reader, bystander):
        expect(page.locator("#live")).to_have_attribute("data-push", "0")
        page.evaluate(WATCH)

    post_note(actor=other_teammate, conversation_id=shown.pk, body="Polled into view.")
    apply_outbox()

    expect(reader.locator("#conversation-timeline")).to_contain_text("Polled into view.", timeout=LIVE)
    bystander.wait_for_timeout(1_000)  # three polls
    assert bystander.evaluate("window.__heard") == []
    assert bystander.evaluate("window.__fetched") == []
