"""Signed webhooks (helpdesk/webhooks.py): what is sent, to whom, signed how; exactly one delivery per endpoint and
event; retries with backoff for 24 hours; endpoints failing for days disabled; replays with the same id and body.
Every delivery goes to a real HTTP receiver that verifies its signature."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from helpdesk import outbox, webhooks
from helpdesk.models import DeliveryStatus, OutboxEvent, WebhookDelivery, WebhookEndpoint, WebhookTopic
from helpdesk.webhooks import sign, verify
from inbox import actions as inbox_actions
from tests.factories import BackOfficeTicketFactory, ContactFactory, TeammateFactory, state
from tickets import actions
from tickets.api import ticket_part_payload, ticket_payload
from tickets.models import StateCategory

pytestmark = pytest.mark.django_db
SECRET = "whsec_test"


def signed_headers(body: str, *, timestamp: int | None = None, secret: str = SECRET) -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {"Webhook-Timestamp": str(timestamp), "Webhook-Signature": sign(secret, timestamp, body)}


def test_verify_accepts_the_signature_of_the_body_and_timestamp():
    assert verify(SECRET, signed_headers('{"a": 1}'), '{"a": 1}')


@pytest.mark.parametrize(
    "headers, body",
    [
        (signed_headers('{"a": 1}'), '{"a": 2}'),  # another body
        (signed_headers('{"a": 1}', secret="whsec_other"), '{"a": 1}'),  # another secret
        (signed_headers('{"a": 1}', timestamp=int(time.time()) - 600), '{"a": 1}'),  # ten minutes old
        ({"Webhook-Signature": sign(SECRET, 1, '{"a": 1}')}, '{"a": 1}'),  # no timestamp
    ],
)
def test_verify_refuses_tampered_or_old_requests(headers, body):
    assert not verify(SECRET, headers, body)


def test_verify_takes_header_names_in_any_case_and_any_of_several_signatures():
    headers = signed_headers('{"a": 1}')
    lower = {name.lower(): value for name, value in headers.items()}
    assert verify(SECRET, lower, '{"a": 1}')
    rotating = {**headers, "Webhook-Signature": f"{sign('whsec_old', 1, 'x')} {headers['Webhook-Signature']}"}
    assert verify(SECRET, rotating, '{"a": 1}')


def test_verify_refuses_a_forged_non_ascii_signature_without_raising():
    headers = {**signed_headers('{"a": 1}'), "Webhook-Signature": "v1=ünïcode"}
    assert verify(SECRET, headers, '{"a": 1}') is False


def test_verify_takes_its_tolerance():
    old = signed_headers('{"a": 1}', timestamp=int(time.time()) - 600)
    assert not verify(SECRET, old, '{"a": 1}')
    assert verify(SECRET, old, '{"a": 1}', tolerance=900)


def test_a_redirect_is_a_failure_never_followed(webhook_endpoint, webhook_receiver, apply_outbox):
    webhook_receiver.location = "http://127.0.0.1:9/internal"
    delivery = failing_delivery(webhook_endpoint, webhook_receiver, apply_outbox, 302)
    assert delivery.status == DeliveryStatus.QUEUED and delivery.response_code == 302
    assert delivery.last_error == "HTTP 302 redirect to http://127.0.0.1:9/internal (not followed)"
    assert len(webhook_receiver.received) == 1  # the POST went to the endpoint only


def test_a_refusal_keeps_the_start_of_what_the_receiver_said(webhook_endpoint, webhook_receiver, apply_outbox):
    webhook_receiver.answer = b"Unknown signing key. " * 100
    delivery = failing_delivery(webhook_endpoint, webhook_receiver, apply_outbox, 401)
    assert delivery.last_error.startswith("HTTP 401: Unknown signing key.")
    assert len(delivery.last_error) <= len("HTTP 401: ") + webhooks.ERROR_BODY_BYTES


def test_a_success_is_not_read(webhook_endpoint, webhook_receiver, apply_outbox):
    webhook_receiver.answer, webhook_receiver.claimed_length = b"x" * 1000, 10**9  # a body that would never end
    webhook_endpoint(WebhookTopic.TICKET_CREATED)
    BackOfficeTicketFactory()
    apply_outbox()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.response_code, delivery.last_error) == (DeliveryStatus.SENT, 200, "")


def test_ticket_created_is_delivered_signed_with_the_api_shape(webhook_endpoint, webhook_receiver, apply_outbox):
    webhook_endpoint(WebhookTopic.TICKET_CREATED)
    ticket = BackOfficeTicketFactory()
    apply_outbox()
    [received] = webhook_receiver.received
    assert received.valid
    assert received.payload["topic"] == "ticket.created"
    assert received.payload["data"] == {"ticket": ticket_payload(ticket.pk)}
    delivery = WebhookDelivery.objects.get()
    assert received.headers["Webhook-Id"] == received.payload["id"] == str(delivery.delivery_id)
    assert (delivery.status, delivery.response_code, delivery.attempts) == (DeliveryStatus.SENT, 200, 1)
    assert delivery.response_ms is not None and delivery.sent_at is not None


def test_note_is_delivered_with_its_part(webhook_endpoint, webhook_receiver, apply_outbox):
    ticket = BackOfficeTicketFactory()
    apply_outbox()
    webhook_endpoint(WebhookTopic.TICKET_NOTE_CREATED)
    part = actions.post_ticket_note(actor=TeammateFactory(), ticket_id=ticket.pk, body="Refund sent", cross_post=True)
    apply_outbox()
    [received] = webhook_receiver.received
    assert received.payload["data"]["part"] == ticket_part_payload(part.pk)


def test_state_change_says_from_and_to(webhook_endpoint, webhook_receiver, apply_outbox):
    ticket = BackOfficeTicketFactory()
    webhook_endpoint(WebhookTopic.TICKET_STATE_CHANGED)
    resolved = state(StateCategory.RESOLVED)
    actions.change_ticket_state(actor=TeammateFactory(), ticket_id=ticket.pk, state_id=resolved.pk)
    apply_outbox()
    [received] = webhook_receiver.received
    data = received.payload["data"]
    assert (data["from_state_id"], data["to_state_id"]) == (ticket.state_id, resolved.pk)
    assert data["ticket"]["state"]["id"] == resolved.pk


def test_conversation_created_is_delivered(webhook_endpoint, webhook_receiver, apply_outbox):
    webhook_endpoint(WebhookTopic.CONVERSATION_CREATED)
    conversation = inbox_actions.start_conversation(contact_id=ContactFactory().pk, subject="Hi", body="Help")
    apply_outbox()
    [received] = webhook_receiver.received
    assert received.payload["data"]["conversation"]["id"] == conversation.pk
    assert received.payload["data"]["part"]["body"] == "Help"


def test_endpoints_get_only_the_topics_they_chose(webhook_endpoint, webhook_receiver, apply_outbox):
    webhook_endpoint(WebhookTopic.CONVERSATION_CLOSED)
    BackOfficeTicketFactory()
    apply_outbox()
    assert webhook_receiver.received == [] and not WebhookDelivery.objects.exists()


def test_inactive_endpoint_gets_nothing(webhook_endpoint, webhook_receiver, apply_outbox):
    endpoint = webhook_endpoint()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=False)
    BackOfficeTicketFactory()
    apply_outbox()
    assert webhook_receiver.received == [] and not WebhookDelivery.objects.exists()


def test_queue_is_once_per_endpoint_and_event(webhook_endpoint):
    webhook_endpoint(WebhookTopic.TICKET_CREATED)
    row = OutboxEvent.objects.create(kind="TicketCreated", payload={}, done_at=timezone.now())
    for _ in range(2):
        webhooks.queue_webhooks(row=row, topic=WebhookTopic.TICKET_CREATED, data={})
    assert WebhookDelivery.objects.count() == 1


def test_delivery_is_enqueued_only_after_commit(webhook_endpoint, django_capture_on_commit_callbacks):
    webhook_endpoint(WebhookTopic.TICKET_CREATED)
    row = OutboxEvent.objects.create(kind="TicketCreated", payload={}, done_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        webhooks.queue_webhooks(row=row, topic=WebhookTopic.TICKET_CREATED, data={})
        assert WebhookDelivery.objects.get().attempts == 0
    assert len(callbacks) == 1


def failing_delivery(webhook_endpoint, webhook_receiver, apply_outbox, *statuses: int) -> WebhookDelivery:
    webhook_endpoint(WebhookTopic.TICKET_CREATED)
    webhook_receiver.statuses = list(statuses)
    BackOfficeTicketFactory()
    apply_outbox()
    return WebhookDelivery.objects.get()


def test_failed_attempt_is_retried_with_backoff_and_the_same_id(webhook_endpoint, webhook_receiver, apply_outbox):
    delivery = failing_delivery(webhook_endpoint, webhook_receiver, apply_outbox, 500)
    assert (delivery.status, delivery.response_code, delivery.last_error) == (DeliveryStatus.QUEUED, 500, "HTTP 500")
    assert timedelta(seconds=25) < delivery.next_attempt_at - timezone.now() <= timedelta(seconds=30)
    assert webhooks.retry_due_webhooks() == 0  # not due yet
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    assert webhooks.retry_due_webhooks() == 1
    apply_outbox()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    first, second = webhook_receiver.received
    assert first.headers["Webhook-Id"] == second.headers["Webhook-Id"] and first.body == second.body
    assert second.valid


def test_backoff_doubles(webhook_endpoint, webhook_receiver, apply_outbox):
    delivery = failing_delivery(webhook_endpoint, webhook_receiver, apply_outbox, 500, 500)
    first_wait = delivery.next_attempt_at - timezone.now()
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    webhooks.retry_due_webhooks()
    apply_outbox()
    delivery.refresh_from_db()
    assert delivery.next_attempt_at - timezone.now() > first_wait + timedelta(seconds=25)


def test_slow_receiver_is_a_timeout_tried_again(webhook_endpoint, webhook_receiver, apply_outbox, settings):
    settings.WEBHOOK_TIMEOUT = 0.2
    webhook_receiver.delay = 1.0
    delivery = failing_delivery(webhook_endpoint, webhook_receiver, apply_outbox)
    assert delivery.status == DeliveryStatus.QUEUED and "Timeout" in delivery.last_error
    assert delivery.response_code is None


def test_delivery_failing_for_24_hours_fails_for_good(webhook_endpoint, webhook_receiver, apply_outbox):
    delivery = failing_delivery(webhook_endpoint, webhook_receiver, apply_outbox, 500, 503)
    WebhookDelivery.objects.update(created_at=timezone.now() - timedelta(hours=24), next_attempt_at=timezone.now())
    webhooks.retry_due_webhooks()
    apply_outbox()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error, delivery.next_attempt_at) == (DeliveryStatus.FAILED, "HTTP 503", None)


def test_endpoint_failing_for_days_is_disabled_with_the_reason(webhook_endpoint, webhook_receiver, apply_outbox):
    failing_delivery(webhook_endpoint, webhook_receiver, apply_outbox, 500, 500)
    WebhookEndpoint.objects.update(failing_since=timezone.now() - timedelta(days=4))
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    webhooks.retry_due_webhooks()
    apply_outbox()
    endpoint = WebhookEndpoint.objects.get()
    assert not endpoint.active and endpoint.disabled_at is not None
    assert "Disabled after failing since" in endpoint.disabled_reason
    assert WebhookDelivery.objects.get().status == DeliveryStatus.FAILED


def test_success_clears_failing_since(webhook_endpoint, webhook_receiver, apply_outbox):
    failing_delivery(webhook_endpoint, webhook_receiver, apply_outbox, 500)
    assert WebhookEndpoint.objects.get().failing_since is not None
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    webhooks.retry_due_webhooks()
    apply_outbox()
    assert WebhookEndpoint.objects.get().failing_since is None


def test_replay_sends_the_same_delivery_again(webhook_endpoint, webhook_receiver, apply_outbox):
    webhook_endpoint(WebhookTopic.TICKET_CREATED)
    BackOfficeTicketFactory()
    apply_outbox()
    delivery = WebhookDelivery.objects.get()
    webhooks.replay_webhook(actor=TeammateFactory(), delivery_pk=delivery.pk)
    apply_outbox()
    first, again = webhook_receiver.received
    assert (first.headers["Webhook-Id"], first.body) == (again.headers["Webhook-Id"], again.body)
    assert again.valid and again.headers["Webhook-Timestamp"] >= first.headers["Webhook-Timestamp"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)


def test_replay_of_a_queued_delivery_is_refused(webhook_endpoint, webhook_receiver, apply_outbox):
    from helpdesk.errors import InvalidInput

    delivery = failing_delivery(webhook_endpoint, webhook_receiver, apply_outbox, 500)
    with pytest.raises(InvalidInput):
        webhooks.replay_webhook(actor=TeammateFactory(), delivery_pk=delivery.pk)


def test_rotated_secret_signs_the_next_deliveries(webhook_endpoint, webhook_receiver, apply_outbox):
    endpoint = webhook_endpoint(WebhookTopic.TICKET_CREATED)
    rotated = webhooks.rotate_webhook_secret(endpoint_id=endpoint.pk)
    assert rotated.secret != endpoint.secret
    webhook_receiver.secret = rotated.secret
    BackOfficeTicketFactory()
    apply_outbox()
    assert webhook_receiver.all_valid() and len(webhook_receiver.received) == 1


def readme_verify():
    """The `verify` of the README's webhook section, as a receiver would copy it."""
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme.split("### Webhooks", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(code, namespace)
    return namespace["verify"]


def test_readme_snippet_verifies_a_real_delivery(webhook_endpoint, webhook_receiver, apply_outbox):
    endpoint = webhook_endpoint(WebhookTopic.TICKET_CREATED)
    BackOfficeTicketFactory()
    apply_outbox()
    [received] = webhook_receiver.received
    verify_as_in_readme = readme_verify()
    assert verify_as_in_readme(endpoint.secret, received.headers, received.body)
    assert not verify_as_in_readme(endpoint.secret, received.headers, received.body + " ")
    assert not verify_as_in_readme("whsec_other", received.headers, received.body)


def test_the_outbox_handler_only_hands_the_post_to_its_own_task(webhook_endpoint, webhook_receiver):
    """The outbox applies the delivery's event without sending it: the POST is the task's, after the commit."""
    webhook_endpoint(WebhookTopic.TICKET_CREATED)
    BackOfficeTicketFactory()
    for _ in range(3):  # the ticket's events, then the delivery's own
        outbox.apply_events(list(OutboxEvent.objects.filter(done_at__isnull=True).values_list("pk", flat=True)))
    assert not OutboxEvent.objects.filter(done_at__isnull=True).exists()
    assert webhook_receiver.received == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.QUEUED
    assert webhooks.deliver_webhook(delivery_pk=delivery.pk).status == DeliveryStatus.SENT
    assert len(webhook_receiver.received) == 1


def test_a_delivery_taken_by_one_task_is_not_sent_by_another(webhook_endpoint, webhook_receiver):
    webhook_endpoint(WebhookTopic.TICKET_CREATED)
    delivery = queued_delivery()
    assert webhooks.claim(delivery.pk, now=timezone.now()) is not None
    assert webhooks.deliver_webhook(delivery_pk=delivery.pk).status == DeliveryStatus.QUEUED  # taken: left alone
    assert webhook_receiver.received == []
    assert webhooks.retry_due_webhooks() == 0  # its lease runs


def test_a_lease_that_expired_mid_send_is_queued_again_and_the_late_outcome_ignored(webhook_endpoint, webhook_receiver):
    webhook_endpoint(WebhookTopic.TICKET_CREATED)
    delivery = queued_delivery()
    first = webhooks.claim(delivery.pk, now=timezone.now() - timedelta(minutes=5))  # a worker that died sending
    assert webhooks.retry_due_webhooks() == 1
    assert webhooks.deliver_webhook(delivery_pk=delivery.pk).status == DeliveryStatus.SENT
    first.attempts += 1
    late = webhooks.record_attempt(first, error="HTTP 500")  # the first attempt's outcome, after all
    assert (late.status, late.attempts, late.last_error) == (DeliveryStatus.SENT, 1, "")
    assert len(webhook_receiver.received) == 1


def test_a_delivery_never_taken_is_queued_again(webhook_endpoint, settings):
    webhook_endpoint(WebhookTopic.TICKET_CREATED)
    delivery = queued_delivery()
    assert webhooks.retry_due_webhooks() == 0  # just made: its task is on its way
    WebhookDelivery.objects.filter(pk=delivery.pk).update(created_at=timezone.now() - settings.OUTBOX_SWEEP_AFTER * 2)
    assert webhooks.retry_due_webhooks() == 1  # its task was lost with the broker


def queued_delivery() -> WebhookDelivery:
    BackOfficeTicketFactory()
    for _ in range(2):
        outbox.apply_events(list(OutboxEvent.objects.filter(done_at__isnull=True).values_list("pk", flat=True)))
    return WebhookDelivery.objects.get()
