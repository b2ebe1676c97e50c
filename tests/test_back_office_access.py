"""Need-to-know access (DESIGN.md section 7, tickets/access.py): a back-office-only teammate sees its team's tickets
and, through each, its linked conversation, read-only; never the inbox. A crawl as such a teammate over every
teammate URL, with every id in the database, finds nothing of what it may not see: everything it must not see holds
a HIDDEN- word, looked for in every response."""

import re
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from helpdesk.models import Notification, NotificationKind
from helpdesk.notify import notify
from helpdesk.tokens import create_api_token
from inbox import actions as inbox_actions
from inbox.mail.models import InboundEmail, OutboundEmail
from inbox.models import Attachment, Conversation, Part, SavedReply, Team, TeammateAccess
from tests.customer_world import apply_outbox, body_of
from tests.factories import (
    BackOfficeTicketFactory,
    ContactFactory,
    ConversationFactory,
    SavedReplyFactory,
    TeamFactory,
    TeammateFactory,
    TicketTypeFactory,
    TrackerTicketFactory,
)
from tests.files import text
from tests.teammate_pages import teammate_url_names
from tickets import actions
from tickets.models import Ticket, TicketAttachment, TicketPart
from tickets.selectors.lists import TICKET_VIEWS

pytestmark = pytest.mark.django_db

HIDDEN = re.compile(r"HIDDEN-[\w-]+")
SEEN = "Card charged twice"  # the subject of the conversation its ticket is linked to


@dataclass
class World:
    bea: object  # back office only, in Billing
    finn: object  # full access
    ticket: Ticket  # Billing's, linked to the conversation Bea sees
    seen: Conversation
    hidden: list[Conversation] = field(default_factory=list)
    hidden_tickets: list[Ticket] = field(default_factory=list)


@pytest.fixture
def world(attachments_folder) -> World:
    billing, fraud = TeamFactory(name="Billing"), TeamFactory(name="Fraud")
    bea = TeammateFactory(first_name="Bea", last_name="Back", access=TeammateAccess.BACK_OFFICE)
    bea.teams.add(billing)
    finn = TeammateFactory(first_name="Finn", last_name="Front")
    refund = TicketTypeFactory(name="Refund", default_team=billing)
    review = TicketTypeFactory(name="Fraud review", default_team=fraud)

    seen = ConversationFactory(subject=SEEN, contact=ContactFactory(name="Vera Seen"))
    inbox_actions.post_reply(actor=finn, conversation_id=seen.pk, body="We are looking into it.")
    inbox_actions.post_note(actor=finn, conversation_id=seen.pk, body="Billing, please refund.", attachments=[text()])
    ticket = BackOfficeTicketFactory(
        actor=finn, ticket_type=refund, conversation=seen, title="Refund the double charge"
    )
    actions.post_ticket_note(actor=finn, ticket_id=ticket.pk, body="Order 1234.", attachments=[text("order.txt")])

    hidden = []
    for n in (1, 2):
        conversation = ConversationFactory(
            subject=f"HIDDEN-subject-{n}", contact=ContactFactory(name=f"HIDDEN-contact-{n}", email=f"h{n}@example.com")
        )
        inbox_actions.post_note(
            actor=finn, conversation_id=conversation.pk, body=f"HIDDEN-note-{n}", attachments=[text(f"HIDDEN-{n}.txt")]
        )
        hidden.append(conversation)
    fraud_ticket = BackOfficeTicketFactory(actor=finn, ticket_type=review, conversation=hidden[0], title="HIDDEN-fraud")
    actions.post_ticket_note(
        actor=finn, ticket_id=fraud_ticket.pk, body="HIDDEN-fraud-note", attachments=[text("HIDDEN-f.txt")]
    )
    tracker = TrackerTicketFactory(
        actor=finn, ticket_type=TicketTypeFactory(tracker=True, default_team=fraud), title="HIDDEN-tracker"
    )
    actions.link_to_tracker(actor=finn, tracker_id=tracker.pk, conversation_id=hidden[1].pk)
    SavedReplyFactory(name="Greeting", body="Hello {{ contact.name }}")
    notify(recipient_ids=[finn.pk], key="k", kind=NotificationKind.MENTIONED, text="HIDDEN-notification", url="/")
    apply_outbox()
    return World(bea, finn, ticket, seen, hidden, [fraud_ticket, tracker])


def url_patterns() -> list[tuple[str, URLPattern]]:
    """(name, pattern) of every teammate page: the root's names and the inbox's and tickets' namespaces."""
    found = []
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace in ("inbox", "tickets"):
            found += [(f"{entry.namespace}:{p.name}", p) for p in entry.url_patterns if p.name]
        elif isinstance(entry, URLPattern) and entry.name:
            found.append((entry.name, entry))
    return [(name, pattern) for name, pattern in found if name in teammate_url_names()]


def ids(model) -> list[int]:
    existing = sorted(model.objects.values_list("pk", flat=True))
    return [*existing, (existing[-1] if existing else 0) + 1000]


def argument_values(name: str, argument: str) -> list:
    teams = [f"team-{pk}" for pk in Team.objects.values_list("pk", flat=True)]
    pools = {
        "conversation_id": lambda: ids(Conversation),
        "ticket_id": lambda: ids(Ticket),
        "attachment_id": lambda: ids(TicketAttachment if name.startswith("tickets:") else Attachment),
        "notification_id": lambda: ids(Notification),
        "saved_reply_id": lambda: ids(SavedReply),
        "inbound_email_id": lambda: ids(InboundEmail),
        "part_id": lambda: ids(TicketPart),
        "outbound_email_id": lambda: ids(OutboundEmail),
        "view": lambda: ["mine", "unassigned", "all", *TICKET_VIEWS, *teams],
    }
    return pools[argument]()


def addresses(name: str, pattern: URLPattern) -> list[str]:
    combinations: list[dict] = [{}]
    for argument in pattern.pattern.converters:
        combinations = [{**c, argument: value} for c in combinations for value in argument_values(name, argument)]
    return [reverse(name, kwargs=c) for c in combinations]


def queries() -> list[dict]:
    """The query strings that name things: the palette's and a saved reply's ids, the search's words and item."""
    every = [{}, {"q": "HIDDEN", "kind": "conversations"}, {"q": "HIDDEN", "kind": "contacts"}, {"q": "HIDDEN"}]
    every += [{"conversation": pk, "q": "HIDDEN"} for pk in ids(Conversation)]
    every += [{"ticket": pk, "q": "HIDDEN"} for pk in ids(Ticket)]
    every += [{"open": pk, "kind": "tickets", "q": "HIDDEN"} for pk in ids(Ticket)]
    return every


def params_of(name: str) -> list[dict]:
    if name in ("palette", "search", "inbox:saved-reply-render"):
        return queries()
    if name == "live-stream":  # a good stream never ends: a refused one
        return [{"topics": "<b>"}]
    if name == "live-poll":  # sequence numbers only, of any topic
        return [{"topics": " ".join(f"conversation-{pk}" for pk in ids(Conversation)), "since": 0}]
    return [{}]


def snapshot() -> tuple:
    """What a request could change in what Bea may not touch: the conversations' and tickets' parts and states."""
    return (
        list(Part.objects.order_by("pk").values_list("pk", "body")),
        list(TicketPart.objects.order_by("pk").values_list("pk", "body")),
        list(Conversation.objects.order_by("pk").values_list("pk", "state", "assignee_id", "team_id")),
        list(Ticket.objects.exclude(pk=0).order_by("pk").values_list("pk", "is_shared")),
    )


def crawl(client, methods=("get", "post")) -> tuple[set[str], list[str], list[str]]:
    """Every teammate URL with every id, GET and POST (with what a query names, and no form): the names covered, the
    5xx answers, the HIDDEN words seen."""
    leaks, errors, covered = [], [], set()
    for name, pattern in url_patterns():
        for address in addresses(name, pattern):
            covered.add(name)
            for params in params_of(name):
                for method in methods:
                    response = getattr(client, method)(address, params)
                    body = body_of(response)
                    if response.status_code == 302:
                        body += body_of(client.get(response["Location"]))
                    if response.status_code >= 500:
                        errors.append(f"{method} {address} {params}: {response.status_code}")
                    if found := sorted(set(HIDDEN.findall(body))):
                        leaks.append(f"{method.upper()} {address} {params}: {', '.join(found)}")
    return covered, errors, leaks


def test_a_crawl_as_a_back_office_only_teammate_finds_nothing_beyond_its_tickets(client, world):
    client.force_login(world.finn)
    seen_by_finn = crawl(client, methods=("get",))[2]  # the crawl sees what a full teammate sees: every HIDDEN word
    assert {word for leak in seen_by_finn for word in HIDDEN.findall(leak)} >= {
        "HIDDEN-subject-1",
        "HIDDEN-contact-2",
        "HIDDEN-note-1",
        "HIDDEN-fraud-note",
        "HIDDEN-tracker",
        "HIDDEN-2",
    }
    client.force_login(world.bea)
    before = snapshot()
    covered, errors, leaks = crawl(client)
    assert covered == {name for name, _ in url_patterns()}
    assert errors == []
    assert leaks == []
    assert snapshot() == before  # nothing it may not touch changed, nor anything else of the conversations'


def test_it_sees_its_ticket_and_the_linked_conversation_read_only(client, world):
    client.force_login(world.bea)
    assert client.get(reverse("inbox:home"))["Location"] == reverse("tickets:list", args=["mine"])
    page = client.get(reverse("tickets:open", args=[world.ticket.pk]), follow=True)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Refund the double charge" in html and SEEN in html and "Billing, please refund." in html
    assert "Read-only: you see it through this ticket" in html
    assert reverse("inbox:conversation-message", args=[world.seen.pk]) not in html  # no composer for it
    assert f"Internal note on #{world.ticket.pk}" in html  # its own ticket's composer is there
    timeline = client.get(reverse("inbox:conversation-timeline", args=[world.seen.pk]))
    assert timeline.status_code == 200 and "We are looking into it." in timeline.content.decode()


@pytest.mark.parametrize(
    "name, args",
    [
        ("inbox:view", "all"),
        ("inbox:view", "mine"),
        ("tickets:conversation-tickets", "seen"),
        ("tickets:share-preview", "ticket"),
        ("tickets:tracker-picker", "seen"),
    ],
)
def test_the_front_office_pages_are_refused_with_a_message(client, world, name, args):
    client.force_login(world.bea)
    value = {"seen": world.seen.pk, "ticket": world.ticket.pk}.get(args, args)
    response = client.get(reverse(name, args=[value]))
    assert response.status_code == 403
    assert "Your access is back office only" in response.content.decode()
    if name == "inbox:view":  # a whole page: its way back leads to its tickets
        assert "Back to your tickets" in response.content.decode()


@pytest.mark.parametrize(
    "name, data",
    [
        ("inbox:conversation-message", {"kind": "note", "body": "Hello"}),
        ("inbox:conversation-close", {}),
        ("inbox:conversation-snooze", {"preset": "tomorrow"}),
    ],
)
def test_the_linked_conversation_cannot_be_written_to(client, world, name, data):
    client.force_login(world.bea)
    parts = Part.objects.filter(conversation=world.seen).count()
    assert client.post(reverse(name, args=[world.seen.pk]), data).status_code == 403
    assert Part.objects.filter(conversation=world.seen).count() == parts
    assert Conversation.objects.get(pk=world.seen.pk).state == "open"


def test_what_it_may_not_see_is_not_found(client, world):
    client.force_login(world.bea)
    hidden_ticket, hidden_conversation = world.hidden_tickets[0], world.hidden[1]
    assert client.get(reverse("tickets:open", args=[hidden_ticket.pk])).status_code == 404
    assert client.get(reverse("inbox:conversation-timeline", args=[hidden_conversation.pk])).status_code == 404
    assert client.get(reverse("tickets:list", args=["all"])).status_code == 404
    assert client.get(reverse("tickets:list", args=["trackers"])).status_code == 404


def test_its_nav_search_and_palette_hold_its_tickets_only(client, world):
    client.force_login(world.bea)
    nav = client.get(reverse("nav")).content.decode()
    assert "Billing tickets" in nav and "Your tickets" in nav
    assert "Fraud tickets" not in nav and "All tickets" not in nav and "Your inbox" not in nav
    found = client.get(reverse("search"), {"q": "Refund"}).content.decode()
    assert "Refund the double charge" in found
    palette = client.get(reverse("palette"), {"q": "refund"}).content.decode()
    assert "Refund the double charge" in palette and SEEN not in palette


def test_a_notification_reaches_it_only_about_what_it_may_see(world):
    notified = notify(
        recipient_ids=[world.bea.pk, world.finn.pk],
        key="hidden",
        kind=NotificationKind.MENTIONED,
        text="About a hidden conversation",
        url="/",
        conversation_id=world.hidden[0].pk,
    )
    assert notified == [world.finn.pk]
    about_its_ticket = notify(
        recipient_ids=[world.bea.pk],
        key="seen",
        kind=NotificationKind.MENTIONED,
        text="About its ticket",
        url="/",
        ticket_id=world.ticket.pk,
    )
    assert about_its_ticket == [world.bea.pk]


def test_a_notification_about_the_linked_conversation_opens_its_ticket(client, world):
    client.force_login(world.bea)
    response = client.get(reverse("tickets:open-conversation", args=[world.seen.pk]), follow=True)
    assert response.status_code == 200
    assert SEEN in response.content.decode() and "Refund the double charge" in response.content.decode()
    assert client.get(reverse("tickets:open-conversation", args=[world.hidden[0].pk])).status_code == 404
    client.force_login(world.finn)
    full = client.get(reverse("tickets:open-conversation", args=[world.seen.pk]))
    assert full["Location"] == reverse("inbox:conversation", args=["all", world.seen.pk])


def test_it_is_never_given_a_conversation(world):
    from helpdesk.errors import InvalidInput

    with pytest.raises(InvalidInput, match="works the back office only"):
        inbox_actions.assign_conversation(
            actor=world.finn, conversation_id=world.seen.pk, assignee_id=world.bea.pk, team_id=None
        )


def test_its_api_token_reaches_nothing(client, world):
    token = create_api_token(actor=None, teammate_id=world.bea.pk, name="script", scopes=["tickets:read"]).key
    response = client.get("/api/v1/tickets", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "back_office_only"
    assert "HIDDEN" not in response.content.decode()


def test_its_teams_tracker_opens_each_linked_conversation_beside_it(client, world):
    billing = world.bea.teams.get()
    tracker = TrackerTicketFactory(
        actor=world.finn, ticket_type=TicketTypeFactory(tracker=True, default_team=billing), title="Payments down"
    )
    linked = ConversationFactory(subject="Cannot pay")
    actions.link_to_tracker(actor=world.finn, tracker_id=tracker.pk, conversation_id=linked.pk)
    client.force_login(world.bea)
    address = reverse("tickets:open", args=[tracker.pk])
    listed = client.get(address, follow=True).content.decode()
    assert f'href="{address}?conversation={linked.pk}"' in listed  # its list links each, to read beside it
    assert "Unlink" not in listed
    beside = client.get(address, {"conversation": linked.pk}, follow=True)
    assert beside.status_code == 200
    assert "Cannot pay" in beside.content.decode() and "Read-only" in beside.content.decode()
    assert client.get(address, {"conversation": world.hidden[0].pk}).status_code == 404
