"""The tickets' JSON API: every write goes through the tickets actions, so the rules hold as in the browser, with
the same messages; reads are paginated by cursor with a fixed number of queries; a token sees only its scopes."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from helpdesk.models import ApiScope
from inbox.models import Part, PartKind
from tests.factories import (
    BackOfficeTicketFactory,
    ContactFactory,
    ConversationFactory,
    CustomerTicketFactory,
    PartFactory,
    TeamFactory,
    TicketAttributeFactory,
    TicketTypeFactory,
    TrackerTicketFactory,
    state,
)
from tickets import rules
from tickets.models import StateCategory, Ticket, TicketPartKind, TrackerLink

pytestmark = pytest.mark.django_db


def post(client, path: str, data: dict | None = None):
    return client.post(path, json.dumps(data or {}), content_type="application/json")


def refusal(response, status: int = 422) -> str:
    assert response.status_code == status, response.content
    return response.json()["error"]["message"]


# Creating tickets (rules 2-5)


def test_create_back_office_ticket_links_it_to_the_conversation(api_client, teammate):
    conversation, ticket_type = ConversationFactory(), TicketTypeFactory()
    response = post(
        api_client,
        "/api/v1/tickets",
        {"ticket_type_id": ticket_type.pk, "conversation_id": conversation.pk, "title": "Refund order 1234"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["category"] == "back_office" and body["linked_conversation_id"] == conversation.pk
    assert body["team"]["id"] == ticket_type.default_team_id
    assert body["state"]["category"] == StateCategory.SUBMITTED
    linked = Part.objects.get(conversation=conversation, event_type="ticket_linked")
    assert f"#{body['id']}" in linked.body and linked.author == teammate


def test_create_back_office_ticket_without_a_link_is_refused(api_client):
    response = post(api_client, "/api/v1/tickets", {"ticket_type_id": TicketTypeFactory().pk, "title": "Loose"})
    assert "Link the ticket" in refusal(response)
    assert not Ticket.objects.exists()


def test_create_shared_ticket_of_a_never_type_is_refused_as_in_the_ui(api_client):
    conversation, ticket_type = ConversationFactory(), TicketTypeFactory(never_shared=True)
    response = post(
        api_client,
        "/api/v1/tickets",
        {"ticket_type_id": ticket_type.pk, "conversation_id": conversation.pk, "title": "Fraud", "share": True},
    )
    expected = rules.sharing_refusal(
        sharing_policy=ticket_type.sharing_policy, linked_ticket_id=None, conversation_id=conversation.pk
    )
    assert refusal(response) == expected
    assert response.json()["error"]["code"] == "rule_violation"
    assert not Ticket.objects.exists()


def test_create_second_shared_ticket_in_a_conversation_is_refused(api_client):
    conversation = ConversationFactory()
    shared = BackOfficeTicketFactory(conversation=conversation, share=True)
    response = post(
        api_client,
        "/api/v1/tickets",
        {"ticket_type_id": TicketTypeFactory().pk, "conversation_id": conversation.pk, "title": "2nd", "share": True},
    )
    assert refusal(response) == rules.one_shared_per_conversation(shared.pk)
    assert Ticket.objects.count() == 1


def test_create_shared_ticket_linked_to_a_customer_ticket_is_refused(api_client):
    customer_ticket = CustomerTicketFactory()
    response = post(
        api_client,
        "/api/v1/tickets",
        {
            "ticket_type_id": TicketTypeFactory().pk,
            "customer_ticket_id": customer_ticket.pk,
            "title": "x",
            "share": True,
        },
    )
    assert "linked to a customer ticket cannot be shared" in refusal(response)


def test_create_customer_ticket_for_a_contact(api_client):
    contact = ContactFactory()
    response = post(
        api_client,
        "/api/v1/tickets",
        {"ticket_type_id": TicketTypeFactory(customer=True).pk, "contact_id": contact.pk, "title": "Broken chair"},
    )
    assert response.status_code == 201
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert ticket.thread.contact == contact and response.json()["conversation_id"] == ticket.thread_id


def test_create_ticket_of_unknown_type_is_404(api_client):
    response = post(api_client, "/api/v1/tickets", {"ticket_type_id": 999_999, "title": "x"})
    assert refusal(response, 404) == "That ticket type does not exist."


def test_create_ticket_with_an_invalid_attribute_names_the_field(api_client):
    ticket_type = TicketTypeFactory()
    TicketAttributeFactory(ticket_type=ticket_type, key="amount", name="Amount", kind="integer")
    response = post(
        api_client,
        "/api/v1/tickets",
        {
            "ticket_type_id": ticket_type.pk,
            "conversation_id": ConversationFactory().pk,
            "title": "Refund",
            "attributes": {"amount": "a lot"},
        },
    )
    assert response.status_code == 422
    assert "amount" in response.json()["error"]["fields"]
    assert not Ticket.objects.exists()


# Reading tickets


def test_get_ticket_shows_its_type_state_and_attributes(api_client):
    ticket_type = TicketTypeFactory()
    TicketAttributeFactory(ticket_type=ticket_type, key="order", name="Order", kind="text")
    ticket = BackOfficeTicketFactory(ticket_type=ticket_type, attributes={"order": "A-1"})
    body = api_client.get(f"/api/v1/tickets/{ticket.pk}").json()
    assert body["ticket_type"] == {"id": ticket_type.pk, "name": ticket_type.name}
    assert body["attributes"] == {"order": "A-1"}
    assert body["state"]["internal_label"] == ticket.state.internal_label


def test_get_missing_ticket_is_404(api_client):
    assert refusal(api_client.get("/api/v1/tickets/999999"), 404) == "Ticket #999999 does not exist."


def test_list_tickets_filters_by_team_and_state(api_client):
    billing = TeamFactory()
    mine = BackOfficeTicketFactory(ticket_type=TicketTypeFactory(default_team=billing))
    BackOfficeTicketFactory()
    listed = api_client.get("/api/v1/tickets", {"team_id": billing.pk, "state_category": "submitted"}).json()
    assert [row["id"] for row in listed["data"]] == [mine.pk]
    resolved = api_client.get("/api/v1/tickets", {"team_id": billing.pk, "state_category": "resolved"}).json()
    assert resolved["data"] == []


def test_list_tickets_updated_since(api_client):
    old, new = BackOfficeTicketFactory(), BackOfficeTicketFactory()
    Ticket.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=2))
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert [row["id"] for row in api_client.get("/api/v1/tickets", {"updated_since": since}).json()["data"]] == [new.pk]


def test_list_tickets_pages_by_cursor_without_gaps_or_repeats(api_client):
    created = {BackOfficeTicketFactory().pk for _ in range(5)}
    seen, cursor = [], None
    for _ in range(3):
        page = api_client.get("/api/v1/tickets", {"per_page": 2, **({"cursor": cursor} if cursor else {})}).json()
        seen += [row["id"] for row in page["data"]]
        cursor = page["next_cursor"]
    assert sorted(seen) == sorted(created) and len(seen) == 5 and cursor is None


def test_list_tickets_per_page_above_100_is_422(api_client):
    assert api_client.get("/api/v1/tickets", {"per_page": 101}).status_code == 422


TICKET_LIST_QUERIES = 4  # the token, the rate-limit count, the page, and nothing per row


@pytest.mark.parametrize("tickets", [1, 10])
def test_list_tickets_query_count_is_constant(api_client, django_assert_max_num_queries, tickets):
    for _ in range(tickets):
        BackOfficeTicketFactory()
    with django_assert_max_num_queries(TICKET_LIST_QUERIES):
        assert len(api_client.get("/api/v1/tickets").json()["data"]) == tickets


def test_list_ticket_types_with_states_and_attributes(api_client):
    ticket_type = TicketTypeFactory(name="Refund")
    TicketAttributeFactory(ticket_type=ticket_type, key="amount", kind="decimal")
    listed = {row["name"]: row for row in api_client.get("/api/v1/ticket_types").json()["data"]}
    assert [a["key"] for a in listed["Refund"]["attributes"]] == ["amount"]
    assert {s["category"] for s in listed["Refund"]["states"]} == set(StateCategory.values)


# Working tickets (rules 1, 7, 8)


def test_note_with_cross_post_reaches_the_conversation(api_client, apply_outbox):
    ticket = BackOfficeTicketFactory()
    response = post(api_client, f"/api/v1/tickets/{ticket.pk}/notes", {"body": "Refund sent", "cross_post": True})
    assert response.status_code == 201
    assert response.json()["kind"] == TicketPartKind.NOTE and response.json()["cross_posted"] is True
    apply_outbox()
    copy = Part.objects.get(conversation=ticket.linked_conversation, kind=PartKind.CROSS_POST)
    assert copy.body == "Refund sent"


def test_note_without_cross_post_stays_on_the_ticket(api_client, apply_outbox):
    ticket = BackOfficeTicketFactory()
    post(api_client, f"/api/v1/tickets/{ticket.pk}/notes", {"body": "Checking"})
    apply_outbox()
    assert not Part.objects.filter(conversation=ticket.linked_conversation, kind=PartKind.CROSS_POST).exists()


def test_reply_on_a_back_office_ticket_is_refused_by_rule_1(api_client):
    ticket = BackOfficeTicketFactory()
    response = post(api_client, f"/api/v1/tickets/{ticket.pk}/reply", {"body": "Hi customer"})
    assert "take internal notes only" in refusal(response)
    assert not Part.objects.filter(kind=PartKind.REPLY).exists()


def test_reply_on_a_customer_ticket_goes_to_its_thread(api_client):
    ticket = CustomerTicketFactory()
    response = post(api_client, f"/api/v1/tickets/{ticket.pk}/reply", {"body": "We are on it"})
    assert response.status_code == 201 and response.json()["conversation_id"] == ticket.thread_id


def test_state_change_is_cross_posted_as_an_event(api_client, apply_outbox, teammate):
    ticket = BackOfficeTicketFactory()
    resolved = state(StateCategory.RESOLVED)
    response = post(api_client, f"/api/v1/tickets/{ticket.pk}/state", {"state_id": resolved.pk})
    assert response.json()["state"]["id"] == resolved.pk
    apply_outbox()
    event = Part.objects.get(conversation=ticket.linked_conversation, event_type="ticket_state_changed")
    assert resolved.internal_label in event.body


def test_state_change_to_a_state_of_another_type_is_refused(api_client):
    ticket = BackOfficeTicketFactory(ticket_type=TicketTypeFactory(states=[state(StateCategory.SUBMITTED)]))
    response = post(api_client, f"/api/v1/tickets/{ticket.pk}/state", {"state_id": state(StateCategory.RESOLVED).pk})
    assert refusal(response) == "That state is not offered by this ticket type."


def test_assign_ticket(api_client, teammate):
    ticket = BackOfficeTicketFactory()
    team = TeamFactory()
    response = post(api_client, f"/api/v1/tickets/{ticket.pk}/assign", {"assignee_id": teammate.pk, "team_id": team.pk})
    assert response.json()["assignee"] == {"id": teammate.pk, "name": teammate.display_name}
    assert response.json()["team"]["id"] == team.pk


def test_assign_back_office_ticket_to_no_team_is_refused(api_client):
    ticket = BackOfficeTicketFactory()
    assert (
        post(api_client, f"/api/v1/tickets/{ticket.pk}/assign", {"assignee_id": None, "team_id": None}).status_code
        == 422
    )


def test_share_ticket_where_rules_allow(api_client):
    ticket = BackOfficeTicketFactory()
    assert post(api_client, f"/api/v1/tickets/{ticket.pk}/share").json()["is_shared"] is True


def test_share_ticket_of_a_never_type_is_refused(api_client):
    ticket = BackOfficeTicketFactory(ticket_type=TicketTypeFactory(never_shared=True))
    assert refusal(post(api_client, f"/api/v1/tickets/{ticket.pk}/share")) == (
        "Tickets of this type are never shared with the customer."
    )
    ticket.refresh_from_db()
    assert ticket.is_shared is False


def test_update_attributes_keeps_what_is_left_out(api_client):
    ticket_type = TicketTypeFactory()
    TicketAttributeFactory(ticket_type=ticket_type, key="order", kind="text")
    TicketAttributeFactory(ticket_type=ticket_type, key="carrier", kind="text")
    ticket = BackOfficeTicketFactory(ticket_type=ticket_type, attributes={"order": "A-1", "carrier": "UPS"})
    response = api_client.patch(
        f"/api/v1/tickets/{ticket.pk}", json.dumps({"attributes": {"carrier": "DHL"}}), content_type="application/json"
    )
    assert response.json()["attributes"] == {"order": "A-1", "carrier": "DHL"}
    assert response.json()["title"] == ticket.title


def test_ticket_parts_are_listed_oldest_first(api_client):
    ticket = BackOfficeTicketFactory()
    post(api_client, f"/api/v1/tickets/{ticket.pk}/notes", {"body": "first"})
    post(api_client, f"/api/v1/tickets/{ticket.pk}/notes", {"body": "second"})
    parts = api_client.get(f"/api/v1/tickets/{ticket.pk}/parts").json()["data"]
    assert [part["body"] for part in parts if part["kind"] == "note"] == ["first", "second"]
    assert parts[0]["event_type"] == "created"


# Trackers


def test_link_and_unlink_a_conversation_to_a_tracker(api_client):
    tracker, conversation = TrackerTicketFactory(), ConversationFactory()
    assert (
        post(api_client, f"/api/v1/tickets/{tracker.pk}/links", {"conversation_id": conversation.pk}).status_code == 200
    )
    assert TrackerLink.objects.filter(tracker=tracker, conversation=conversation).exists()
    response = api_client.delete(f"/api/v1/tickets/{tracker.pk}/links?conversation_id={conversation.pk}")
    assert response.status_code == 200
    assert not TrackerLink.objects.exists()


def test_link_to_a_ticket_that_is_not_a_tracker_is_refused(api_client):
    ticket = BackOfficeTicketFactory()
    response = post(api_client, f"/api/v1/tickets/{ticket.pk}/links", {"conversation_id": ConversationFactory().pk})
    assert refusal(response) == rules.not_a_tracker(ticket)


# Scopes


def test_ticket_read_token_never_returns_the_conversation_or_the_contact(make_api_client, teammate):
    contact = ContactFactory(email="private.person@example.com", name="Private Person")
    conversation = ConversationFactory(contact=contact)
    PartFactory(conversation=conversation, kind=PartKind.CUSTOMER_MESSAGE, body="my card number is 4242")
    ticket = BackOfficeTicketFactory(conversation=conversation)
    reader = make_api_client(teammate, ApiScope.TICKETS_READ)
    responses = [
        reader.get(f"/api/v1/tickets/{ticket.pk}"),
        reader.get("/api/v1/tickets"),
        reader.get(f"/api/v1/tickets/{ticket.pk}/parts"),
    ]
    for response in responses:
        assert response.status_code == 200
        for private in (b"4242", b"private.person", b"Private Person"):
            assert private not in response.content
    assert reader.get(f"/api/v1/conversations/{conversation.pk}").status_code == 403
    assert reader.get(f"/api/v1/conversations/{conversation.pk}/parts").status_code == 403
    assert reader.get(f"/api/v1/contacts/{contact.pk}").status_code == 403


def test_ticket_payload_is_what_get_shows(api_client):
    from tickets.api import ticket_payload

    ticket = BackOfficeTicketFactory()
    assert ticket_payload(ticket.pk) == api_client.get(f"/api/v1/tickets/{ticket.pk}").json()


def test_create_customer_ticket_without_a_contact_names_the_field(api_client):
    response = post(
        api_client, "/api/v1/tickets", {"ticket_type_id": TicketTypeFactory(customer=True).pk, "title": "x"}
    )
    assert response.status_code == 422 and "contact_id" in response.json()["error"]["fields"]


@pytest.mark.parametrize("category", ["customer", "tracker"])
def test_create_shared_ticket_of_another_category_is_refused(api_client, category):
    data = {"ticket_type_id": TicketTypeFactory(**{category: True}).pk, "title": "x", "share": True}
    response = post(api_client, "/api/v1/tickets", {**data, "contact_id": ContactFactory().pk})
    assert refusal(response) == rules.ONLY_BACK_OFFICE_SHARED
    assert not Ticket.objects.exists()
