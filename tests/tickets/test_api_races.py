"""Rule 4 through the API under concurrency: two integrations sharing a ticket in one conversation at the same
instant get one shared ticket and one clear refusal. PostgreSQL only (make test's SQLite step leaves it out)."""

import json

import pytest
from django.test import Client

from tests.concurrency import run_at_once
from tests.factories import ConversationFactory, TeammateFactory, TicketTypeFactory
from tickets.models import Ticket


def post(client, path: str, data: dict):
    return client.post(path, json.dumps(data), content_type="application/json")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_integrations_sharing_in_one_conversation_at_once_get_one_shared_ticket(make_api_client):
    conversation, ticket_type = ConversationFactory(), TicketTypeFactory()
    body = {"ticket_type_id": ticket_type.pk, "conversation_id": conversation.pk, "title": "Refund", "share": True}
    clients: list[Client] = [make_api_client(TeammateFactory()) for _ in range(2)]
    outcomes = run_at_once(*(lambda client=client: post(client, "/api/v1/tickets", body) for client in clients))
    assert sorted(response.status_code for response in outcomes) == [201, 422]
    refused = next(response for response in outcomes if response.status_code == 422)
    assert refused.json()["error"]["code"] == "rule_violation"
    assert Ticket.objects.filter(linked_conversation=conversation, is_shared=True).count() == 1
