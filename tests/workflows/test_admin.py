"""Configuring workflows in the admin: ordered actions, rule 10 for ticket forms, recent runs."""

import html
import json
import re

import pytest
from django.urls import reverse

from tests.factories import ConversationFactory, TeammateFactory, TicketStateFactory, TicketTypeFactory
from workflows.actions import run_workflow
from workflows.models import (
    ACTION_FIELDS,
    ActionKind,
    ConditionField,
    Operator,
    Trigger,
    Workflow,
    WorkflowAction,
    WorkflowCondition,
)
from workflows.selectors import Facts

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(TeammateFactory(is_superuser=True))
    return client


def post_data(admin_client, actions: list[dict], **workflow) -> dict:
    """The add form's fields, with its inline formsets' management data, as the admin page posts them."""
    page = admin_client.get(reverse("admin:workflows_workflow_add"))
    data = {"name": "Refunds", "trigger": Trigger.CONVERSATION_STARTED, "match": "all", "enabled": "on", **workflow}
    for inline in page.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        rows = actions if prefix == "actions" else []
        data |= {f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": 0}
        for i, row in enumerate(rows):
            data |= {f"{prefix}-{i}-{key}": value for key, value in row.items()}
    return data


def test_workflow_admin_saves_ordered_actions(admin_client):
    refund = TicketTypeFactory(name="Refund request")
    actions = [
        {"position": 2, "kind": ActionKind.ADD_NOTE, "note": "Sent the refund form"},
        {"position": 1, "kind": ActionKind.SEND_TICKET_FORM, "ticket_type": refund.pk},
    ]

    response = admin_client.post(reverse("admin:workflows_workflow_add"), post_data(admin_client, actions))

    assert response.status_code == 302
    assert [a.kind for a in Workflow.objects.get().actions.all()] == [ActionKind.SEND_TICKET_FORM, ActionKind.ADD_NOTE]


@pytest.mark.parametrize("traits", [{"never_shared": True}, {"tracker": True}])
def test_workflow_admin_refuses_send_ticket_form_of_an_excluded_type(admin_client, traits):
    excluded = TicketTypeFactory(**traits)
    actions = [{"position": 1, "kind": ActionKind.SEND_TICKET_FORM, "ticket_type": excluded.pk}]

    response = admin_client.post(reverse("admin:workflows_workflow_add"), post_data(admin_client, actions))

    assert response.status_code == 200
    assert "can be sent as forms" in response.content.decode()
    assert not Workflow.objects.exists()


def test_workflow_admin_refuses_an_action_missing_its_fields(admin_client):
    actions = [{"position": 1, "kind": ActionKind.SNOOZE}]

    response = admin_client.post(reverse("admin:workflows_workflow_add"), post_data(admin_client, actions))

    assert "Say for how many minutes to snooze." in response.content.decode()
    assert not Workflow.objects.exists()


def test_workflow_admin_refuses_a_timed_trigger_without_wait(admin_client):
    data = post_data(admin_client, [], trigger=Trigger.UNANSWERED_FOR)

    response = admin_client.post(reverse("admin:workflows_workflow_add"), data)

    assert "Say how many minutes the conversation must wait." in response.content.decode()


def test_workflow_admin_shows_recent_runs(admin_client):
    flow = Workflow.objects.create(name="Greeter", trigger=Trigger.CONVERSATION_STARTED)
    conversation = ConversationFactory(subject="Hello there")
    run_workflow(workflow=flow, facts=Facts(conversation=conversation), trigger_key="event:1")

    html = admin_client.get(reverse("admin:workflows_workflow_change", args=[flow.pk])).content.decode()

    assert "Recent runs" in html and "Hello there" in html


def test_workflow_run_admin_is_read_only(admin_client):
    assert admin_client.get(reverse("admin:workflows_workflowrun_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:workflows_workflowrun_add")).status_code == 403


def test_workflow_admin_refuses_send_ticket_form_of_an_archived_type(admin_client):
    """Not offered, and refused when posted anyway."""
    archived = TicketTypeFactory(archived=True)
    actions = [{"position": 1, "kind": ActionKind.SEND_TICKET_FORM, "ticket_type": archived.pk}]

    response = admin_client.post(reverse("admin:workflows_workflow_add"), post_data(admin_client, actions))

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Workflow.objects.exists()


def inline_choices(page) -> dict[str, dict[str, set[int]]]:
    """The pks offered by each FK select of a new condition row and a new action row."""
    choices = {}
    for inline in page.context["inline_admin_formsets"]:
        form = inline.formset.empty_form
        fields = ["ticket_type", "ticket_state", "teammate"]
        choices[inline.formset.prefix] = {
            name: {obj.pk for obj in form.fields[name].queryset} for name in fields if name in form.fields
        }
    return choices


@pytest.fixture
def archived_world():
    live_type, archived_type = TicketTypeFactory(name="Refund request"), TicketTypeFactory(archived=True)
    live_state = TicketStateFactory(internal_label="Waiting on finance")
    archived_state = TicketStateFactory(internal_label="Old triage", archived=True)
    active, inactive = TeammateFactory(), TeammateFactory(is_active=False)
    return {
        "live": {"ticket_type": live_type.pk, "ticket_state": live_state.pk, "teammate": active.pk},
        "archived": {"ticket_type": archived_type.pk, "ticket_state": archived_state.pk, "teammate": inactive.pk},
    }


def test_workflow_add_page_offers_no_archived_type_or_state_nor_inactive_teammate(admin_client, archived_world):
    page = admin_client.get(reverse("admin:workflows_workflow_add"))

    choices = inline_choices(page)
    assert set(choices) == {"conditions", "actions", "runs"}
    for prefix, fields in [
        ("conditions", ["ticket_type", "ticket_state", "teammate"]),
        ("actions", ["ticket_type", "teammate"]),
    ]:
        for field in fields:
            assert archived_world["live"][field] in choices[prefix][field], (prefix, field)
            assert archived_world["archived"][field] not in choices[prefix][field], (prefix, field)


def change_data(page) -> dict:
    """The change form's data as the page shows it, inlines included: what a save without edits posts."""
    data = {}
    forms = [page.context["adminform"].form] + [
        form for inline in page.context["inline_admin_formsets"] for form in inline.formset.forms
    ]
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data |= {management.add_prefix(name): management[name].value() for name in management.fields}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else value
    return data


def test_workflow_naming_archived_things_still_shows_them_and_saves(admin_client, archived_world):
    archived = archived_world["archived"]
    flow = Workflow.objects.create(name="Legacy triage", trigger=Trigger.CUSTOMER_REPLIED)
    for field, name in [
        (ConditionField.TICKET_TYPE, "ticket_type"),
        (ConditionField.TICKET_STATE, "ticket_state"),
        (ConditionField.CONVERSATION_ASSIGNEE, "teammate"),
    ]:
        WorkflowCondition.objects.create(
            workflow=flow, field=field, operator=Operator.EQUALS, **{f"{name}_id": archived[name]}
        )
    WorkflowAction.objects.create(workflow=flow, position=1, kind=ActionKind.ASSIGN, teammate_id=archived["teammate"])
    change = reverse("admin:workflows_workflow_change", args=[flow.pk])

    page = admin_client.get(change)
    conditions = page.context["inline_admin_formsets"][0].formset.forms
    assert f'<option value="{archived["ticket_type"]}" selected>' in page.content.decode()
    for form, name in zip(conditions, ["ticket_type", "ticket_state", "teammate"], strict=True):
        assert archived[name] in {obj.pk for obj in form.fields[name].queryset}  # still shown as chosen
        assert archived_world["live"][name] in {obj.pk for obj in form.fields[name].queryset}
    data = change_data(page) | {"name": "Legacy triage, renamed"}
    response = admin_client.post(change, data)

    assert response.status_code == 302, response.context["errors"] if response.context else response
    flow.refresh_from_db()
    assert flow.name == "Legacy triage, renamed"
    assert [c.ticket_type_id or c.ticket_state_id or c.teammate_id for c in flow.conditions.all()] == [
        archived["ticket_type"],
        archived["ticket_state"],
        archived["teammate"],
    ]
    assert flow.actions.get().teammate_id == archived["teammate"]


def test_workflow_admin_gives_its_script_the_fields_of_each_kind_of_action_from_python(admin_client):
    page = admin_client.get(reverse("admin:workflows_workflow_add")).content.decode()

    attribute = re.search(r'data-fields-by-kind="([^"]+)"', page)
    assert attribute and json.loads(html.unescape(attribute.group(1))) == ACTION_FIELDS
    assert set(ACTION_FIELDS) == set(ActionKind.values)
