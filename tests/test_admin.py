"""The Django admin: configuration of teams, teammates, ticket types and states; read-only records."""

import pytest
from django.contrib import admin
from django.urls import reverse

from helpdesk.models import OutboxEvent
from inbox import actions as inbox_actions
from inbox.models import PartKind
from tests.factories import (
    BackOfficeTicketFactory,
    ContactFactory,
    ConversationFactory,
    CustomerTicketFactory,
    PartFactory,
    TeamFactory,
    TeammateFactory,
    TicketAttributeFactory,
    TicketStateFactory,
    TicketTypeFactory,
    TrackerTicketFactory,
    add_order_number,
    default_states,
    state,
)
from tickets import actions as ticket_actions
from tickets.models import AttributeKind, SharingPolicy, StateCategory, TicketAttribute, TicketCategory, TicketType

pytestmark = pytest.mark.django_db

CHANGELIST_QUERIES = 12  # session, user, count(s), filters' choices and the page, whatever the number of rows


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def make(name: str):
    """One row of each model the admin shows, built the way the app builds it."""
    match name:
        case "team":
            return TeamFactory()
        case "teammate":
            return TeammateFactory()
        case "contact":
            return ContactFactory()
        case "conversation":
            return PartFactory().conversation
        case "ticketstate":
            return state(StateCategory.SUBMITTED)
        case "tickettype":
            return TicketAttributeFactory(kind=AttributeKind.LIST, options=["a", "b"]).ticket_type
        case "ticket":
            return BackOfficeTicketFactory()
        case "outboxevent":
            return OutboxEvent.objects.create(kind="ConversationStarted", payload={"conversation_id": 1})
    raise ValueError(name)


MODELS = ["team", "teammate", "contact", "conversation", "ticketstate", "tickettype", "ticket", "outboxevent"]


def type_form_data(*, states=None, attributes=(), **fields) -> dict:
    """POST data for the ticket type add/change form, with its attribute inline."""
    data = {
        "name": "Chargeback",
        "icon": "credit-card",
        "description": "",
        "category": TicketCategory.BACK_OFFICE,
        "sharing_policy": SharingPolicy.NEVER,
        "default_team": TeamFactory(name="Billing").pk,
        "states": [s.pk for s in (default_states() if states is None else states)],
        "attributes-TOTAL_FORMS": str(len(attributes)),
        "attributes-INITIAL_FORMS": "0",
        "attributes-MIN_NUM_FORMS": "0",
        "attributes-MAX_NUM_FORMS": "1000",
        **fields,
    }
    for index, attribute in enumerate(attributes):
        row = {"key": f"field_{index}", "name": f"Field {index}", "kind": "text", "options": "", "position": "0",
               "visible_on_create": "on", **attribute}  # fmt: skip
        data |= {f"attributes-{index}-{key}": value for key, value in row.items()}
    return data


def form_errors(response) -> dict:
    return response.context["adminform"].form.errors


def inline_errors(response) -> list:
    return response.context["inline_admin_formsets"][0].formset.errors


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


@pytest.mark.parametrize("name", ["team", "teammate", "contact", "ticketstate", "tickettype"])
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
    }

    response = admin_client.post(url(type(teammate), "change", teammate.pk), data)

    assert response.status_code == 302
    assert list(teammate.teams.all()) == [team]


def test_ticket_type_form_creates_a_valid_type(admin_client):
    response = admin_client.post(url(TicketType, "add"), type_form_data())

    assert response.status_code == 302
    assert TicketType.objects.get(name="Chargeback").sharing_policy == SharingPolicy.NEVER


@pytest.mark.parametrize("category", [TicketCategory.BACK_OFFICE, TicketCategory.TRACKER])
def test_ticket_type_form_requires_a_default_team_for_back_office_and_tracker_types(admin_client, category):
    data = type_form_data(category=category, default_team="")

    response = admin_client.post(url(TicketType, "add"), data)

    assert "each one belongs to a team" in " ".join(form_errors(response)["default_team"])
    assert not TicketType.objects.filter(name="Chargeback").exists()


def test_ticket_type_form_saves_a_customer_type_without_default_team(admin_client):
    data = type_form_data(category=TicketCategory.CUSTOMER, sharing_policy="", default_team="")

    admin_client.post(url(TicketType, "add"), data)

    assert TicketType.objects.get(name="Chargeback").default_team is None


def test_ticket_type_form_rejects_a_policy_that_does_not_fit_the_category(admin_client):
    data = type_form_data(category=TicketCategory.CUSTOMER, sharing_policy=SharingPolicy.NEVER)

    response = admin_client.post(url(TicketType, "add"), data)

    assert "sharing_policy" in form_errors(response)
    assert not TicketType.objects.filter(name="Chargeback").exists()


def test_ticket_type_form_rejects_an_optional_tracker(admin_client):
    data = type_form_data(category=TicketCategory.TRACKER, sharing_policy=SharingPolicy.OPTIONAL)

    response = admin_client.post(url(TicketType, "add"), data)

    assert "sharing_policy" in form_errors(response)


def test_ticket_type_form_sets_the_only_fitting_policy_when_left_empty(admin_client):
    data = type_form_data(category=TicketCategory.CUSTOMER, sharing_policy="")

    admin_client.post(url(TicketType, "add"), data)

    assert TicketType.objects.get(name="Chargeback").sharing_policy == SharingPolicy.ALWAYS


def test_ticket_type_form_requires_a_policy_for_back_office_types(admin_client):
    response = admin_client.post(url(TicketType, "add"), type_form_data(sharing_policy=""))

    assert "sharing_policy" in form_errors(response)


def test_ticket_type_form_rejects_states_missing_a_category(admin_client):
    states = [s for s in default_states() if s.category != StateCategory.RESOLVED]

    response = admin_client.post(url(TicketType, "add"), type_form_data(states=states))

    assert "Resolved" in str(form_errors(response)["states"])


def test_ticket_type_form_does_not_count_an_archived_state(admin_client):
    archived = TicketStateFactory(category=StateCategory.RESOLVED, archived=True)
    states = [s for s in default_states() if s.category != StateCategory.RESOLVED] + [archived]

    response = admin_client.post(url(TicketType, "add"), type_form_data(states=states))

    assert "states" in form_errors(response)


def test_ticket_type_form_rejects_a_list_attribute_without_options(admin_client):
    data = type_form_data(attributes=[{"kind": AttributeKind.LIST, "options": ""}])

    response = admin_client.post(url(TicketType, "add"), data)

    assert "options" in inline_errors(response)[0]
    assert not TicketType.objects.filter(name="Chargeback").exists()


def test_ticket_type_form_rejects_options_on_a_text_attribute(admin_client):
    data = type_form_data(attributes=[{"kind": AttributeKind.TEXT, "options": "Small\nLarge"}])

    response = admin_client.post(url(TicketType, "add"), data)

    assert "options" in inline_errors(response)[0]


def test_ticket_type_form_saves_list_options_one_per_line(admin_client):
    data = type_form_data(attributes=[{"kind": AttributeKind.LIST, "options": "Small\n\n Large \n"}])

    admin_client.post(url(TicketType, "add"), data)

    assert TicketAttribute.objects.get(ticket_type__name="Chargeback").options == ["Small", "Large"]


def test_ticket_type_form_rejects_a_required_attribute_hidden_on_create(admin_client):
    data = type_form_data(attributes=[{"required_to_create": "on", "visible_on_create": ""}])

    response = admin_client.post(url(TicketType, "add"), data)

    assert "visible_on_create" in inline_errors(response)[0]


def test_ticket_type_admin_makes_category_and_policy_read_only_once_tickets_exist(admin_client):
    ticket = BackOfficeTicketFactory()

    response = admin_client.get(url(TicketType, "change", ticket.ticket_type_id))

    assert {"category", "sharing_policy"}.isdisjoint(response.context["adminform"].form.fields)


def test_ticket_type_admin_ignores_a_posted_category_once_tickets_exist(admin_client):
    ticket = BackOfficeTicketFactory()
    data = type_form_data(name=ticket.ticket_type.name, category=TicketCategory.TRACKER, sharing_policy="never")

    admin_client.post(url(TicketType, "change", ticket.ticket_type_id), data)

    assert TicketType.objects.get(pk=ticket.ticket_type_id).category == TicketCategory.BACK_OFFICE


def test_ticket_type_admin_keeps_category_editable_without_tickets(admin_client):
    ticket_type = TicketTypeFactory()

    response = admin_client.get(url(TicketType, "change", ticket_type.pk))

    assert {"category", "sharing_policy"} <= set(response.context["adminform"].form.fields)


def test_ticket_type_admin_archive_action_archives(admin_client):
    ticket_type = TicketTypeFactory()

    admin_client.post(
        url(TicketType, "changelist"), {"action": "archive_selected", "_selected_action": [ticket_type.pk]}
    )

    ticket_type.refresh_from_db()
    assert ticket_type.archived


def test_ticket_type_admin_unarchive_action_unarchives(admin_client):
    ticket_type = TicketTypeFactory(archived=True)

    admin_client.post(
        url(TicketType, "changelist"), {"action": "unarchive_selected", "_selected_action": [ticket_type.pk]}
    )

    ticket_type.refresh_from_db()
    assert not ticket_type.archived


@pytest.mark.parametrize("name", ["tickettype", "ticketstate"])
def test_configuration_admin_refuses_delete(admin_client, name):
    obj = make(name)

    response = admin_client.post(url(type(obj), "delete", obj.pk), {"post": "yes"})

    assert response.status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_ticket_type_admin_offers_no_attribute_delete(admin_client):
    ticket_type = TicketAttributeFactory().ticket_type

    response = admin_client.get(url(TicketType, "change", ticket_type.pk))

    assert not response.context["inline_admin_formsets"][0].formset.can_delete


def test_ticket_state_form_refuses_archiving_the_last_state_of_a_category_of_a_type(admin_client):
    TicketTypeFactory()
    resolved = state(StateCategory.RESOLVED)
    data = {"internal_label": resolved.internal_label, "customer_label": resolved.customer_label,
            "category": resolved.category, "position": resolved.position, "archived": "on"}  # fmt: skip

    response = admin_client.post(url(type(resolved), "change", resolved.pk), data)

    assert response.status_code == 200
    assert form_errors(response)["__all__"]


def test_ticket_state_changelist_edits_positions(admin_client):
    submitted = state(StateCategory.SUBMITTED)
    states = list(type(submitted).objects.order_by("position", "pk"))
    data = {"form-TOTAL_FORMS": len(states), "form-INITIAL_FORMS": len(states), "_save": "Save"}
    for index, row in enumerate(states):
        data |= {f"form-{index}-id": row.pk, f"form-{index}-position": 99 if row == submitted else row.position}

    admin_client.post(url(type(submitted), "changelist"), data)

    submitted.refresh_from_db()
    assert submitted.position == 99


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
        admin_client.get(url(type(conversation), "change", conversation.pk))


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
    monkeypatch.setattr("helpdesk.outbox.enqueue", lambda event_id: enqueued.append(event_id) or True)

    admin_client.post(
        url(OutboxEvent, "changelist"), {"action": "enqueue_pending", "_selected_action": [pending.pk, done.pk]}
    )

    assert enqueued == [pending.pk]


def test_contact_admin_shows_a_messenger_link_that_signs_the_contact_in(client, db, settings):
    from django.urls import reverse

    from tests.factories import ContactFactory, TeammateFactory

    contact = ContactFactory()
    client.force_login(TeammateFactory(is_superuser=True))
    html = client.get(reverse("admin:inbox_contact_change", args=[contact.pk])).content.decode()
    path = html[html.index("/messenger/enter/") :].split("<")[0].strip()
    assert f"{settings.SITE_URL}{path}" in html  # absolute, to copy and send as it is

    client.logout()
    assert client.get(path)["Location"] == reverse("messenger:home")


def attribute_change_data(ticket_type: TicketType, attribute: TicketAttribute, **changes) -> dict:
    """POST data for the type's change form that keeps everything but `changes` to its one attribute."""
    data = type_form_data(
        name=ticket_type.name,
        states=list(ticket_type.states.all()),
        attributes=[
            {
                "id": attribute.pk,
                "key": attribute.key,
                "name": attribute.name,
                "kind": attribute.kind,
                "visible_on_create": "on",
                **changes,
            }
        ],  # fmt: skip
    )
    return data | {"attributes-INITIAL_FORMS": "1"}


@pytest.mark.parametrize("changes", [{"key": "order_no"}, {"kind": AttributeKind.INTEGER}])
def test_ticket_type_admin_refuses_a_new_key_or_kind_once_tickets_hold_values(admin_client, changes):
    ticket_type = TicketTypeFactory()
    attribute = add_order_number(ticket_type, visible_on_create=True)
    BackOfficeTicketFactory(ticket_type=ticket_type, attributes={"order": "1042"})

    response = admin_client.post(url(TicketType, "change", ticket_type.pk), attribute_change_data(
        ticket_type, attribute, **changes))  # fmt: skip

    assert response.status_code == 200
    errors = inline_errors(response)[0]
    assert set(errors) == set(changes)
    assert "Tickets already hold values of “Order number”" in errors[next(iter(changes))][0]
    attribute.refresh_from_db()
    assert (attribute.key, attribute.kind) == ("order", AttributeKind.TEXT)


def test_ticket_type_admin_lets_a_held_attribute_be_renamed_and_an_unused_one_rekeyed(admin_client):
    ticket_type = TicketTypeFactory()
    attribute = add_order_number(ticket_type, visible_on_create=True)
    BackOfficeTicketFactory(ticket_type=ticket_type)  # holds no value for it

    admin_client.post(url(TicketType, "change", ticket_type.pk), attribute_change_data(
        ticket_type, attribute, key="order_no", name="Order no."))  # fmt: skip

    attribute.refresh_from_db()
    assert (attribute.key, attribute.name) == ("order_no", "Order no.")


def test_ticket_type_add_page_offers_no_archived_state(admin_client):
    archived = TicketStateFactory(internal_label="Old triage", archived=True)

    page = admin_client.get(url(TicketType, "add"))

    offered = set(page.context["adminform"].form.fields["states"].queryset)
    assert set(default_states()) <= offered
    assert archived not in offered
    assert "Old triage" not in page.content.decode()


def test_ticket_type_change_page_keeps_the_archived_states_the_type_has(admin_client):
    held = TicketStateFactory(internal_label="Old triage")
    other = TicketStateFactory(internal_label="Old escalation", archived=True)
    ticket_type = TicketTypeFactory(states=[*default_states(), held])
    held.archived = True
    held.save(update_fields=["archived"])

    page = admin_client.get(url(TicketType, "change", ticket_type.pk))

    offered = set(page.context["adminform"].form.fields["states"].queryset)
    assert held in offered and other not in offered
    response = admin_client.post(
        url(TicketType, "change", ticket_type.pk),
        type_form_data(states=[*default_states(), held], name=ticket_type.name, icon=ticket_type.icon),
    )
    assert response.status_code == 302, form_errors(response)
    assert held in ticket_type.states.all()
