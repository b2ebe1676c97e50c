"""The JSON API's machinery: tokens (hashed, scoped, revocable, rate-limited), the one error shape, idempotency keys,
the OpenAPI description and docs page."""

import hashlib
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from helpdesk.models import ApiScope, ApiToken, IdempotencyKey
from helpdesk.tokens import create_api_token, revoke_api_tokens
from tests.concurrency import run_at_once
from tests.factories import ConversationFactory, TeammateFactory, TicketTypeFactory
from tickets.models import Ticket


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def test_token_is_stored_only_as_its_hash(teammate):
    made = create_api_token(actor=None, teammate_id=teammate.pk, name="Billing console", scopes=["tickets:read"])
    row = ApiToken.objects.get(pk=made.token.pk)
    assert row.key_hash == hashlib.sha256(made.key.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM helpdesk_apitoken")
        assert not any(made.key in str(value) for value in cursor.fetchone())


def test_token_refuses_unknown_scopes(teammate):
    from helpdesk.errors import InvalidInput

    with pytest.raises(InvalidInput):
        create_api_token(actor=None, teammate_id=teammate.pk, name="x", scopes=["tickets:delete"])


def test_api_without_token_is_401_in_the_error_shape(client, db):
    response = client.get("/api/v1/tickets")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert error_of(response)["code"] == "unauthorized"


def test_api_with_unknown_token_is_401(client, db):
    response = client.get("/api/v1/tickets", headers={"Authorization": "Bearer hdk_not-a-token"})
    assert response.status_code == 401


def test_api_revoked_token_is_401(api_client):
    assert api_client.get("/api/v1/tickets").status_code == 200
    revoke_api_tokens(token_ids=[api_client.token.pk])
    assert api_client.get("/api/v1/tickets").status_code == 401


def test_api_token_of_teammate_without_staff_status_is_401(api_client, teammate):
    teammate.is_staff = False
    teammate.save(update_fields=["is_staff"])
    assert api_client.get("/api/v1/tickets").status_code == 401


def test_api_missing_scope_is_403_naming_it(make_api_client, teammate):
    reader = make_api_client(teammate, ApiScope.TICKETS_READ)
    response = reader.post("/api/v1/tickets", {}, content_type="application/json")
    assert response.status_code == 403
    error = error_of(response)
    assert error["code"] == "insufficient_scope" and "tickets:write" in error["message"]


def test_api_write_scope_includes_reading_its_family(make_api_client, teammate):
    writer = make_api_client(teammate, ApiScope.TICKETS_WRITE)
    assert writer.get("/api/v1/tickets").status_code == 200
    assert writer.get("/api/v1/conversations").status_code == 403


def test_api_request_records_last_use(api_client):
    assert ApiToken.objects.get(pk=api_client.token.pk).last_used_at is None
    api_client.get("/api/v1/tickets")
    assert ApiToken.objects.get(pk=api_client.token.pk).last_used_at is not None


def test_api_rate_limit_answers_429_with_retry_after(make_api_client, teammate):
    limited = make_api_client(teammate, rate_limit=3)
    assert [limited.get("/api/v1/tickets").status_code for _ in range(3)] == [200, 200, 200]
    response = limited.get("/api/v1/tickets")
    assert response.status_code == 429
    assert error_of(response)["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 60


def test_api_rate_limit_window_starts_again_after_a_minute(make_api_client, teammate):
    limited = make_api_client(teammate, rate_limit=1)
    limited.get("/api/v1/tickets")
    assert limited.get("/api/v1/tickets").status_code == 429
    ApiToken.objects.filter(pk=limited.token.pk).update(window_started_at=timezone.now() - timedelta(seconds=61))
    assert limited.get("/api/v1/tickets").status_code == 200


def test_api_rate_limit_is_per_token(make_api_client, teammate):
    first, second = make_api_client(teammate, rate_limit=1), make_api_client(teammate, rate_limit=1)
    first.get("/api/v1/tickets")
    assert first.get("/api/v1/tickets").status_code == 429
    assert second.get("/api/v1/tickets").status_code == 200


def test_api_invalid_body_is_422_naming_the_field(api_client):
    response = api_client.post("/api/v1/tickets", {"title": "x"}, content_type="application/json")
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid_request" and "ticket_type_id" in error["fields"]


def test_api_broken_cursor_is_400(api_client):
    response = api_client.get("/api/v1/tickets", {"cursor": "made-up"})
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_cursor"


def back_office_ticket_request(conversation, ticket_type) -> dict:
    return {"ticket_type_id": ticket_type.pk, "conversation_id": conversation.pk, "title": "Refund order 1234"}


def post_json(client: Client, path: str, data: dict, key: str | None = None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(path, json.dumps(data), content_type="application/json", headers=headers)


def test_idempotency_key_replays_the_first_response_and_creates_once(api_client):
    body = back_office_ticket_request(ConversationFactory(), TicketTypeFactory())
    first = post_json(api_client, "/api/v1/tickets", body, key="order-1234")
    again = post_json(api_client, "/api/v1/tickets", body, key="order-1234")
    assert first.status_code == again.status_code == 201
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1


def test_idempotency_key_with_another_body_is_refused(api_client):
    body = back_office_ticket_request(ConversationFactory(), TicketTypeFactory())
    post_json(api_client, "/api/v1/tickets", body, key="order-1234")
    response = post_json(api_client, "/api/v1/tickets", {**body, "title": "Something else"}, key="order-1234")
    assert response.status_code == 422
    assert error_of(response)["code"] == "idempotency_key_reused"
    assert Ticket.objects.count() == 1


def test_idempotency_key_is_per_token(make_api_client, teammate):
    body = back_office_ticket_request(ConversationFactory(), TicketTypeFactory())
    post_json(make_api_client(teammate), "/api/v1/tickets", body, key="k")
    assert post_json(make_api_client(teammate), "/api/v1/tickets", body, key="k").status_code == 201
    assert Ticket.objects.count() == 2


def test_idempotency_key_expires_after_24_hours(api_client):
    body = back_office_ticket_request(ConversationFactory(), TicketTypeFactory())
    post_json(api_client, "/api/v1/tickets", body, key="k")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=24, seconds=1))
    assert "Idempotent-Replayed" not in post_json(api_client, "/api/v1/tickets", body, key="k")
    assert Ticket.objects.count() == 2


def test_idempotency_key_keeps_a_refusal_too(api_client):
    body = {**back_office_ticket_request(ConversationFactory(), TicketTypeFactory(never_shared=True)), "share": True}
    first = post_json(api_client, "/api/v1/tickets", body, key="k")
    assert first.status_code == 422
    assert post_json(api_client, "/api/v1/tickets", body, key="k").content == first.content


def test_idempotency_key_that_is_too_long_is_400(api_client):
    body = back_office_ticket_request(ConversationFactory(), TicketTypeFactory())
    response = post_json(api_client, "/api/v1/tickets", body, key="k" * 256)
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_idempotency_key"
    assert not Ticket.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_idempotency_key_sent_twice_at_the_same_instant_creates_once():
    teammate = TeammateFactory()
    made = create_api_token(actor=None, teammate_id=teammate.pk, name="Retrying", scopes=["tickets:write"])
    body = back_office_ticket_request(ConversationFactory(), TicketTypeFactory())

    def send():
        client = Client(headers={"Authorization": f"Bearer {made.key}"})
        return post_json(client, "/api/v1/tickets", body, key="same-instant")

    first, second = run_at_once(send, send)
    assert first.status_code == second.status_code == 201
    assert first.content == second.content
    assert Ticket.objects.count() == 1


def test_openapi_description_is_3_1_and_public(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    description = response.json()
    assert description["openapi"].startswith("3.1")
    assert "/api/v1/tickets/{ticket_id}/notes" in description["paths"]


def test_api_docs_page_serves_its_scripts_from_this_site(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert b"/static/ninja/swagger-ui-bundle.js" in response.content
    assert b"cdn." not in response.content


def test_api_body_that_is_not_json_is_400_saying_why(api_client):
    response = api_client.post("/api/v1/tickets", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "line 1 column 2" in error_of(response)["message"]


def test_api_text_with_nul_characters_is_400_and_writes_nothing(api_client):
    conversation = ConversationFactory()
    response = post_json(api_client, f"/api/v1/conversations/{conversation.pk}/notes", {"body": "a\x00b"})
    assert response.status_code == 400 and "NUL" in error_of(response)["message"]
    assert api_client.get("/api/v1/contacts", {"email": "a\x00@example.com"}).status_code == 400
    assert not conversation.parts.exists()


def test_purge_idempotency_keys_deletes_only_expired_ones(api_client):
    from helpdesk.tasks import purge_idempotency_keys

    conversation, ticket_type = ConversationFactory(), TicketTypeFactory()
    post_json(api_client, "/api/v1/tickets", back_office_ticket_request(conversation, ticket_type), key="old")
    post_json(api_client, "/api/v1/tickets", back_office_ticket_request(conversation, ticket_type), key="new")
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=25))
    assert purge_idempotency_keys() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


def test_api_ignores_a_signed_in_teammate_session(teammate_client):
    """Only tokens: a browser session would let another site's page make requests with the teammate's cookie."""
    assert teammate_client.get("/api/v1/tickets").status_code == 401


def api_paths() -> list[str]:
    """One address of every API operation (ids made up: the token is checked before any lookup)."""
    from django.urls import URLPattern, reverse

    from helpdesk.api import mounted

    public = {"openapi-json", "openapi-view", "api-root"}  # the description, its docs page, the root (404)
    patterns = [p for p in mounted().urls[0] if isinstance(p, URLPattern) and p.name not in public]
    return [reverse(f"api:{p.name}", kwargs=dict.fromkeys(p.pattern.converters, 1)) for p in patterns]


def test_every_api_operation_refuses_a_request_without_a_token(teammate_client):
    """A signed-in teammate's session included: every method of every path is a 401 (or 405 where the path has no
    such method), never data."""
    paths = api_paths()
    assert "/api/v1/tickets/1/notes" in paths and "/api/v1/contacts" in paths
    for path in paths:
        statuses = {getattr(teammate_client, method)(path).status_code for method in ("get", "post", "patch", "delete")}
        assert statuses <= {401, 405} and 401 in statuses, (path, statuses)
