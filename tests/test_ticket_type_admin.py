"""Configuring ticket types, their attributes and states in the admin: the rules the forms hold."""

import pytest

from tests.admin_pages import (
    attribute_change_data,
    form_errors,
    inline_errors,
    make,
    type_form_data,
    url,
)
from tests.factories import (
    BackOfficeTicketFactory,
    TicketAttributeFactory,
    TicketStateFactory,
    TicketTypeFactory,
    add_order_number,
    default_states,
    state,
)
from tickets.models import AttributeKind, SharingPolicy, StateCategory, TicketAttribute, TicketCategory, TicketType

pytestmark = pytest.mark.django_db


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
