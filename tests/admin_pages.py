"""What the admin tests share: admin URLs, a row of each model, the ticket type form's data and errors."""

from django.urls import reverse
from django.utils import timezone

from helpdesk.models import OutboxEvent, WebhookEndpoint, WebhookTopic
from helpdesk.webhooks import queue_webhooks
from inbox.models import MessengerInstallation
from tests.factories import (
    BackOfficeTicketFactory,
    ContactFactory,
    PartFactory,
    SavedReplyFactory,
    TeamFactory,
    TeammateFactory,
    TicketAttributeFactory,
    default_states,
    state,
)
from tickets.models import AttributeKind, SharingPolicy, StateCategory, TicketAttribute, TicketCategory, TicketType

CHANGELIST_QUERIES = 12  # session, user, count(s), filters' choices and the page, whatever the number of rows


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def webhook_endpoint() -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(name="Console", url="https://console.example/h", topics=["ticket.created"])


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
        case "messengerinstallation":
            return MessengerInstallation.objects.get(pk=1)
        case "savedreply":
            return SavedReplyFactory(assign_teammate=TeammateFactory(), assign_team=TeamFactory())
        case "apitoken":
            from helpdesk.tokens import create_api_token

            return create_api_token(
                actor=None, teammate_id=TeammateFactory().pk, name="Tool", scopes=["tickets:read"]
            ).token
        case "webhookendpoint":
            return WebhookEndpoint.objects.create(name="Console", url="https://c.example/h", topics=["ticket.created"])
        case "webhookdelivery":
            WebhookEndpoint.objects.create(name="Console", url="https://c.example/h", topics=["ticket.created"])
            row = OutboxEvent.objects.create(kind="TicketCreated", payload={}, done_at=timezone.now())
            [delivery] = queue_webhooks(row=row, topic=WebhookTopic.TICKET_CREATED, data={})
            return delivery
        case "outboxevent":
            return OutboxEvent.objects.create(kind="ConversationStarted", payload={"conversation_id": 1})
    raise ValueError(name)


MODELS = [
    "team", "teammate", "contact", "conversation", "ticketstate", "tickettype", "ticket", "outboxevent",
    "messengerinstallation", "savedreply", "apitoken", "webhookendpoint", "webhookdelivery",
]  # fmt: skip


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
