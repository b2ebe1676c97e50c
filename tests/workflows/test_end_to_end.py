"""Issue 5's end-to-end case through Redis and a real Celery worker process."""

import pytest
from django.urls import reverse

from inbox import actions as inbox_actions
from tests.factories import ContactFactory, TeamFactory, TeammateFactory, TicketAttributeFactory, TicketTypeFactory
from tests.worker import wait_for
from tickets import actions as ticket_actions
from tickets.models import Ticket, TicketFormRequest
from workflows.models import ActionKind, ConditionField, Operator, Trigger, Workflow, WorkflowAction, WorkflowCondition

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_refund_workflow_sends_the_form_and_the_shared_ticket_reaches_billing(worker, client):
    billing = TeamFactory(name="Billing")
    refund = TicketTypeFactory(name="Refund request")
    TicketAttributeFactory(
        ticket_type=refund, key="order", name="Order number", visible_to_customers=True, required_for_customers=True
    )
    flow = Workflow.objects.create(name="Refund form", trigger=Trigger.CONVERSATION_STARTED)
    WorkflowCondition.objects.create(
        workflow=flow, field=ConditionField.MESSAGE_TEXT, operator=Operator.CONTAINS, value="refund"
    )
    WorkflowAction.objects.create(workflow=flow, kind=ActionKind.SEND_TICKET_FORM, ticket_type=refund, team=billing)
    contact = ContactFactory()

    conversation = inbox_actions.start_conversation(contact_id=contact.pk, body="I need a REFUND for order 42")
    form = wait_for(lambda: TicketFormRequest.objects.filter(conversation=conversation).first())
    ticket = ticket_actions.submit_ticket_form(
        contact_id=contact.pk, form_id=form.pk, title="Refund order 42", attributes={"order": "42"}
    )

    assert Ticket.objects.get(pk=ticket.pk).linked_conversation == conversation and ticket.is_shared
    client.force_login(TeammateFactory())
    page = client.get(reverse("tickets:list", args=[f"team-{billing.pk}"]))
    assert "Refund order 42" in page.content.decode()


def test_workflow_does_not_send_the_form_without_the_word(worker):
    refund = TicketTypeFactory(name="Refund request")
    flow = Workflow.objects.create(name="Refund form", trigger=Trigger.CONVERSATION_STARTED)
    WorkflowCondition.objects.create(
        workflow=flow, field=ConditionField.MESSAGE_TEXT, operator=Operator.CONTAINS, value="refund"
    )
    WorkflowAction.objects.create(workflow=flow, kind=ActionKind.SEND_TICKET_FORM, ticket_type=refund)

    conversation = inbox_actions.start_conversation(contact_id=ContactFactory().pk, body="Where is my parcel?")

    run = wait_for(lambda: flow.runs.filter(conversation=conversation).first())
    assert run.status == "skipped"
    assert not TicketFormRequest.objects.exists()
