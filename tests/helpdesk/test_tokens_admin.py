"""API tokens in the admin: made for a teammate or a new integration account, the key shown once and stored only
as a hash, revoked by an action."""

import pytest
from django.urls import reverse

from helpdesk.models import ApiToken
from helpdesk.tokens import hash_key
from tests.admin_pages import form_errors
from tests.factories import TeammateFactory

pytestmark = pytest.mark.django_db
ADD = reverse("admin:helpdesk_apitoken_add")


def add_token(admin_client, **fields):
    data = {"name": "Billing console", "scopes": ["tickets:read", "tickets:write"], "rate_limit": 600, **fields}
    return admin_client.post(ADD, data)


def test_admin_add_token_shows_the_key_once_and_stores_its_hash(admin_client):
    teammate = TeammateFactory()
    response = add_token(admin_client, teammate=teammate.pk)
    assert response.status_code == 200
    key = response.context["key"]
    assert key.startswith("hdk_") and key in response.content.decode()
    token = ApiToken.objects.get()
    assert token.key_hash == hash_key(key) and token.teammate == teammate
    change_page = admin_client.get(reverse("admin:helpdesk_apitoken_change", args=[token.pk]))
    changelist = admin_client.get(reverse("admin:helpdesk_apitoken_changelist"))
    assert key not in change_page.content.decode() and key not in changelist.content.decode()


def test_admin_key_works_with_the_api(admin_client, client):
    key = add_token(admin_client, teammate=TeammateFactory().pk).context["key"]
    assert client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {key}"}).status_code == 200


def test_admin_add_token_for_a_new_integration_account(admin_client):
    response = add_token(admin_client, integration="Billing console")
    assert response.status_code == 200
    account = ApiToken.objects.get().teammate
    assert account.display_name == "Billing console" and account.is_staff
    assert not account.has_usable_password()


def test_admin_add_token_needs_a_teammate_or_an_integration(admin_client):
    response = add_token(admin_client)
    assert "Choose the teammate the token acts as" in str(form_errors(response))
    assert not ApiToken.objects.exists()


def test_admin_add_token_needs_a_scope(admin_client):
    response = add_token(admin_client, teammate=TeammateFactory().pk, scopes=[])
    assert "scopes" in form_errors(response)
    assert not ApiToken.objects.exists()


def test_admin_revoke_action_refuses_the_token_at_once(admin_client, client):
    key = add_token(admin_client, teammate=TeammateFactory().pk).context["key"]
    token = ApiToken.objects.get()
    admin_client.post(
        reverse("admin:helpdesk_apitoken_changelist"), {"action": "revoke", "_selected_action": [token.pk]}
    )
    assert ApiToken.objects.get().revoked_at is not None
    assert client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_admin_change_token_scopes_keeps_its_key(admin_client, client):
    key = add_token(admin_client, teammate=TeammateFactory().pk).context["key"]
    token = ApiToken.objects.get()
    admin_client.post(
        reverse("admin:helpdesk_apitoken_change", args=[token.pk]),
        {"name": "Renamed", "scopes": ["conversations:read"], "rate_limit": 10},
    )
    token.refresh_from_db()
    assert (token.name, token.scopes, token.key_hash) == ("Renamed", ["conversations:read"], hash_key(key))
    assert client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {key}"}).status_code == 403
