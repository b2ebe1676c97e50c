"""The admin: every page loads, records are read-only, timelines and links, the outbox, contacts' links."""

import pytest
from django.contrib import admin
from django.urls import reverse

from helpdesk.models import OutboxEvent
from inbox import actions as inbox_actions
from inbox.models import PartKind
from tests.admin_pages import (
    CHANGELIST_QUERIES,
    MODELS,
    make,
    url,
)
from tests.factories import (
    BackOfficeTicketFactory,
    ContactFactory,
    ConversationFactory,
    CustomerTicketFactory,
    PartFactory,
    TeamFactory,
    TeammateFactory,
    TrackerTicketFactory,
)
from tickets import actions as ticket_actions

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", MODELS)
def test_admin_changelist_loads(admin_client, name):
    obj = make(name)

    response = admin_client.get(url(type(obj), "changelist"))

    assert response.status_code == 200


@pytest.mark.parametrize("name", MODELS)
def test_admin_change_page_loads(admin_client, name):
    obj = make(name)

    response = admin_client.get(url(type(obj), "change", obj.pk))

    assert response.status_code == 200


@pytest.mark.parametrize("name", ["team", "teammate", "contact", "ticketstate", "tickettype", "savedreply"])
def test_admin_add_page_loads(admin_client, name):
    model = type(make(name))

    response = admin_client.get(url(model, "add"))

    assert response.status_code == 200


def test_admin_site_has_help_desk_header():
    assert admin.site.site_header == "Help desk admin"


def test_team_changelist_counts_members(admin_client):
    team = TeamFactory()
    TeammateFactory().teams.add(team)

    response = admin_client.get(url(type(team), "changelist"))

    assert response.context["cl"].result_list[0].member_count == 1


def test_teammate_admin_saves_teams(admin_client):
    teammate, team = TeammateFactory(), TeamFactory()
    data = {
        "username": teammate.username,
        "first_name": teammate.first_name,
        "last_name": teammate.last_name,
        "email": teammate.email,
        "is_active": "on",
        "is_staff": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
        "teams": [team.pk],
        "access": "back_office",
    }

    response = admin_client.post(url(type(teammate), "change", teammate.pk), data)

    assert response.status_code == 302
    assert list(teammate.teams.all()) == [team]
    teammate.refresh_from_db()
    assert teammate.back_office_only  # need-to-know access is given in the admin


@pytest.mark.parametrize("name", ["conversation", "ticket", "outboxevent"])
def test_record_admin_refuses_add(admin_client, name):
    response = admin_client.get(url(type(make(name)), "add"))

    assert response.status_code == 403


@pytest.mark.parametrize("name", ["conversation", "ticket", "outboxevent"])
def test_record_admin_refuses_change_save(admin_client, name):
    obj = make(name)

    response = admin_client.post(url(type(obj), "change", obj.pk), {})

    assert response.status_code == 403


@pytest.mark.parametrize("name", ["conversation", "ticket", "outboxevent"])
def test_record_admin_refuses_delete(admin_client, name):
    obj = make(name)

    response = admin_client.post(url(type(obj), "delete", obj.pk), {"post": "yes"})

    assert response.status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("rows", [3, 30])
def test_conversation_changelist_query_count_is_bounded(admin_client, django_assert_max_num_queries, rows):
    for _ in range(rows):
        team = TeamFactory()
        conversation = ConversationFactory()
        inbox_actions.assign_conversation(
            actor=None, conversation_id=conversation.pk, assignee_id=TeammateFactory().pk, team_id=team.pk
        )

    with django_assert_max_num_queries(CHANGELIST_QUERIES):
        response = admin_client.get(url(type(conversation), "changelist"))

    assert len(response.context["cl"].result_list) == rows


@pytest.mark.parametrize("rows", [3, 30])
def test_ticket_changelist_query_count_is_bounded(admin_client, django_assert_max_num_queries, rows):
    tickets = [BackOfficeTicketFactory(assignee_id=TeammateFactory().pk, team_id=TeamFactory().pk) for _ in range(rows)]

    with django_assert_max_num_queries(CHANGELIST_QUERIES):
        response = admin_client.get(url(type(tickets[0]), "changelist"))

    assert len(response.context["cl"].result_list) == rows


@pytest.mark.parametrize("parts", [1, 40])
def test_conversation_change_page_query_count_does_not_grow_with_the_timeline(
    admin_client, django_assert_max_num_queries, parts
):
    conversation = ConversationFactory()
    PartFactory.create_batch(parts, conversation=conversation, kind=PartKind.NOTE, author=TeammateFactory())

    with django_assert_max_num_queries(CHANGELIST_QUERIES):
        response = admin_client.get(url(type(conversation), "change", conversation.pk))
    assert response.status_code == 200


def test_conversation_change_page_shows_the_timeline_oldest_first(admin_client):
    conversation = ConversationFactory()
    first, second = PartFactory(conversation=conversation, body="first"), PartFactory(conversation=conversation)

    response = admin_client.get(url(type(conversation), "change", conversation.pk))

    shown = [form.instance for form in response.context["inline_admin_formsets"][0].formset.forms]
    assert shown == [first, second]


def test_conversation_change_page_cuts_a_long_timeline_to_its_latest_entries(admin_client, monkeypatch):
    conversation = ConversationFactory()
    first, *latest = PartFactory.create_batch(3, conversation=conversation)
    monkeypatch.setattr(admin.site.get_model_admin(type(conversation)), "timeline_limit", 2)

    response = admin_client.get(url(type(conversation), "change", conversation.pk))

    assert [form.instance for form in response.context["inline_admin_formsets"][0].formset.forms] == latest


def test_conversation_change_page_shows_a_whole_long_timeline_on_request(admin_client, monkeypatch):
    conversation = ConversationFactory()
    parts = PartFactory.create_batch(3, conversation=conversation)
    monkeypatch.setattr(admin.site.get_model_admin(type(conversation)), "timeline_limit", 2)

    response = admin_client.get(url(type(conversation), "change", conversation.pk), {"timeline": "all"})

    assert [form.instance for form in response.context["inline_admin_formsets"][0].formset.forms] == parts


def test_conversation_change_page_links_its_back_office_ticket(admin_client):
    ticket = BackOfficeTicketFactory()

    response = admin_client.get(url(type(ticket.linked_conversation), "change", ticket.linked_conversation_id))

    assert url(type(ticket), "change", ticket.pk) in response.content.decode()


def test_ticket_change_page_links_its_conversation(admin_client):
    ticket = BackOfficeTicketFactory()

    response = admin_client.get(url(type(ticket), "change", ticket.pk))

    assert url(type(ticket.linked_conversation), "change", ticket.linked_conversation_id) in response.content.decode()


def test_ticket_change_page_links_its_customer_ticket(admin_client):
    customer_ticket = CustomerTicketFactory()
    ticket = BackOfficeTicketFactory(customer_ticket=customer_ticket)

    response = admin_client.get(url(type(ticket), "change", ticket.pk))

    assert url(type(ticket), "change", customer_ticket.pk) in response.content.decode()


def test_ticket_change_page_links_a_customer_tickets_thread(admin_client):
    ticket = CustomerTicketFactory()

    response = admin_client.get(url(type(ticket), "change", ticket.pk))

    assert url(type(ticket.thread), "change", ticket.thread_id) in response.content.decode()


def test_ticket_change_page_links_a_trackers_conversations(admin_client):
    tracker, conversation = TrackerTicketFactory(), ConversationFactory()
    ticket_actions.link_to_tracker(actor=None, tracker_id=tracker.pk, conversation_id=conversation.pk)

    response = admin_client.get(url(type(tracker), "change", tracker.pk))

    assert url(type(conversation), "change", conversation.pk) in response.content.decode()


def test_outbox_changelist_filters_pending_events(admin_client):
    pending = OutboxEvent.objects.create(kind="TicketNoteCrossPosted", handler="tickets.handlers.cross_post_note")
    OutboxEvent.objects.create(kind="ReplyPosted", done_at=pending.created_at)

    response = admin_client.get(url(OutboxEvent, "changelist"), {"pending": "yes"})

    assert list(response.context["cl"].result_list) == [pending]


def test_outbox_admin_reenqueues_only_pending_events(admin_client, monkeypatch):
    pending = OutboxEvent.objects.create(kind="TicketNoteCrossPosted", handler="tickets.handlers.cross_post_note")
    done = OutboxEvent.objects.create(kind="TicketNoteCrossPosted", handler="x", done_at=pending.created_at)
    enqueued = []
    monkeypatch.setattr("helpdesk.outbox.enqueue", lambda event_ids: enqueued.extend(event_ids) or True)

    admin_client.post(
        url(OutboxEvent, "changelist"), {"action": "enqueue_pending", "_selected_action": [pending.pk, done.pk]}
    )

    assert enqueued == [pending.pk]


def test_contact_admin_shows_a_messenger_link_that_signs_the_contact_in(client, db, settings):

    from tests.factories import TeammateFactory

    contact = ContactFactory()
    client.force_login(TeammateFactory(is_superuser=True))
    html = client.get(reverse("admin:inbox_contact_change", args=[contact.pk])).content.decode()
    path = html[html.index("/messenger/enter/") :].split("<")[0].strip()
    assert f"{settings.SITE_URL}{path}" in html  # absolute, to copy and send as it is

    client.logout()
    assert client.get(path)["Location"] == reverse("messenger:home")
