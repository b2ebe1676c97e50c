"""The webhook drill: a real HTTP receiver verifies every signature and counts deliveries while the worker is
SIGKILLed in the middle of sending and the broker is unreachable: every event arrives, and an event that arrives
twice does so with the same delivery id (receivers dedupe by it), never as two deliveries."""

from datetime import timedelta

import pytest

from helpdesk.models import WebhookDelivery, WebhookTopic
from helpdesk.tasks import retry_due_webhooks, sweep_outbox
from tests.factories import BackOfficeTicketFactory, TeammateFactory
from tests.worker import broker_unreachable, wait_for
from tickets import actions

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
NOTES = 10  # before the kill, and again while the broker is unreachable


def test_every_webhook_arrives_once_per_delivery_id_through_a_kill_and_a_broker_outage(
    worker, webhook_endpoint, webhook_receiver, settings
):
    webhook_endpoint(WebhookTopic.TICKET_NOTE_CREATED)
    webhook_receiver.delay = 0.2  # the worker is inside a POST most of the time: the kill lands mid-send
    ticket, author = BackOfficeTicketFactory(), TeammateFactory()
    parts = [actions.post_ticket_note(actor=author, ticket_id=ticket.pk, body=f"Before {n}") for n in range(NOTES)]
    wait_for(lambda: len(webhook_receiver.received) >= 3)
    worker.kill()
    with broker_unreachable():  # written, committed, never enqueued: the sweep has to find them
        parts += [actions.post_ticket_note(actor=author, ticket_id=ticket.pk, body=f"During {n}") for n in range(NOTES)]
    worker.start()
    settings.OUTBOX_SWEEP_AFTER = timedelta(0)

    def delivered() -> bool:
        sweep_outbox()  # as the beat does: the events, then the deliveries whose lease or task was lost
        retry_due_webhooks()
        return WebhookDelivery.objects.filter(status="sent").count() == len(parts)

    wait_for(delivered, timeout=60, interval=1.0)
    deliveries = dict(WebhookDelivery.objects.values_list("delivery_id", "event__payload__part_id"))
    arrived = webhook_receiver.by_delivery_id()
    assert webhook_receiver.all_valid()
    assert set(arrived) == {str(delivery_id) for delivery_id in deliveries}  # nothing else, nothing missing
    assert sorted(deliveries.values()) == sorted(part.pk for part in parts)  # one delivery per note
    bodies: dict[str, set[str]] = {}
    for item in webhook_receiver.received:
        bodies.setdefault(item.headers["Webhook-Id"], set()).add(item.body)
    assert all(len(seen) == 1 for seen in bodies.values())  # a duplicate is the same delivery, byte for byte
