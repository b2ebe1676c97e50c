"""Search over conversations (subject, and every part: messages, replies, internal notes, cross-posts) and contacts
(name, email, external id, attribute values), for teammates only. How: helpdesk/search.py."""

from dataclasses import dataclass

from django.db.models import Expression, F, FloatField, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Greatest
from django.utils.safestring import SafeString

from helpdesk.errors import NotFound
from helpdesk.pagination import Cursor, Key, Page, paginate
from helpdesk.search import (
    OnDocument,
    SearchFilters,
    SearchQuery,
    best_part_rank,
    document_matches,
    field_matches,
    full_text,
    marked,
    matching,
    newest_matching_headlines,
    plain_snippet,
    search_page,
    words_like,
)
from inbox.models import Contact, Conversation, Part, PartKind

CONTACT_KEYS = [Key("name"), Key("pk")]
# Any part of the contact's text (a trigram index finds it), accents and case folded as the text was.
CONTACT_HOLDS = "{column} LIKE '%%' || lower(unaccent(%s)) || '%%'"


@dataclass(frozen=True, slots=True)
class Snippet:
    kind: str  # the matching part's kind (a customer message, a reply, an internal note...)
    text: SafeString  # around the match, the match in <mark>
    name: str = ""  # what matched, when the kind does not say it (a ticket attribute's name)

    @property
    def label(self) -> str:
        return self.name or SNIPPET_LABELS.get(self.kind, self.kind.capitalize())


SNIPPET_LABELS = {
    PartKind.CUSTOMER_MESSAGE: "Customer",
    PartKind.REPLY: "Reply",
    PartKind.NOTE: "Internal note",
    PartKind.CROSS_POST: "From a ticket",
    "description": "Description",
}


def matching_conversations(*, query: SearchQuery, filters: SearchFilters) -> QuerySet[Conversation]:
    rows = Conversation.objects.filter(filters.owners_and_dates())
    if filters.state:
        rows = rows.filter(state=filters.state)
    found = query.number
    if found is not None and query.only_number:
        return rows.filter(pk=found)
    number = Q(pk=found) if found is not None else Q(pk__in=[])
    if not full_text():
        texts = Part.objects.filter(words_like(["body"], query)).exclude(kind=PartKind.EVENT)
        return rows.filter(Q(pk__in=texts.values("conversation_id")) | words_like(["subject"], query) | number)

    def parts(words: SearchQuery) -> QuerySet[Part]:
        return Part.objects.filter(document_matches(words)).annotate(owner_id=F("conversation_id"))

    return matching(rows, parts=parts, own=Q(field_matches("subject", query)) | number, query=query)


def search_conversations(
    *, query: SearchQuery, filters: SearchFilters, sort: str, cursor: Cursor | None
) -> tuple[Page, dict[int, Snippet]]:
    """A page of the conversations that match, with each one's snippet: the newest matching part's. Three queries
    on PostgreSQL (the plan's estimate, the page, the snippets), two on SQLite."""
    rows = matching_conversations(query=query, filters=filters).select_related("contact", "assignee", "team")
    page = search_page(rows, sort=sort, rank=conversation_rank(query), cursor=cursor)
    return page, conversation_snippets(query=query, conversation_ids=[row.pk for row in page.rows])


def conversation_rank(query: SearchQuery) -> Expression:
    """How well a conversation matches: its best part's rank, a matching subject counting as a good one."""
    if not full_text():
        return Value(0.0, output_field=FloatField())
    subject = OnDocument(
        "CASE WHEN to_tsvector('helpdesk'::regconfig, {column}) @@ {query} THEN 1.0 ELSE 0.0 END",
        "subject",
        query,
        FloatField(),
    )
    return Greatest(best_part_rank(Part.objects.filter(conversation_id=OuterRef("pk")), query), subject)


def conversation_snippets(*, query: SearchQuery, conversation_ids: list[int]) -> dict[int, Snippet]:
    if not conversation_ids or not query.words or query.only_number:
        return {}
    parts = Part.objects.filter(conversation_id__in=conversation_ids).exclude(kind=PartKind.EVENT)
    if not full_text():
        found: dict[int, Snippet] = {}
        for part in parts.filter(words_like(["body"], query)).order_by("-created_at"):
            found.setdefault(part.conversation_id, Snippet(part.kind, plain_snippet(part.body, query)))
        return found
    newest = newest_matching_headlines(parts, owner="conversation_id", query=query)
    return {conversation_id: Snippet(kind, marked(text)) for conversation_id, kind, text in newest}


def search_contacts(*, query: SearchQuery, cursor: Cursor | None, page_size: int = 25) -> Page:
    """A page of the contacts whose name, email, external id or attribute values hold every word (any part of
    one: `jane@exa` finds jane@example.com), by name. One query."""
    rows = Contact.objects.all()
    for word in query.words:
        if full_text():
            like = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            rows = rows.filter(OnDocument(CONTACT_HOLDS, "search_text", SearchQuery(like)))
        else:
            rows = rows.filter(words_like(["name", "email", "external_id", "attributes"], SearchQuery(word)))
    return paginate(rows, keys=CONTACT_KEYS, cursor=cursor, page_size=page_size)


@dataclass(frozen=True, slots=True)
class ContactCard:
    contact: Contact
    conversations: list[Conversation]  # the newest CONTACT_CONVERSATIONS


CONTACT_CONVERSATIONS = 25


def get_contact_card(*, contact_id: int) -> ContactCard:
    """A contact found by search, opened beside the results: details and newest conversations. Two queries."""
    contact = Contact.objects.filter(pk=contact_id).first()
    if contact is None:
        raise NotFound("That contact does not exist.")
    conversations = Conversation.objects.filter(contact_id=contact_id).select_related("assignee", "team")
    return ContactCard(contact, list(conversations.order_by("-updated_at", "-pk")[:CONTACT_CONVERSATIONS]))
