"""Configuring workflows in the admin: ordered actions, rule 10 for ticket forms, recent runs."""

import pytest
from django.urls import reverse

from tests.factories import ConversationFactory, TeammateFactory, TicketTypeFactory
from workflows.actions import run_workflow
from workflows.models import ActionKind, Trigger, Workflow
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


@pytest.mark.parametrize("traits", [{"never_shared": True}, {"tracker": True}, {"archived": True}])
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
