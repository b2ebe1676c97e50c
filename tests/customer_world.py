"""A contact's workspace planted with internal sentinels (`build_world`) and a sweep of every customer URL over
it (`Visitor`, `sweep_*`): what the customer leak test and the escaping test share."""

import re
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.test import Client
from django.urls import get_resolver, reverse

from helpdesk.outbox import apply_event, pending_event_ids
from inbox import actions as inbox_actions
from inbox.identity import user_hash
from inbox.messenger import messenger_link
from inbox.models import Attachment, Contact, Conversation, MessengerInstallation, PartKind
from tests.factories import (
    ContactFactory,
    TeamFactory,
    TeammateFactory,
    TicketAttributeFactory,
    TicketTypeFactory,
    add_order_number,
    default_states,
)
from tests.factories import state as default_state
from tests.files import pdf, png, text
from tickets import actions
from tickets.models import StateCategory, Ticket, TicketFormRequest, TicketState, TicketType

SENTINEL = re.compile(r"SENTINEL[A-Z0-9-]*", re.IGNORECASE)
CLEAN_SHARED_TITLE = "Refund for order 1042"
CLEAN_CUSTOMER_TITLE = "Broken lamp"
CLEAN_CUSTOMER_LABEL = "We are looking into it"
CLEAN_REPLY = "Thanks, we are on it."
CLEAN_TRACKER_REPLY = "The outage is over: checkout works again."
CLEAN_PHOTO = "lamp-photo.png"  # the contact's own file
CLEAN_INVOICE = "invoice-1042.pdf"  # a file of a reply to them
CLEAN_INVOICE_TEXT = "Invoice 1042, refunded"  # in its bytes
CLEAN_RECEIPT = "receipt-77.pdf"  # a file of a reply in their customer ticket


@dataclass
class World:
    """The signed-in contact's objects, and what each of their forms answers to a valid submission."""

    me: Contact
    my_tickets: set[int]
    pending_forms: set[int]  # a valid POST creates the ticket
    refused_forms: set[int]  # the form shows, but submitting is refused (archived type, rule 4, already sent)
    submitted_forms: set[int]  # GET leads to the ticket
    # What some pages must show, so that a sweep of empty pages cannot pass: what -> (page, clean text).
    visible_text: dict[str, tuple[str, str]]
    # The attachments the contact may download: of their own messages and of the replies to them.
    my_attachments: set[int]


@dataclass
class Sweep:
    requests: int = 0
    covered: set[str] = field(default_factory=set)
    ids: dict[str, set[int]] = field(default_factory=dict)  # URL name -> the object ids it was requested with
    wrong_statuses: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    bodies: dict[str, str] = field(default_factory=dict)  # the last body of each URL


def customer_url_names() -> set[str]:
    """Every URL name of every customer-facing namespace (`messenger`, `messenger-tickets`, any later one)."""
    names = set()
    for namespace, (_, resolver) in get_resolver().namespace_dict.items():
        if namespace.startswith("messenger"):
            names |= {f"{namespace}:{pattern.name}" for pattern in resolver.url_patterns if pattern.name}
    return names


# --- The workspace ---


def apply_outbox() -> None:
    """Deliver the cross-posts and state events into the conversations, as the Celery worker would."""
    for _ in range(10):
        pending = pending_event_ids(older_than=timedelta(0))
        if not pending:
            return
        for event_id in pending:
            apply_event(event_id)


def types_and_people() -> dict:
    team = TeamFactory(name="SENTINEL-TEAM")
    # The teammate who replies signs with a first name, as a support team does; the rest of them is internal.
    replier = TeammateFactory(
        first_name="Maya", last_name="SENTINEL-REPLIER-LAST", username="sentinel-replier", password="!"
    )
    worker = TeammateFactory(
        first_name="SENTINEL-WORKER-FIRST", last_name="SENTINEL-WORKER-LAST", username="sentinel-worker", password="!"
    )
    internal_state = TicketState.objects.create(
        internal_label="SENTINEL-STATE-INTERNAL",
        customer_label=CLEAN_CUSTOMER_LABEL,
        category=StateCategory.IN_PROGRESS,
    )
    refund = TicketTypeFactory(name="Refund request", description="SENTINEL-TYPE-DESCRIPTION")
    order = TicketTypeFactory(name="Order problem", description="SENTINEL-TYPE-DESCRIPTION-2", customer=True)
    for ticket_type in (refund, order):
        ticket_type.states.add(internal_state)
        add_order_number(ticket_type)
        TicketAttributeFactory(
            ticket_type=ticket_type, key="risk", name="SENTINEL-ATTR-NAME", description="SENTINEL-ATTR-DESCRIPTION"
        )
    return {
        "team": team,
        "replier": replier,
        "worker": worker,
        "internal_state": internal_state,
        "refund": refund,
        "order": order,
        "fraud": TicketTypeFactory(name="SENTINEL-FRAUD-TYPE", never_shared=True),
        "outage": TicketTypeFactory(
            name="SENTINEL-OUTAGE-TYPE", tracker=True, states=[*default_states(), default_state(StateCategory.RESOLVED)]
        ),
        "old": TicketTypeFactory(name="Old form"),
    }


def conversation_of(contact: Contact, subject: str, message: str, w: dict, *, files: bool = False) -> Conversation:
    """A conversation with a reply and an internal note; with `files`, each carries attachments (the note's, and
    another contact's, are sentinels in name and bytes)."""
    own = contact.name != "SENTINEL-OTHER-CONTACT"
    mine = [png(CLEAN_PHOTO)] if own else [text("SENTINEL-OTHER-FILE.txt", "SENTINEL-OTHER-FILE-BYTES")]
    conversation = inbox_actions.start_conversation(
        contact_id=contact.pk, subject=subject, body=message, attachments=mine if files else ()
    )
    reply_file = pdf(CLEAN_INVOICE, CLEAN_INVOICE_TEXT) if own else pdf("SENTINEL-OTHER-REPLY.pdf", "SENTINEL-BYTES")
    reply_files = [reply_file] if files else []
    inbox_actions.post_reply(
        actor=w["replier"], conversation_id=conversation.pk, body=CLEAN_REPLY, attachments=reply_files
    )
    note_files = [text("SENTINEL-NOTE-FILE.txt", "SENTINEL-NOTE-FILE-BYTES")] if files else []
    inbox_actions.post_note(
        actor=w["worker"], conversation_id=conversation.pk, body="SENTINEL-CONVERSATION-NOTE", attachments=note_files
    )
    inbox_actions.assign_conversation(
        actor=w["worker"], conversation_id=conversation.pk, assignee_id=w["worker"].pk, team_id=w["team"].pk
    )
    return conversation


def worked(ticket: Ticket, w: dict, *, into: TicketState | None = None) -> Ticket:
    """Notes (one cross-posted unless a customer ticket), and a move into the internal state and (without
    `into`) out of it."""
    actions.post_ticket_note(actor=w["worker"], ticket_id=ticket.pk, body="SENTINEL-TICKET-NOTE")
    if ticket.category != "customer":
        actions.post_ticket_note(
            actor=w["worker"],
            ticket_id=ticket.pk,
            body="SENTINEL-CROSS-POSTED-NOTE",
            cross_post=True,
            attachments=[text("SENTINEL-CROSS-POSTED-FILE.txt", "SENTINEL-CROSS-POSTED-FILE-BYTES")],
        )
    if ticket.category != "tracker":
        actions.change_ticket_state(actor=w["worker"], ticket_id=ticket.pk, state_id=w["internal_state"].pk)
    final = into or default_state(StateCategory.IN_PROGRESS)
    actions.change_ticket_state(actor=w["worker"], ticket_id=ticket.pk, state_id=final.pk)
    return ticket


def back_office(w: dict, kind: str, title: str, **links) -> Ticket:
    return actions.create_back_office_ticket(
        actor=w["worker"],
        ticket_type_id=w[kind].pk,
        title=title,
        description="SENTINEL-BACK-OFFICE-DESCRIPTION",
        attributes={"order": "1042", "risk": "SENTINEL-ATTR-VALUE"} if kind == "refund" else {},
        assignee_id=w["worker"].pk,
        team_id=w["team"].pk,
        **links,
    )


def send_form(w: dict, conversation: Conversation, kind: str) -> TicketFormRequest:
    return actions.send_ticket_form(actor=w["replier"], conversation_id=conversation.pk, ticket_type_id=w[kind].pk)


def build_world() -> World:
    w = types_and_people()
    me = ContactFactory(name="Lena García")
    other = ContactFactory(name="SENTINEL-OTHER-CONTACT", email="sentinel-other@example.com")

    # A conversation with a shared back-office ticket, an unshared one and a tracker; the refund form sent
    # before the share can no longer be submitted (rule 4).
    refund_talk = conversation_of(me, "Refund please", "My order 1042 never came.", w, files=True)
    conflicted = send_form(w, refund_talk, "refund")
    shared = worked(back_office(w, "refund", CLEAN_SHARED_TITLE, conversation_id=refund_talk.pk, share=True), w)
    worked(back_office(w, "fraud", "SENTINEL-UNSHARED-TITLE", conversation_id=refund_talk.pk), w)
    tracker = actions.create_tracker_ticket(actor=w["worker"], ticket_type_id=w["outage"].pk, title="SENTINEL-TRACKER")
    actions.link_to_tracker(actor=w["worker"], tracker_id=tracker.pk, conversation_id=refund_talk.pk)

    # A customer ticket, left in the internal state, with an unshared ticket linked to it (rule 5).
    own = actions.create_customer_ticket(
        actor=w["worker"],
        ticket_type_id=w["order"].pk,
        contact_id=me.pk,
        title=CLEAN_CUSTOMER_TITLE,
        description="SENTINEL-CUSTOMER-DESCRIPTION",
        attributes={"order": "77", "risk": "SENTINEL-ATTR-VALUE-2"},
        assignee_id=w["worker"].pk,
        team_id=w["team"].pk,
    )
    worked(own, w, into=w["internal_state"])
    actions.post_ticket_reply(
        actor=w["replier"], ticket_id=own.pk, body="Here is your receipt.", attachments=[pdf(CLEAN_RECEIPT)]
    )
    worked(back_office(w, "refund", "SENTINEL-LINKED-TITLE", customer_ticket_id=own.pk), w)
    actions.link_to_tracker(actor=w["worker"], tracker_id=tracker.pk, customer_ticket_id=own.pk)
    worked(tracker, w)
    # The resolved tracker's one reply (signed by its sender's first name, as every reply is) reaches both; nothing
    # else of the tracker does.
    actions.change_ticket_state(
        actor=w["worker"], ticket_id=tracker.pk, state_id=default_state(StateCategory.RESOLVED).pk
    )
    actions.send_tracker_reply(actor=w["replier"], tracker_id=tracker.pk, body=CLEAN_TRACKER_REPLY)

    # Forms: a back-office one and a customer one to fill, one of a type archived since, one already sent.
    pending = {
        send_form(w, conversation_of(me, "A second refund", "Order 1043 too.", w), "refund").pk,
        send_form(w, conversation_of(me, "A broken lamp", "It arrived broken.", w), "order").pk,
    }
    archived = send_form(w, conversation_of(me, "An old question", "Hello?", w), "old")
    actions.archive_ticket_type(ticket_type_id=w["old"].pk)
    sent = send_form(w, conversation_of(me, "A third refund", "Order 1044.", w), "refund")
    submitted = actions.submit_ticket_form(
        contact_id=me.pk, form_id=sent.pk, title="Refund 1044", attributes={"order": "1044"}
    )
    worked(submitted, w)

    # The other contact: their conversation, tickets and forms are all sentinels.
    theirs = conversation_of(other, "SENTINEL-OTHER-SUBJECT", "SENTINEL-OTHER-MESSAGE", w, files=True)
    back_office(w, "refund", "SENTINEL-OTHER-SHARED", conversation_id=theirs.pk, share=True)
    their_own = actions.create_customer_ticket(
        actor=w["worker"],
        ticket_type_id=w["order"].pk,
        contact_id=other.pk,
        title="SENTINEL-OTHER-TICKET",
        attributes={"order": "5"},
    )
    inbox_actions.record_customer_message(
        conversation_id=their_own.thread_id,
        body="SENTINEL-OTHER-TICKET-MESSAGE",
        attachments=[text("SENTINEL-OTHER-TICKET-FILE.txt", "SENTINEL-OTHER-TICKET-FILE-BYTES")],
    )
    send_form(w, conversation_of(other, "SENTINEL-OTHER-FORM-SUBJECT", "SENTINEL-OTHER-MESSAGE-2", w), "refund")
    apply_outbox()
    mine = Attachment.objects.filter(
        part__conversation__contact=me, part__kind__in=[PartKind.CUSTOMER_MESSAGE, PartKind.REPLY]
    )
    photo, invoice, receipt = (mine.get(name=name) for name in (CLEAN_PHOTO, CLEAN_INVOICE, CLEAN_RECEIPT))

    return World(
        me=me,
        my_tickets={shared.pk, own.pk, submitted.pk},
        pending_forms=pending,
        refused_forms={conflicted.pk, archived.pk},
        submitted_forms={sent.pk},
        visible_text={
            "shared ticket's past state": (f"ticket {shared.pk}", CLEAN_CUSTOMER_LABEL),
            "customer ticket's state": (f"ticket {own.pk}", CLEAN_CUSTOMER_LABEL),
            "a teammate's reply": (f"conversation {refund_talk.pk}", CLEAN_REPLY),
            "the tracker's reply to its customers": (f"conversation {refund_talk.pk}", CLEAN_TRACKER_REPLY),
            "the tracker's reply in the customer ticket": (f"conversation {own.thread_id}", CLEAN_TRACKER_REPLY),
            "the shared ticket in its conversation": (f"conversation-tickets {refund_talk.pk}", CLEAN_SHARED_TITLE),
            "the shared ticket in its conversation's page": (f"conversation {refund_talk.pk}", CLEAN_SHARED_TITLE),
            "the customer ticket in the list": ("tickets", CLEAN_CUSTOMER_TITLE),
            "the customer ticket in the live list": ("tickets live", CLEAN_CUSTOMER_TITLE),
            "the contact's own file": (f"conversation {refund_talk.pk}", CLEAN_PHOTO),
            "the file of a reply to them": (f"conversation {refund_talk.pk}", CLEAN_INVOICE),
            "the bytes of the file of a reply to them": (f"attachment {invoice.pk}", CLEAN_INVOICE_TEXT),
            "the name of the file of a reply to them": (f"attachment {invoice.pk} headers", CLEAN_INVOICE),
            "the contact's own image, shown inline": (f"attachment {photo.pk} headers", "inline"),
            "the file of a reply in their customer ticket": (f"conversation {own.thread_id}", CLEAN_RECEIPT),
        },
        my_attachments={photo.pk, invoice.pk, receipt.pk},
    )


# --- The sweep ---


class Visitor:
    """Requests one URL, checks its status, follows a redirect, and records any sentinel in the bodies."""

    def __init__(self, client: Client, sweep: Sweep):
        self.client, self.sweep = client, sweep

    def __call__(
        self, method: str, name: str, args: tuple = (), *, expect: int, data: dict | None = None, key: str = "", **kw
    ):
        url = reverse(name, args=args)
        response = getattr(self.client, method)(url, data or {}, **kw)
        body = body_of(response)
        self.sweep.requests += 1
        self.sweep.covered.add(name)
        if args and isinstance(args[0], int):
            self.sweep.ids.setdefault(name, set()).add(args[0])
        if response.status_code != expect:
            self.sweep.wrong_statuses.append(
                f"{method.upper()} {url} {data or ''}: {response.status_code}, not {expect}"
            )
        # The headers too: a file's name is in its Content-Disposition.
        headers = "\n".join(f"{header}: {value}" for header, value in response.items())
        self.check(f"{method.upper()} {url}", body + "\n" + headers)
        if key:
            self.sweep.bodies[key] = body
            self.sweep.bodies[f"{key} headers"] = headers
        if response.status_code == 302:
            followed = self.client.get(response["Location"])
            self.sweep.requests += 1
            self.check(f"GET {response['Location']} (after {method.upper()} {url})", body_of(followed))
        return response

    def check(self, request: str, body: str) -> None:
        if found := sorted(set(SENTINEL.findall(body))):
            self.sweep.leaks.append(f"{request}: {', '.join(found)}")


def body_of(response) -> str:
    """A response's body as text, a streamed one (a file) too: read once, and kept so that it can be read again."""
    if not response.streaming:
        return response.content.decode()
    content = b"".join(response.streaming_content)
    response.streaming_content = [content]
    return content.decode(errors="replace")


def all_ids(model) -> list[int]:
    """Every id of `model` in the database, and one past the last (an object that does not exist)."""
    ids = sorted(model.objects.values_list("pk", flat=True))
    return [*ids, (ids[-1] if ids else 0) + 1000]


def live(region: str) -> dict:
    """A live region's poll: htmx's headers; with `data=STALE`, a version that is not the current one."""
    return {"headers": {"HX-Request": "true", "HX-Target": region}}


STALE = {"v": "stale"}  # never a version: a digest is hex, a thread's version a number


def sweep_pages(visit: Visitor, world: World) -> None:
    """GET every customer page with every id of its kind, and every live region's poll."""
    visit("get", "messenger:home", expect=200)
    visit("get", "messenger:home", expect=200, data=STALE, **live("messenger-conversations"))
    visit("get", "messenger-tickets:list", expect=200, key="tickets")
    visit("get", "messenger-tickets:list", expect=200, data=STALE, key="tickets live", **live("customer-tickets"))
    mine = set(Conversation.objects.filter(contact=world.me).values_list("pk", flat=True))
    for conversation_id in all_ids(Conversation):
        ok = 200 if conversation_id in mine else 404
        visit("get", "messenger:conversation", (conversation_id,), expect=ok, key=f"conversation {conversation_id}")
        visit("get", "messenger:conversation", (conversation_id,), expect=ok, **live("messenger-thread"))
        visit("get", "messenger:conversation", (conversation_id,), expect=ok, data=STALE, **live("messenger-thread"))
        name = "messenger-tickets:conversation-tickets"
        visit("get", name, (conversation_id,), expect=ok, key=f"conversation-tickets {conversation_id}")
        visit("get", name, (conversation_id,), expect=ok, data=STALE, **live("conversation-tickets"))
    for ticket_id in all_ids(Ticket):
        ok = 200 if ticket_id in world.my_tickets else 404
        visit("get", "messenger-tickets:ticket", (ticket_id,), expect=ok, key=f"ticket {ticket_id}")
        visit("get", "messenger-tickets:ticket", (ticket_id,), expect=ok, **live("ticket-status"))
        visit("get", "messenger-tickets:ticket", (ticket_id,), expect=ok, data=STALE, **live("ticket-status"))
    for attachment_id in all_ids(Attachment):
        ok = 200 if attachment_id in world.my_attachments else 404
        visit("get", "messenger:attachment", (attachment_id,), expect=ok, key=f"attachment {attachment_id}")
    for form_id in all_ids(TicketFormRequest):
        expect = (
            302
            if form_id in world.submitted_forms
            else 200
            if form_id in world.pending_forms | world.refused_forms
            else 404
        )
        visit("get", "messenger-tickets:form", (form_id,), expect=expect)


def form_data(form_id: int) -> dict:
    """What a customer fills in the form: a title and every customer-visible attribute (all text here)."""
    form = TicketFormRequest.objects.filter(pk=form_id).first()
    keys = form.ticket_type.attributes.filter(visible_to_customers=True, archived=False) if form else []
    return {"title": "Please refund me", **{f"attr_{attribute.key}": "1042" for attribute in keys}}


def sweep_posts(visit: Visitor, world: World) -> None:
    """POST every customer form with every id of its kind: invalid, tampered, then valid data."""
    visit("post", "messenger:start", data={"subject": "New", "body": " "}, expect=422)
    visit("post", "messenger:start", data={"subject": "New", "body": "A new question"}, expect=302)
    mine = set(Conversation.objects.filter(contact=world.me).values_list("pk", flat=True))
    for conversation_id in all_ids(Conversation):
        own = conversation_id in mine
        visit("post", "messenger:write", (conversation_id,), data={"body": " "}, expect=422 if own else 404)
        visit("post", "messenger:write", (conversation_id,), data={"body": "Any news?"}, expect=302 if own else 404)
    tampered = {
        # A prefix: tests/test_escaping.py runs this sweep with markup appended to every name.
        "ticket_type": TicketType.objects.get(name__startswith="SENTINEL-FRAUD-TYPE").pk,
        "conversation": Conversation.objects.exclude(contact=world.me).values_list("pk", flat=True).first(),
        "share": "on",
        "attr_risk": "1",
    }
    for form_id in all_ids(TicketFormRequest):
        own = form_id in world.pending_forms | world.refused_forms | world.submitted_forms
        refused = 422 if own else 404
        visit("post", "messenger-tickets:form", (form_id,), data={"title": ""}, expect=refused)
        visit("post", "messenger-tickets:form", (form_id,), data=form_data(form_id) | tampered, expect=refused)
        ok = 302 if form_id in world.pending_forms else refused
        response = visit("post", "messenger-tickets:form", (form_id,), data=form_data(form_id), expect=ok)
        if response.status_code == 302:
            world.my_tickets.add(int(response["Location"].rstrip("/").rsplit("/", 1)[-1]))
            world.pending_forms.discard(form_id)
            world.submitted_forms.add(form_id)


def sweep_entry_and_exit(visit: Visitor, world: World) -> None:
    token = messenger_link(world.me).rstrip("/").rsplit("/", 1)[-1]
    visit("get", "messenger:enter", (token[:-2] + "xx",), expect=403)
    visit("get", "messenger:enter", (token,), expect=302)
    sweep_embed(visit, world)


def sweep_embed(visit: Visitor, world: World) -> None:
    """The website's frame: refused for another origin or another user's hash; a signed-in contact is past the
    visitor's pages, and is no lead to leave an email; then the sweep goes on in the frame's session, as `me`."""
    installation = MessengerInstallation.objects.get(pk=1)
    installation.allowed_origins = "https://www.example.com"
    installation.save(update_fields=["allowed_origins"])
    issued_at, user_id = int(time.time()), Contact.objects.get(pk=world.me.pk).external_id  # as planted, if it was
    mine = {"user_id": user_id, "issued_at": str(issued_at),
            "user_hash": user_hash(installation.secret, user_id, issued_at)}  # fmt: skip
    allowed, other = {"Origin": "https://www.example.com"}, {"Origin": "https://evil.example.net"}
    visit("post", "messenger-embed:open", data=mine, headers=other, expect=403)
    visit("get", "messenger:enter", (token_of(world.me),), expect=302)
    visit("get", "messenger-embed:welcome", expect=302)
    visit("post", "messenger-embed:start", data={"body": "Hello"}, expect=302)
    visit("post", "messenger-embed:email", data={"email": "me@example.com"}, expect=422)
    visit("post", "messenger-embed:open", data=mine | {"user_id": "someone-else"}, headers=allowed, expect=403)
    visit("post", "messenger-embed:open", data=mine, headers=allowed, expect=302)


def token_of(contact: Contact) -> str:
    return messenger_link(contact).rstrip("/").rsplit("/", 1)[-1]
