"""Text typed by admins, teammates and customers shows as text, never as markup (issue 11, item 2), and no private
page may be kept by a cache (item 6).

The leak test's workspace (tests/customer_world.py), with list and yes/no attributes, a contact attribute and
workflows added, gets MARKUP appended to every text field of every row of the apps' models: every CharField,
TextField and string in a JSONField that is neither a choice, a key (slug) nor a machine field, so that a field
added later is planted without a line here. Fresh events are then built from the planted names. Every customer
page (the leak test's sweep) and every teammate page (inbox views, conversation panes, the ticket side and panes,
ticket views with trackers, every form with its refusals and its success, the admin pages of every model) is
requested: no body holds the markup unescaped, or escaped twice, and each page that shows such text shows it
escaped (so the sweep cannot pass by showing nothing). Every response says `Cache-Control: private, no-store`.

The sweep runs once for the module (in a transaction rolled back after the last test); each test checks one thing.
"""

import json
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models, transaction
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from helpdesk.models import NotificationKind, OutboxEvent, WebhookEndpoint, WebhookTopic
from helpdesk.notify import notify
from helpdesk.tokens import create_api_token
from helpdesk.webhooks import queue_webhooks
from inbox import actions as inbox_actions
from inbox.mail.actions import receive_email
from inbox.models import Contact, Conversation, SavedReply, SavedReplyKind, StateEffect, Team, Teammate
from tests import customer_world as leaks
from tests.factories import TeammateFactory, TicketAttributeFactory, TicketTypeFactory
from tests.inbox.mail_messages import raw_email
from tests.teammate_pages import APPS, admin_names, live_types, sweep_admin, sweep_teammate_pages, teammate_url_names
from tickets import actions
from tickets.api import ticket_payload
from tickets.models import (
    AttributeKind,
    ResponseTarget,
    TargetKind,
    TeamHours,
    Ticket,
    TicketCategory,
    TicketState,
    TicketType,
    TrackerLink,
)
from workflows.models import ActionKind, ConditionField, Operator, Trigger, Workflow, WorkflowAction

MARKUP = '<a href="https://evil.example/x" id="planted">x</a><b>'
ESCAPED = escape(MARKUP)
RAW = ('<a href="https://evil.example', 'id="planted"')
TWICE = escape(ESCAPED)[:30]  # escaped twice, the reader would see "&lt;a href=..."
# Written by the code, never typed by anyone, and read back by it: a hash, event names, idempotency keys, payloads.
MACHINE_FIELDS = {
    "inbox.Teammate.password",
    "inbox.Part.event_type",
    "inbox.Part.source_key",
    "inbox.Part.data",
    # Made by the mail itself (reply addresses, message ids, keys, where a message came from), never typed.
    "inbox.Part.email_message_id",
    "inbox.Conversation.reply_token",
    "inbox.InboundEmail.source",
    "inbox.InboundEmail.source_key",
    "inbox.InboundEmail.envelope_to",
    "inbox.InboundEmail.message_id",
    "inbox.OutboundEmail.key",
    "inbox.OutboundEmail.message_id",
    "inbox.OutboundEmail.in_reply_to",
    "inbox.OutboundEmail.references",
    "inbox.OutboundEmail.reply_to",
    "tickets.TicketPart.event_type",
    "tickets.TicketPart.data",
    "helpdesk.OutboxEvent.kind",
    "helpdesk.OutboxEvent.handler",
    "helpdesk.OutboxEvent.payload",
    "helpdesk.LiveTopic.topic",
    # An API token's hash and the start of its key, its scopes (choices); an idempotency key's record, shown nowhere.
    "helpdesk.ApiToken.prefix",
    "helpdesk.ApiToken.key_hash",
    "helpdesk.ApiToken.scopes",
    "helpdesk.IdempotencyKey.key",
    "helpdesk.IdempotencyKey.fingerprint",
    "helpdesk.IdempotencyKey.content_type",
    # A webhook endpoint's secret and topics (choices), what the code wrote of its failures.
    "helpdesk.WebhookEndpoint.secret",
    "helpdesk.WebhookEndpoint.topics",
    "helpdesk.WebhookEndpoint.disabled_reason",
    "helpdesk.WebhookDelivery.last_error",
    # Append-only: the database refuses to plant into it; its rows are written from the planted values afterwards.
    "tickets.TicketAudit.actor_name",
    "tickets.TicketAudit.attribute",
    "tickets.TicketAudit.from_value",
    "tickets.TicketAudit.to_value",
    # Where a notification leads and what caused it (a path, an event's key), written by the code.
    "helpdesk.Notification.url",
    "helpdesk.Notification.key",
    # A team's business hours: a time zone's name and weekday digits, validated (the database refuses others).
    "tickets.TeamHours.time_zone",
    "tickets.TeamHours.weekdays",
    "workflows.WorkflowRun.trigger_key",
    "workflows.WorkflowRun.log",
    "inbox.Attachment.content_type",
    "tickets.TicketAttachment.content_type",
}
# Pages that show none of the planted text: the live poll and stream, signing out of the messenger, the note and
# tracker reply forms (a ticket number at most), the attachments (a file: its name is in a header), and a received
# message as it arrived (its bytes, plain text).
NO_TEXT = {
    "live-poll",
    "live-stream",
    "messenger:leave",
    "inbox:attachment",
    "tickets:attachment",
    "inbox:email-raw",
} | {
    "messenger:attachment",
    "tickets:note",
    "tickets:tracker-reply",
    "tickets:tracker-reply-form",
    # The sweep's back-office tickets are all shared or never shared: their share preview is a rule's refusal, and
    # a share refused is its message (the preview itself is the messenger's ticket page, swept as the customer's).
    "tickets:share-preview",
    "tickets:share",
    # The bell's count, and whether the teammate follows a ticket.
    "notification-count",
    "tickets:follow",
    # A delivery's status: the sweep's are delivered; a failed one's error is seen escaped in
    # tests/tickets/test_delivery.py.
    "tickets:delivery",
    # Refused in the sweep (no such email); a failed email sent again is its timeline, swept as it is.
    "inbox:email-resend",
}
# A received email as it arrived: text/plain with nosniff, never read as markup (tests/inbox/test_email_in.py).
PLAIN_TEXT_VIEWS = {"inbox:email-raw"}
# The pickers' options (static/js/app.js) and a saved reply filled in (static/js/saved_replies.js): JSON, text as data
# that the scripts show as text (the last tests).
JSON_VIEWS = {"inbox:teammate-options", "inbox:team-options", "inbox:saved-reply-render"}
# Django's own UserAdmin escapes the username into the password page's title, which its template escapes again:
# shown as text all the same, and not ours to change.
DJANGO_ESCAPES_TWICE = {"admin:auth_user_password_change"}


# --- Planting ---


def planted_fields() -> list[models.Field]:
    """Every text field of the apps' models a person can set: not a choice, a key (slug) or a machine field."""
    return [
        f
        for model in apps.get_models()
        if model._meta.app_label in APPS
        for f in model._meta.concrete_fields
        if isinstance(f, (models.CharField, models.TextField, models.JSONField))
        and not f.choices
        and not isinstance(f, models.SlugField)
        and f"{model._meta.label}.{f.name}" not in MACHINE_FIELDS
    ]


def planted(value, f: models.Field, pk: int):
    """`value` with MARKUP at the end of its text (of each string in a JSON value); unique ones end with the pk."""
    if isinstance(value, dict):
        return {key: planted(item, f, pk) for key, item in value.items()}
    if isinstance(value, list):
        return [planted(item, f, pk) for item in value]
    if not isinstance(value, str):
        return value  # numbers and yes/no values of attributes
    if isinstance(f, models.EmailField):
        local, _, domain = value.partition("@")
        return f"{local}{MARKUP}@{domain or 'example.com'}"
    suffix = MARKUP + (str(pk) if f.unique else "")
    return value[: (f.max_length or len(value)) - len(suffix)] + suffix


def plant() -> None:
    by_model: dict[type[models.Model], list[models.Field]] = {}
    for f in planted_fields():
        by_model.setdefault(f.model, []).append(f)
    for model, fields in by_model.items():
        for row in model.objects.values("pk", *(f.attname for f in fields)):
            changes = {f.attname: planted(row[f.attname], f, row["pk"]) for f in fields}
            model.objects.filter(pk=row["pk"]).update(**changes)


# --- The workspace ---


@dataclass
class Extras:
    worker: Teammate
    shared: Ticket
    tracker: Ticket
    internal_state: TicketState
    spares: list[Conversation]  # another contact's, nothing linked: the teammate's valid posts change them


def add_extras(world: leaks.World) -> Extras:
    """What the leak workspace lacks: list and yes/no attributes (with values), a customer form with them, a
    contact attribute, workflows."""
    worker = Teammate.objects.get(username="sentinel-worker")
    refund = TicketType.objects.get(name="Refund request")
    TicketAttributeFactory(ticket_type=refund, key="reason", name="Reason", kind=AttributeKind.LIST, options=["Late"])
    TicketAttributeFactory(ticket_type=refund, key="urgent", name="Urgent", kind=AttributeKind.BOOLEAN)
    shared = Ticket.objects.get(title=leaks.CLEAN_SHARED_TITLE)
    values = {"order": "1042", "risk": "high", "reason": "Late", "urgent": True}
    actions.update_ticket_attributes(
        actor=worker, ticket_id=shared.pk, title=shared.title, description="Lost", attributes=values
    )
    survey = TicketTypeFactory(name="Survey", description="How did we do?", customer=True)
    attributes = [
        ("mood", AttributeKind.LIST, ["Happy", "Sad"]),
        ("again", AttributeKind.BOOLEAN, []),
        ("remark", "text", []),
    ]
    for key, kind, options in attributes:
        TicketAttributeFactory(
            ticket_type=survey,
            key=key,
            name=key.title(),
            kind=kind,
            options=options,
            description=f"About {key}",
            visible_to_customers=True,
            required_for_customers=kind == AttributeKind.LIST,
        )
    talk = inbox_actions.start_conversation(contact_id=world.me.pk, subject="Feedback", body="Here it is.")
    form = actions.send_ticket_form(actor=worker, conversation_id=talk.pk, ticket_type_id=survey.pk)
    world.refused_forms.add(form.pk)  # the sweep's "1042" is no option of the list: every post shows the form again
    Contact.objects.filter(pk=world.me.pk).update(attributes={"plan": "gold"})
    noting = Workflow.objects.create(name="Note replies", trigger=Trigger.CUSTOMER_REPLIED)
    WorkflowAction.objects.create(workflow=noting, kind=ActionKind.ADD_NOTE, note="The customer wrote again.")
    gold = Workflow.objects.create(name="Gold plans", trigger=Trigger.CONVERSATION_STARTED, enabled=False)
    gold.conditions.create(field=ConditionField.CONTACT_ATTRIBUTE, attribute_key="plan", operator=Operator.EQUALS)
    # Saved replies: shared ones, filled in with planted names; another teammate's own, which nobody else sees.
    body = "Hi {{contact.name}}, about #{{ticket.number}} {{ticket.title}} ({{ticket.order}}), {{teammate.name}}."
    SavedReply.objects.create(name="Refund approved", body=body, state_effect=StateEffect.CLOSE, assign_to_me=True)
    SavedReply.objects.create(name="Escalate", body="Escalated: {{ticket.title}}", kind=SavedReplyKind.NOTE)
    SavedReply.objects.create(name="Mine", body="Hi", owner=worker, assign_team=Team.objects.first())
    create_api_token(actor=None, teammate_id=worker.pk, name="Billing console", scopes=["tickets:read"])
    endpoint = WebhookEndpoint.objects.create(
        name="Console", url="https://console.example/hooks", topics=["ticket.created"]
    )
    row = OutboxEvent.objects.create(kind="TicketCreated", payload={"ticket_id": shared.pk}, done_at=timezone.now())
    queue_webhooks(row=row, topic=WebhookTopic.TICKET_CREATED, data={"ticket": ticket_payload(shared.pk)})
    assert endpoint.deliveries.exists()
    other = Contact.objects.exclude(pk=world.me.pk).first()
    spares = [inbox_actions.start_conversation(contact_id=other.pk, subject="Spare", body="Hi") for _ in range(2)]
    return Extras(
        worker=worker,
        shared=shared,
        tracker=Ticket.objects.get(title="SENTINEL-TRACKER"),
        internal_state=TicketState.objects.get(internal_label="SENTINEL-STATE-INTERNAL"),
        spares=spares,
    )


def add_fresh_events(x: Extras) -> None:
    """Events written from planted names and labels: a workflow's note, state changes, an assignment."""
    conversation_id = x.shared.linked_conversation_id
    inbox_actions.record_customer_message(conversation_id=conversation_id, body="Any news?")
    back = x.shared.state_id
    for state_id in (x.internal_state.pk, back):
        actions.change_ticket_state(actor=x.worker, ticket_id=x.shared.pk, state_id=state_id)
    team_id = Team.objects.values_list("pk", flat=True).first()
    inbox_actions.assign_conversation(
        actor=x.worker, conversation_id=conversation_id, assignee_id=None, team_id=team_id
    )
    leaks.apply_outbox()


def notify_sweeper(teammate: Teammate, x: Extras) -> None:
    """Notifications for the sweeping teammate (written from names, then planted like the rest), a response target on
    the shared ticket and its team's business hours, for the bell, the notifications page, Due soon and the admin."""
    for kind in (NotificationKind.MENTIONED, NotificationKind.ASSIGNED):
        notify(
            recipient_ids=[teammate.pk],
            key=f"sweep-{kind}",
            kind=kind,
            text=f"{x.worker} mentioned you on ticket {x.shared}",
            url=f"/t/{x.shared.pk}/",
            body=x.shared.title,
        )
    due = timezone.now() + timedelta(hours=1)
    ResponseTarget.objects.create(ticket=x.shared, kind=TargetKind.FIRST_ACTION, due_at=due)
    TeamHours.objects.create(team_id=x.shared.team_id)


# --- Recording ---


@dataclass
class Record:
    """What the sweep saw, by view name: each response's status and body, and the first request of each view that
    showed the markup unescaped, escaped twice, or came without `private, no-store`."""

    pages: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    twice: dict[str, str] = field(default_factory=dict)
    cacheable: dict[str, str] = field(default_factory=dict)


class RecordingClient(Client):
    def __init__(self, record: Record, **kwargs):
        super().__init__(**kwargs)
        self.record = record

    def request(self, **request):
        response = super().request(**request)
        what = f"{request['REQUEST_METHOD']} {request['PATH_INFO']}?{request.get('QUERY_STRING', '')}"
        name, body = response.resolver_match.view_name, leaks.body_of(response)
        self.record.pages.setdefault(name, []).append((response.status_code, body))
        if any(raw in body for raw in RAW) and name not in PLAIN_TEXT_VIEWS:
            self.record.raw.setdefault(name, what)
        if TWICE in body and name not in DJANGO_ESCAPES_TWICE:
            self.record.twice.setdefault(name, what)
        cache_control = {part.strip() for part in response.get("Cache-Control", "").split(",")}
        if not {"private", "no-store"} <= cache_control:
            self.record.cacheable.setdefault(name, f"{what} {response.status_code}: {response.get('Cache-Control')}")
        return response


def sweep_changes(visit: leaks.Visitor, x: Extras) -> None:
    """Every teammate form posted valid once: what comes back shows the planted names too."""
    first, second = (spare.pk for spare in x.spares)
    team = Team.objects.values_list("pk", flat=True).first()
    visit("post", "inbox:conversation-message", (first,), data={"kind": "note", "body": "Seen."}, expect=200)
    visit("post", "inbox:conversation-assign", (first,), data={"assignee": x.worker.pk, "team": team}, expect=200)
    for name, data in (("snooze", {"preset": "1h"}), ("reopen", {}), ("close", {}), ("reopen", {})):
        visit("post", f"inbox:conversation-{name}", (first,), data=data, expect=200)
    customer_type = live_types(TicketCategory.CUSTOMER)[0].pk
    visit("post", "tickets:convert", (first,), data={"ticket_type": customer_type, "title": "Spare"}, expect=200)
    fraud = TicketType.objects.get(sharing_policy="never", category=TicketCategory.BACK_OFFICE).pk
    visit("post", "tickets:create", (second,), data={"ticket_type": fraud, "title": "Check"}, expect=200)
    outage = live_types(TicketCategory.TRACKER)[0].pk
    visit("post", "tickets:tracker-create", (second,), data={"ticket_type": outage, "title": "Down"}, expect=200)
    refund = TicketType.objects.get(name__startswith="Refund request").pk
    visit("post", "tickets:ticket-form-send", (second,), data={"ticket_type": refund}, expect=200)
    visit("post", "tickets:tracker-link", (first,), data={"tracker": x.tracker.pk}, expect=200)
    shared = (x.shared.pk,)
    visit("post", "tickets:note", shared, data={"body": "Looked.", "cross_post": "1"}, expect=200)
    visit("post", "tickets:state", shared, data={"state": x.internal_state.pk}, expect=200)
    visit("post", "tickets:assign", shared, data={"assignee": x.worker.pk, "team": team}, expect=200)
    visit("post", "tickets:attributes", shared, data={"title": "Refund", "attr_urgent": "on"}, expect=200)
    visit("post", "tickets:tracker-unlink", (x.tracker.pk, first), expect=200, **leaks.live("ticket-side"))
    linked = TrackerLink.objects.filter(tracker=x.tracker, conversation__isnull=False).first().conversation_id
    visit("post", "tickets:tracker-unlink", (x.tracker.pk, linked), expect=200)


@dataclass
class Swept:
    record: Record
    sweep: leaks.Sweep


@pytest.fixture(scope="module")
def swept(django_db_setup, django_db_blocker) -> Swept:
    """The planted workspace; every customer page as the leak test requests them, then every teammate change,
    page and admin page. Rolled back after the module's last test."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = leaks.build_world()
        extras = add_extras(world)
        superuser = TeammateFactory(username="admin", is_superuser=True, is_staff=True)
        notify_sweeper(superuser, extras)
        # A message received by email (its conversation, its raw view, its admin pages), and one that failed.
        receive_email(raw=raw_email(), source="test")
        receive_email(raw=b"Subject: No sender\r\n\r\nHello", source="test")
        leaks.apply_outbox()
        plant()
        add_fresh_events(extras)
        record, sweep = Record(), leaks.Sweep()
        customer = leaks.Visitor(RecordingClient(record), sweep)
        leaks.sweep_entry_and_exit(customer, world)
        for step in (leaks.sweep_pages, leaks.sweep_posts, leaks.sweep_pages):
            step(customer, world)
        customer("post", "messenger:leave", expect=200)
        client = RecordingClient(record)
        client.force_login(superuser)
        teammate = leaks.Visitor(client, sweep)
        sweep_changes(teammate, extras)
        sweep_teammate_pages(teammate, superuser)
        sweep_admin(teammate, superuser)
        yield Swept(record, sweep)
        transaction.set_rollback(True)


@pytest.fixture
def record(swept, db) -> Record:
    return swept.record


def test_escaping_plants_every_text_field_a_person_sets():
    names = {f"{f.model._meta.label}.{f.name}" for f in planted_fields()}

    assert {
        "inbox.Team.name",
        "inbox.Teammate.first_name",
        "inbox.Teammate.last_name",
        "inbox.Contact.name",
        "inbox.Contact.email",
        "inbox.Contact.attributes",
        "inbox.Conversation.subject",
        "inbox.Part.body",
        "tickets.TicketType.name",
        "tickets.TicketType.description",
        "tickets.TicketState.internal_label",
        "tickets.TicketState.customer_label",
        "tickets.TicketAttribute.name",
        "tickets.TicketAttribute.description",
        "tickets.TicketAttribute.options",
        "tickets.Ticket.title",
        "tickets.Ticket.description",
        "tickets.Ticket.attributes",
        "tickets.TicketPart.body",
        "inbox.Attachment.name",
        "tickets.TicketAttachment.name",
        "tickets.TrackerReply.body",
        "workflows.Workflow.name",
        "workflows.WorkflowCondition.value",
        "workflows.WorkflowAction.note",
    } <= names


def test_escaping_sweep_covers_every_teammate_customer_and_admin_url(swept, db):
    admin_urls = {
        name for model in admin.site._registry if model._meta.app_label in APPS for name in admin_names(model).values()
    }

    expected = teammate_url_names() | leaks.customer_url_names() | admin_urls
    assert expected - swept.sweep.covered == set()


def test_escaping_sweep_gets_the_statuses_it_expects(swept, db):
    assert swept.sweep.wrong_statuses == []


def test_no_page_shows_planted_markup_unescaped(record):
    assert record.raw == {}


def test_no_page_escapes_planted_markup_twice(record):
    assert record.twice == {}


def test_every_page_that_shows_text_shows_the_planted_markup_escaped(record):
    answered = {name for name, pages in record.pages.items() if any(status in (200, 422) for status, _ in pages)}
    showing = {name for name, pages in record.pages.items() if any(ESCAPED in body for _, body in pages)}

    assert answered - NO_TEXT - JSON_VIEWS - PLAIN_TEXT_VIEWS - showing == set()


@pytest.mark.parametrize("picker", ["teammate", "team"])
def test_picker_options_carry_planted_names_as_data_with_nothing_read_as_markup(swept, db, picker):
    body = swept.sweep.bodies[f"{picker}-options"]

    assert not {"<", ">", "&"} & set(body)
    assert any(MARKUP in row["text"] for row in json.loads(body)["results"])


def test_saved_reply_filled_in_carries_planted_names_as_data_with_nothing_read_as_markup(swept, db):
    body = swept.sweep.bodies["saved-reply"]

    assert not {"<", ">", "&"} & set(body)
    assert MARKUP in json.loads(body)["body"]


def test_every_teammate_and_customer_page_is_private_and_never_stored(record):
    assert record.cacheable == {}
