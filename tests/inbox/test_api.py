"""The inbox's JSON API: conversations and contacts, every write through the inbox actions."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from helpdesk.models import ApiScope
from inbox.models import Conversation, ConversationState, Part, PartKind
from tests.factories import ContactFactory, ConversationFactory, PartFactory, TeamFactory, TeammateFactory

pytestmark = pytest.mark.django_db


def post(client, path: str, data: dict | None = None):
    return client.post(path, json.dumps(data or {}), content_type="application/json")


def test_list_conversations_filters_by_state_and_contact(api_client):
    contact = ContactFactory()
    open_one = ConversationFactory(contact=contact)
    ConversationFactory(contact=contact, state=ConversationState.CLOSED)
    ConversationFactory()
    listed = api_client.get("/api/v1/conversations", {"contact_id": contact.pk, "state": "open"}).json()
    assert [row["id"] for row in listed["data"]] == [open_one.pk]
    assert listed["data"][0]["contact_id"] == contact.pk


def test_list_conversations_rejects_an_unknown_state(api_client):
    response = api_client.get("/api/v1/conversations", {"state": "deleted"})
    assert response.status_code == 422 and "state" in response.json()["error"]["fields"]


CONVERSATION_LIST_QUERIES = 4  # the token, the rate-limit count, the page, and nothing per row


@pytest.mark.parametrize("conversations", [1, 10])
def test_list_conversations_query_count_is_constant(api_client, django_assert_max_num_queries, conversations):
    for _ in range(conversations):
        ConversationFactory(team=TeamFactory())
    with django_assert_max_num_queries(CONVERSATION_LIST_QUERIES):
        assert len(api_client.get("/api/v1/conversations").json()["data"]) == conversations


def test_conversation_parts_include_internal_notes_for_teammates(api_client):
    conversation = ConversationFactory()
    PartFactory(conversation=conversation, kind=PartKind.CUSTOMER_MESSAGE, body="Where is my parcel?")
    PartFactory(conversation=conversation, kind=PartKind.NOTE, body="Carrier lost it")
    parts = api_client.get(f"/api/v1/conversations/{conversation.pk}/parts").json()["data"]
    assert [(part["kind"], part["body"]) for part in parts] == [
        ("customer_message", "Where is my parcel?"),
        ("note", "Carrier lost it"),
    ]


def test_get_missing_conversation_is_404(api_client):
    response = api_client.get("/api/v1/conversations/999999")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_reply_is_a_customer_visible_part_by_the_token_teammate(api_client, teammate):
    conversation = ConversationFactory()
    response = post(api_client, f"/api/v1/conversations/{conversation.pk}/reply", {"body": "On its way"})
    assert response.status_code == 201
    part = Part.objects.get(pk=response.json()["id"])
    assert part.kind == PartKind.REPLY and part.author == teammate


def test_empty_reply_is_refused(api_client):
    conversation = ConversationFactory()
    response = post(api_client, f"/api/v1/conversations/{conversation.pk}/reply", {"body": "   "})
    assert response.status_code == 422
    assert not Part.objects.filter(conversation=conversation).exists()


def test_note_is_internal(api_client):
    conversation = ConversationFactory()
    response = post(api_client, f"/api/v1/conversations/{conversation.pk}/notes", {"body": "VIP"})
    assert response.json()["kind"] == PartKind.NOTE


def test_assign_conversation(api_client, teammate):
    conversation, team = ConversationFactory(), TeamFactory()
    response = post(
        api_client, f"/api/v1/conversations/{conversation.pk}/assign", {"assignee_id": teammate.pk, "team_id": team.pk}
    )
    assert response.json()["assignee"]["id"] == teammate.pk and response.json()["team"]["id"] == team.pk


def test_assign_conversation_to_unknown_teammate_is_refused(api_client):
    conversation = ConversationFactory()
    response = post(
        api_client, f"/api/v1/conversations/{conversation.pk}/assign", {"assignee_id": 999_999, "team_id": None}
    )
    assert response.status_code == 422
    assert Conversation.objects.get(pk=conversation.pk).assignee is None


def test_snooze_close_and_reopen(api_client):
    conversation = ConversationFactory()
    until = (timezone.now() + timedelta(hours=2)).isoformat()
    snoozed = post(api_client, f"/api/v1/conversations/{conversation.pk}/snooze", {"until": until}).json()
    assert snoozed["state"] == "snoozed" and snoozed["snoozed_until"] is not None
    assert post(api_client, f"/api/v1/conversations/{conversation.pk}/close").json()["state"] == "closed"
    assert post(api_client, f"/api/v1/conversations/{conversation.pk}/reopen").json()["state"] == "open"


def test_snooze_in_the_past_is_refused(api_client):
    conversation = ConversationFactory()
    until = (timezone.now() - timedelta(hours=1)).isoformat()
    response = post(api_client, f"/api/v1/conversations/{conversation.pk}/snooze", {"until": until})
    assert response.status_code == 422 and "until" in response.json()["error"]["fields"]


def test_conversation_write_needs_the_write_scope(make_api_client, teammate):
    reader = make_api_client(teammate, ApiScope.CONVERSATIONS_READ)
    conversation = ConversationFactory()
    assert post(reader, f"/api/v1/conversations/{conversation.pk}/close").status_code == 403
    assert Conversation.objects.get(pk=conversation.pk).state == ConversationState.OPEN


def test_contacts_by_email_any_case(api_client):
    contact = ContactFactory(email="Ada@Example.com")
    ContactFactory()
    listed = api_client.get("/api/v1/contacts", {"email": "ada@example.com"}).json()["data"]
    assert [row["id"] for row in listed] == [contact.pk]


def test_conversation_token_cannot_read_contacts(make_api_client, teammate):
    reader = make_api_client(teammate, ApiScope.CONVERSATIONS_READ)
    contact = ContactFactory()
    assert reader.get(f"/api/v1/contacts/{contact.pk}").status_code == 403


def test_conversation_payload_is_what_get_shows(api_client):
    from inbox.api import conversation_payload

    conversation = ConversationFactory(team=TeamFactory())
    assert conversation_payload(conversation.pk) == api_client.get(f"/api/v1/conversations/{conversation.pk}").json()


def test_teams_and_working_teammates_for_assignments(make_api_client, teammate):
    team = TeamFactory(name="Billing")
    TeammateFactory(is_active=False)
    reader = make_api_client(teammate, ApiScope.TICKETS_READ)
    assert reader.get("/api/v1/teams").json()["data"] == [{"id": team.pk, "name": "Billing"}]
    listed = reader.get("/api/v1/teammates").json()["data"]
    assert listed == [{"id": teammate.pk, "name": teammate.display_name}]


def test_contacts_token_cannot_list_teammates(make_api_client, teammate):
    assert make_api_client(teammate, ApiScope.CONTACTS_READ).get("/api/v1/teammates").status_code == 403
