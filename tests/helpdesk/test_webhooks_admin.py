"""Webhooks in the admin: an endpoint made with its topics, its secret shown, a disabled one flagged, turned on
again; deliveries listed with their outcome and replayed by the change page's button."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from helpdesk.models import DeliveryStatus, OutboxEvent, WebhookDelivery, WebhookEndpoint, WebhookTopic
from helpdesk.webhooks import queue_webhooks
from tests.factories import BackOfficeTicketFactory, TeammateFactory

pytestmark = pytest.mark.django_db


def test_admin_add_endpoint_with_topics(admin_client):
    response = admin_client.post(
        reverse("admin:helpdesk_webhookendpoint_add"),
        {
            "name": "Billing console",
            "url": "https://billing.example/hooks",
            "topics": ["ticket.created"],
            "active": "on",
        },
    )
    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.topics == ["ticket.created"] and endpoint.secret.startswith("whsec_")
    change_page = admin_client.get(reverse("admin:helpdesk_webhookendpoint_change", args=[endpoint.pk]))
    assert endpoint.secret in change_page.content.decode()


def test_admin_endpoint_needs_a_topic_and_a_web_address(admin_client):
    response = admin_client.post(
        reverse("admin:helpdesk_webhookendpoint_add"), {"name": "x", "url": "ftp://files.example/", "topics": []}
    )
    errors = response.context["adminform"].form.errors
    assert "topics" in errors and "url" in errors
    assert not WebhookEndpoint.objects.exists()


def disabled_endpoint() -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        name="Fraud tool",
        url="https://fraud.example/hooks",
        topics=["ticket.created"],
        active=False,
        failing_since=timezone.now(),
        disabled_at=timezone.now(),
        disabled_reason="Disabled after failing since 2026-11-30 10:00 UTC: every delivery since failed.",
    )


def test_admin_changelist_flags_a_disabled_endpoint(admin_client):
    disabled_endpoint()
    response = admin_client.get(reverse("admin:helpdesk_webhookendpoint_changelist"))
    page = response.content.decode()
    assert "Disabled after failing for days: Fraud tool" in page
    assert "Disabled: Disabled after failing since 2026-11-30" in page


def test_admin_turning_a_disabled_endpoint_on_starts_afresh(admin_client):
    endpoint = disabled_endpoint()
    admin_client.post(
        reverse("admin:helpdesk_webhookendpoint_change", args=[endpoint.pk]),
        {"name": endpoint.name, "url": endpoint.url, "topics": endpoint.topics, "active": "on"},
    )
    endpoint.refresh_from_db()
    assert endpoint.active and (endpoint.disabled_at, endpoint.disabled_reason, endpoint.failing_since) == (
        None,
        "",
        None,
    )


def sent_delivery() -> WebhookDelivery:
    WebhookEndpoint.objects.create(name="Console", url="https://c.example/h", topics=[WebhookTopic.TICKET_CREATED])
    row = OutboxEvent.objects.create(kind="TicketCreated", payload={}, done_at=timezone.now())
    [delivery] = queue_webhooks(row=row, topic=WebhookTopic.TICKET_CREATED, data={})
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENT, sent_at=timezone.now())
    return delivery


def test_admin_replay_button_queues_the_delivery_again(admin_client):
    delivery = sent_delivery()
    change_url = reverse("admin:helpdesk_webhookdelivery_change", args=[delivery.pk])
    assert "Replay" in admin_client.get(change_url).content.decode()
    response = admin_client.post(reverse("admin:helpdesk_webhookdelivery_replay", args=[delivery.pk]))
    assert response.status_code == 302 and response["Location"] == change_url
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.QUEUED and delivery.last_error.startswith("Replayed by")
    assert OutboxEvent.objects.filter(kind="WebhookQueued", payload={"delivery_pk": delivery.pk}).count() == 2


def test_admin_replay_is_post_only(admin_client):
    delivery = sent_delivery()
    assert admin_client.get(reverse("admin:helpdesk_webhookdelivery_replay", args=[delivery.pk])).status_code == 405


def test_admin_delivery_list_shows_code_and_timing_in_fixed_queries(
    admin_client, django_assert_max_num_queries, webhook_endpoint, apply_outbox
):
    webhook_endpoint(WebhookTopic.TICKET_CREATED)
    for _ in range(5):
        BackOfficeTicketFactory()
    apply_outbox()
    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("admin:helpdesk_webhookdelivery_changelist"))
    assert response.content.decode().count(">200<") == 5


def test_replay_and_rotation_need_the_change_permission(client):
    """A staff teammate who may only view webhooks sees them, but neither replays a delivery nor rotates a secret."""
    viewer = TeammateFactory()
    viewer.user_permissions.set(
        Permission.objects.filter(codename__in=["view_webhookdelivery", "view_webhookendpoint"])
    )
    client.force_login(viewer)
    delivery = sent_delivery()
    endpoint = WebhookEndpoint.objects.get()
    page = client.get(reverse("admin:helpdesk_webhookdelivery_change", args=[delivery.pk])).content.decode()
    assert "Replay" not in page
    assert client.post(reverse("admin:helpdesk_webhookdelivery_replay", args=[delivery.pk])).status_code == 403
    listed = client.get(reverse("admin:helpdesk_webhookdelivery_changelist")).content.decode()
    assert 'value="replay"' not in listed
    secret = endpoint.secret
    data = {"action": "rotate_secret", "_selected_action": [endpoint.pk]}
    client.post(reverse("admin:helpdesk_webhookendpoint_changelist"), data)
    endpoint.refresh_from_db()
    assert endpoint.secret == secret
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
