"""Search's documents and selectors (helpdesk/search.py): kept by the database in the write's own transaction, found
by words, phrases, numbers, addresses and attribute values, filtered and paged."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.models import F, Value
from django.utils import timezone

import helpdesk.search
from helpdesk.pagination import decode_cursor
from helpdesk.search import NEWEST_KEYS, SearchFilters, SearchQuery, SearchSort, best_keys
from inbox import actions
from inbox.models import Conversation, ConversationState, Part, PartKind
from inbox.search import search_contacts, search_conversations
from tests.factories import (
    BackOfficeTicketFactory,
    ContactFactory,
    ConversationFactory,
    PartFactory,
    TicketAttributeFactory,
    TicketNoteFactory,
    TicketTypeFactory,
)
from tickets.actions import post_ticket_note, update_ticket_attributes
from tickets.search import search_tickets

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="stemming and accents: PostgreSQL")


def conversations(text: str, *, sort: str = SearchSort.NEWEST, **filters) -> list[int]:
    page, _ = search_conversations(query=SearchQuery(text), filters=SearchFilters(**filters), sort=sort, cursor=None)
    return [row.pk for row in page.rows]


def tickets(text: str, **filters) -> list[int]:
    page, _ = search_tickets(query=SearchQuery(text), filters=SearchFilters(**filters), sort="newest", cursor=None)
    return [row.pk for row in page.rows]


def contacts(text: str) -> list[int]:
    return [row.pk for row in search_contacts(query=SearchQuery(text), cursor=None).rows]


@pytest.fixture(params=["rare", "common"])
def plan(request, monkeypatch):
    """Both plans (helpdesk/search.py): collecting the matches, or walking the list newest first."""
    monkeypatch.setattr(helpdesk.search, "COMMON", 10**9 if request.param == "rare" else -1)
    return request.param


def test_search_finds_a_conversation_by_a_word_of_its_internal_note(teammate, plan):
    conversation, other = ConversationFactory(), ConversationFactory()
    actions.post_note(actor=teammate, conversation_id=conversation.pk, body="Customer asked about the zeppelin")
    PartFactory(conversation=other, body="Nothing to see")
    assert conversations("zeppelin") == [conversation.pk]


def test_search_finds_a_conversation_by_its_subject(plan):
    conversation = ConversationFactory(subject="Invoice with the wrong address")
    ConversationFactory(subject="Hello")
    assert conversations("wrong address") == [conversation.pk]


def test_search_needs_every_word_in_one_part(plan):
    conversation = ConversationFactory()
    PartFactory(conversation=conversation, body="the parcel arrived")
    PartFactory(conversation=conversation, body="it was broken")
    assert conversations("parcel arrived") == [conversation.pk]
    assert conversations("parcel broken") == []


@postgresql_only
def test_search_matches_other_forms_of_a_word_and_ignores_accents(plan):
    conversation = ConversationFactory()
    PartFactory(conversation=conversation, body="Refunds requested for the café order")
    assert conversations("refund") == [conversation.pk]
    assert conversations("cafe") == [conversation.pk]


@postgresql_only
def test_search_phrase_matches_only_the_words_in_that_order(plan):
    together, apart = ConversationFactory(), ConversationFactory()
    PartFactory(conversation=together, body="my card was charged twice yesterday")
    PartFactory(conversation=apart, body="charged my card twice, was it?")
    assert conversations('"card was charged twice"') == [together.pk]


@postgresql_only
def test_search_finds_an_order_number_and_an_email_address(plan):
    conversation = ConversationFactory()
    PartFactory(conversation=conversation, body="Order ORD-48213 for jane.doe@example.com never came")
    PartFactory(body="Order ORD-48214 for john@example.com")
    assert conversations("ORD-48213") == [conversation.pk]
    assert conversations("jane.doe@example.com") == [conversation.pk]


def test_search_leaves_out_events(teammate, team):
    conversation = ConversationFactory()
    actions.assign_conversation(actor=teammate, conversation_id=conversation.pk, assignee_id=None, team_id=team.pk)
    assert Part.objects.filter(conversation=conversation, kind=PartKind.EVENT).exists()
    assert conversations("Billing") == []


def test_search_number_finds_the_conversation_with_that_number():
    conversation = ConversationFactory()
    ConversationFactory()
    assert conversations(f"#{conversation.pk}") == [conversation.pk]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_search_document_is_current_inside_the_writing_transaction(teammate):
    conversation = ConversationFactory()
    with transaction.atomic():
        actions.post_note(actor=teammate, conversation_id=conversation.pk, body="a quokka was mentioned")
        assert conversations("quokka") == [conversation.pk]
        transaction.set_rollback(True)
    assert conversations("quokka") == []


@postgresql_only
def test_search_document_follows_an_edited_part():
    part = PartFactory(body="first words")
    Part.objects.filter(pk=part.pk).update(body="second thoughts")
    assert conversations("first") == []
    assert conversations("second") == [part.conversation_id]


def test_search_indexes_the_beginning_of_a_huge_part():
    """Over a megabyte of distinct words (an email's body, say) would not fit a tsvector: the write still succeeds."""
    part = PartFactory(body="albatross " + " ".join(f"w{n}x" for n in range(200_000)))
    assert conversations("albatross") == [part.conversation_id]


def test_search_snippet_escapes_the_text_and_marks_the_match():
    conversation = ConversationFactory()
    PartFactory(conversation=conversation, kind=PartKind.NOTE, body='<script>alert("x")</script> the walrus')
    _, snippets = search_conversations(
        query=SearchQuery("walrus"), filters=SearchFilters(), sort=SearchSort.NEWEST, cursor=None
    )
    snippet = snippets[conversation.pk]
    assert snippet.kind == PartKind.NOTE and "<mark>walrus</mark>" in snippet.text
    assert "<script>" not in snippet.text


def test_plain_snippet_starts_and_ends_on_whole_words():
    """The text around a match, cut at spaces and marked as cut: never "pened from the customer's message"."""
    text = "Opened from the customer's message: Blender arrived broken (order 673047) " + "and more " * 30
    snippet = helpdesk.search.plain_snippet(text, SearchQuery("673047"))
    assert snippet.startswith("… ") and snippet.endswith(" …") and "<mark>673047</mark>" in snippet
    words = snippet.removeprefix("… ").removesuffix(" …").split()
    assert set(words) <= set(text.replace("'", "&#x27;").replace("673047", "<mark>673047</mark>").split())


def test_plain_snippet_marks_words_of_the_text_not_of_its_escaping():
    """A word that is also part of an HTML entity ("amp", "lt", "quot") is marked where the text has it only."""
    snippet = helpdesk.search.plain_snippet('Fish & chips <3 "amp" lt', SearchQuery("amp lt"))
    assert snippet == "Fish &amp; chips &lt;3 &quot;<mark>amp</mark>&quot; <mark>lt</mark>"


def test_search_filters_by_state_team_assignee_and_date(teammate, team, plan):
    now = timezone.now()
    closed = ConversationFactory(state=ConversationState.CLOSED, team=team, assignee=teammate)
    open_one = ConversationFactory()
    for conversation in (closed, open_one):
        PartFactory(conversation=conversation, body="the lighthouse")
    assert conversations("lighthouse", state=ConversationState.CLOSED) == [closed.pk]
    assert conversations("lighthouse", team_id=team.pk) == [closed.pk]
    assert conversations("lighthouse", assignee_id=teammate.pk) == [closed.pk]
    assert conversations("lighthouse", assignee_id=0) == [open_one.pk]
    assert conversations("lighthouse", until=(now - timedelta(days=2)).date()) == []
    assert set(conversations("lighthouse", since=now.date())) == {closed.pk, open_one.pk}


@pytest.mark.parametrize("sort", [SearchSort.NEWEST, SearchSort.BEST])
def test_search_pages_cover_every_match_once(sort, plan, monkeypatch):
    monkeypatch.setattr(helpdesk.search, "PAGE_SIZE", 3)
    matching = [ConversationFactory() for _ in range(7)]
    for conversation in matching:
        PartFactory(conversation=conversation, body="the narwhal " * (1 + conversation.pk % 3))
    PartFactory(body="no match")
    keys = best_keys(Value(0)) if sort == SearchSort.BEST else NEWEST_KEYS
    seen, cursor = [], None
    while True:
        page, _ = search_conversations(query=SearchQuery("narwhal"), filters=SearchFilters(), sort=sort, cursor=cursor)
        seen += [row.pk for row in page.rows]
        if not page.has_next:
            break
        cursor = decode_cursor(page.next_cursor, keys=keys)
    assert sorted(seen) == sorted(c.pk for c in matching)
    if sort == SearchSort.NEWEST:
        updated = dict(Conversation.objects.values_list("pk", "updated_at"))
        assert seen == sorted(seen, key=lambda pk: (updated[pk], pk), reverse=True)


@postgresql_only
def test_search_best_match_puts_the_subject_match_first():
    by_subject = ConversationFactory(subject="Lost walrus")
    by_message = ConversationFactory()
    PartFactory(conversation=by_message, body="somewhere a walrus, among many other words of a long message")
    assert conversations("walrus", sort=SearchSort.BEST) == [by_subject.pk, by_message.pk]


def test_search_finds_a_ticket_by_an_attribute_value(teammate, plan):
    ticket_type = TicketTypeFactory()
    TicketAttributeFactory(ticket_type=ticket_type, key="order_number", name="Order number")
    ticket = BackOfficeTicketFactory(ticket_type=ticket_type, attributes={"order_number": "K7731"})
    BackOfficeTicketFactory(ticket_type=ticket_type, attributes={"order_number": "K9999"})
    assert tickets("K7731") == [ticket.pk]


def test_search_ticket_snippet_shows_the_attribute_value_that_matched():
    """Found by its order number, a ticket's snippet is that attribute's, not a description without the number."""
    ticket_type = TicketTypeFactory()
    TicketAttributeFactory(ticket_type=ticket_type, key="order_number", name="Order number")
    ticket = BackOfficeTicketFactory(
        ticket_type=ticket_type, description="Reported by phone.", attributes={"order_number": "K7731"}
    )
    _, snippets = search_tickets(query=SearchQuery("k7731"), filters=SearchFilters(), sort="newest", cursor=None)
    assert snippets[ticket.pk].label == "Order number" and snippets[ticket.pk].text == "<mark>K7731</mark>"
    _, snippets = search_tickets(query=SearchQuery("phone"), filters=SearchFilters(), sort="newest", cursor=None)
    assert snippets[ticket.pk].label == "Description" and "<mark>phone</mark>" in snippets[ticket.pk].text


def test_search_follows_a_ticket_edit_and_its_notes(teammate, plan):
    ticket = BackOfficeTicketFactory(title="Printer on fire")
    update_ticket_attributes(actor=teammate, ticket_id=ticket.pk, title="Scanner jammed", description="", attributes={})
    assert tickets("printer") == []
    assert tickets("scanner") == [ticket.pk]
    post_ticket_note(actor=teammate, ticket_id=ticket.pk, body="the toucan ate the toner")
    assert tickets("toucan") == [ticket.pk]
    TicketNoteFactory(ticket=ticket, kind="event", body="pelican")
    assert tickets("pelican") == []


def test_search_tickets_by_number_type_and_status(teammate):
    ticket = BackOfficeTicketFactory(title="Coffee machine")
    other = BackOfficeTicketFactory(title="Coffee grinder")
    assert tickets(f"#{ticket.pk}") == [ticket.pk]
    assert tickets("coffee", ticket_type_id=other.ticket_type_id) == [other.pk]
    assert tickets("coffee", state="resolved") == []


def test_search_finds_a_contact_by_any_part_of_an_address_or_name():
    jane = ContactFactory(name="Jane Whitaker", email="jane.whitaker@example.org", attributes={"plan": "Platinum"})
    ContactFactory(name="John Smith", email="john@example.net")
    assert contacts("whitaker@exa") == [jane.pk]
    assert contacts("jane whit") == [jane.pk]
    assert contacts("platinum") == [jane.pk]
    assert contacts("100%") == []


@postgresql_only
def test_search_contact_ignores_accents_and_case():
    zoe = ContactFactory(name="Zoë Ångström", email="zoe@example.org")
    assert contacts("ANGSTROM") == [zoe.pk]


@postgresql_only
def test_search_plan_is_chosen_by_how_common_the_word_is():
    for n in range(30):
        PartFactory(body="common words everywhere" if n else "a rare ocelot")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE inbox_part")
    parts = Part.objects.filter(helpdesk.search.document_matches(SearchQuery("common")))
    assert helpdesk.search.estimated_rows(parts) > helpdesk.search.estimated_rows(
        Part.objects.filter(helpdesk.search.document_matches(SearchQuery("ocelot")))
    )


@postgresql_only
@pytest.mark.parametrize("dense", [True, False])
def test_search_walks_a_phrase_of_common_words_when_the_newest_rows_hold_a_page_of_it(monkeypatch, dense):
    """PostgreSQL estimates a phrase of common words as rare (it multiplies their shares): the newest rows decide."""
    monkeypatch.setattr(helpdesk.search, "COMMON", -1)  # every word counts as common
    monkeypatch.setattr(helpdesk.search, "PAGE_SIZE", 3)
    monkeypatch.setattr(helpdesk.search, "PROBE", 4)
    phrase = SearchQuery('"package never arrived"')
    oldest = [PartFactory(body="the package never arrived") for _ in range(3)]
    for _ in range(4):
        PartFactory(body="the package never arrived" if dense else "the package arrived, never mind")
    rows = Conversation.objects.all()

    def parts(words):
        return Part.objects.filter(helpdesk.search.document_matches(words)).annotate(owner_id=F("conversation_id"))

    assert helpdesk.search.dense_although_estimated_rare(rows, parts=parts, query=phrase) is dense
    expected = {part.conversation_id for part in oldest} | (set(rows.values_list("pk", flat=True)) if dense else set())
    assert set(conversations(phrase.text)) == expected
