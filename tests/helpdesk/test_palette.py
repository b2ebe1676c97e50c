"""The command palette's options (helpdesk/palette_views.py): items found by number or words, each with where it goes,
the commands of what is open (only those that apply), bad parameters refused with a message, a fixed number of
queries, and nothing for anyone but a teammate."""

import re

import pytest
from django.urls import reverse

from inbox.models import Conversation, PartKind
from tests.factories import (
    BackOfficeTicketFactory,
    ContactFactory,
    ConversationFactory,
    PartFactory,
    SavedReplyFactory,
    TeammateFactory,
)

pytestmark = pytest.mark.django_db

PALETTE = reverse("palette")
HTMX = {"HX-Request": "true", "HX-Current-URL": "http://testserver/inbox/mine/"}
# The session, the teammate; the open conversation and ticket (their commands); the saved replies; each kind's plan
# estimate and page (conversations, tickets), and the contacts' page.
PALETTE_QUERIES = 10
# A number alone (`123`) is also words: the conversation and the ticket of that number besides.
PALETTE_QUERIES_FOR_A_NUMBER = 12


def option_ids(response) -> list[str]:
    """The options' keys, in order."""
    return re.findall(r'id="palette-option-([\w-]+)"', response.content.decode())


def group_ids(response) -> list[str]:
    return re.findall(r'id="palette-group-([\w-]+)" class="palette-group"', response.content.decode())


def test_palette_puts_the_conversation_of_a_hash_number_first(teammate_client):
    conversation = ConversationFactory(subject="Parcel lost")
    ConversationFactory.create_batch(2, subject=f"About #{conversation.pk}")
    response = teammate_client.get(PALETTE, {"q": f"#{conversation.pk}"})
    assert response.status_code == 200
    assert option_ids(response) == [f"conversation-{conversation.pk}", "search"]
    assert f'data-href="{reverse("inbox:conversation", args=["all", conversation.pk])}"' in response.content.decode()


def test_palette_offers_the_conversation_and_then_the_ticket_of_a_number(teammate_client):
    ticket = BackOfficeTicketFactory(title="Refund")
    if not Conversation.objects.filter(pk=ticket.pk).exists():
        ConversationFactory(pk=ticket.pk)  # a conversation of the same number (another sequence)
    response = teammate_client.get(PALETTE, {"q": f"#{ticket.pk}"})
    assert option_ids(response) == [f"conversation-{ticket.pk}", f"ticket-{ticket.pk}", "search"]
    assert f'data-href="{reverse("tickets:open", args=[ticket.pk])}"' in response.content.decode()


def test_palette_bare_number_also_finds_words(teammate_client):
    conversation = ConversationFactory()
    other = ConversationFactory(subject="Order")
    PartFactory(conversation=other, body=f"My order number is {conversation.pk}")
    ids = option_ids(teammate_client.get(PALETTE, {"q": str(conversation.pk)}))
    assert ids[:2] == [f"conversation-{conversation.pk}", f"conversation-{other.pk}"]


def test_palette_words_find_each_kind_and_the_search_page(teammate_client):
    contact = ContactFactory(name="Walter Kettle")
    conversation = ConversationFactory(contact=contact, subject="Kettle broken")
    ticket = BackOfficeTicketFactory(conversation=conversation, title="Replace the kettle")
    response = teammate_client.get(PALETTE, {"q": "kettle"})
    assert response.status_code == 200
    assert group_ids(response) == ["conversations", "tickets", "contacts", "search"]
    found = [f"conversation-{conversation.pk}", f"ticket-{ticket.pk}", f"contact-{contact.pk}", "search"]
    assert option_ids(response) == found
    page = response.content.decode()
    assert f'data-href="/search/?q=kettle&amp;kind=contacts&amp;open={contact.pk}"' in page
    assert 'data-href="/search/?q=kettle"' in page
    assert 'data-summary="3 results"' in page


def test_palette_shows_the_newest_five_of_each_kind(teammate_client):
    conversations = [ConversationFactory(subject="Gadget") for _ in range(7)]
    ids = option_ids(teammate_client.get(PALETTE, {"q": "gadget"}))
    assert ids[:5] == [f"conversation-{c.pk}" for c in reversed(conversations[2:])]


def test_palette_without_words_or_anything_open_gives_a_hint(teammate_client):
    response = teammate_client.get(PALETTE)
    assert response.status_code == 200
    assert option_ids(response) == [] and b"Type #123" in response.content
    assert b'role="listbox" aria-label="Results" hidden' in response.content


def test_palette_offers_the_open_conversations_commands(teammate_client):
    conversation = ConversationFactory()
    response = teammate_client.get(PALETTE, {"conversation": conversation.pk})
    assert option_ids(response) == [
        "command-assign-conversation-to-me",
        "command-snooze-1h",
        "command-snooze-tomorrow",
        "command-close",
        "command-new-back-office-ticket",
        "command-send-ticket-form",
        "command-link-tracker",
    ]
    assert 'data-command="close"' in response.content.decode()


def test_palette_offers_reopen_not_close_or_snooze_for_a_closed_conversation(teammate_client):
    conversation = ConversationFactory(closed=True)
    ids = option_ids(teammate_client.get(PALETTE, {"conversation": conversation.pk}))
    assert "command-reopen" in ids
    assert not {"command-close", "command-snooze-1h", "command-snooze-tomorrow"} & set(ids)


def test_palette_does_not_offer_assign_to_me_when_already_assigned_to_me(teammate_client, teammate):
    conversation = ConversationFactory(assignee=teammate)
    ticket = BackOfficeTicketFactory(conversation=conversation, assignee_id=teammate.pk)
    ids = option_ids(teammate_client.get(PALETTE, {"conversation": conversation.pk, "ticket": ticket.pk}))
    assert "command-assign-conversation-to-me" not in ids and "command-assign-ticket-to-me" not in ids
    assert "command-ticket-note" in ids


def test_palette_offers_the_open_tickets_commands(teammate_client):
    ticket = BackOfficeTicketFactory()
    ids = option_ids(teammate_client.get(PALETTE, {"ticket": ticket.pk}))
    assert ids == ["command-assign-ticket-to-me", "command-ticket-note"]


def test_palette_words_narrow_the_commands(teammate_client):
    conversation = ConversationFactory()
    response = teammate_client.get(PALETTE, {"q": "clo", "conversation": conversation.pk})
    assert option_ids(response)[0] == "command-close"
    assert "command-snooze-1h" not in option_ids(response)
    tomorrow = option_ids(teammate_client.get(PALETTE, {"q": "snooze tom", "conversation": conversation.pk}))
    assert tomorrow[0] == "command-snooze-tomorrow" and "command-snooze-1h" not in tomorrow


def test_palette_offers_no_commands_for_what_does_not_exist(teammate_client):
    response = teammate_client.get(PALETTE, {"conversation": 999999, "ticket": 999999})
    assert response.status_code == 200 and option_ids(response) == []


def test_palette_shows_typed_and_found_text_escaped(teammate_client):
    ConversationFactory(subject="<b>bold</b> kettle")
    page = teammate_client.get(PALETTE, {"q": "kettle <i>"}).content.decode()
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page
    assert "<i>" not in page


@pytest.mark.parametrize(
    "query",
    [
        {"q": "x" * 201},
        {"conversation": "abc"},
        {"conversation": "0"},
        {"ticket": "-3"},
        {"ticket": str(2**63)},
    ],
)
def test_palette_refuses_bad_parameters_with_a_400(teammate_client, query):
    response = teammate_client.get(PALETTE, query)
    assert response.status_code == 400
    assert b'id="palette-results"' in response.content and b"bad parameter" in response.content


@pytest.mark.parametrize("matches", [1, 10])
def test_palette_query_count_is_fixed(teammate_client, django_assert_max_num_queries, matches):
    open_conversation = ConversationFactory()
    open_ticket = BackOfficeTicketFactory(conversation=open_conversation)
    for n in range(matches):
        conversation = ConversationFactory(contact=ContactFactory(name=f"Gadget fan {n}"))
        PartFactory(conversation=conversation, kind=PartKind.NOTE, body=f"gadget broken, see {open_conversation.pk}")
        BackOfficeTicketFactory(conversation=conversation, title="Gadget")
    opened = {"conversation": open_conversation.pk, "ticket": open_ticket.pk}
    with django_assert_max_num_queries(PALETTE_QUERIES):
        response = teammate_client.get(PALETTE, {"q": "gadget"} | opened)
    assert len([key for key in option_ids(response) if key.startswith("conversation-")]) == min(matches, 5)
    with django_assert_max_num_queries(PALETTE_QUERIES_FOR_A_NUMBER):
        response = teammate_client.get(PALETTE, {"q": str(open_conversation.pk)} | opened)
    assert option_ids(response)[0] == f"conversation-{open_conversation.pk}"


def test_palette_sends_anonymous_to_the_login_page(client, db):
    PartFactory(kind=PartKind.NOTE, body="internal secret about the refund")
    response = client.get(PALETTE, {"q": "secret"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert b"internal secret" not in response.content
    htmx = client.get(PALETTE, {"q": "secret"}, headers=HTMX)
    assert htmx["HX-Redirect"].startswith(reverse("login")) and b"internal secret" not in htmx.content


def test_palette_refuses_a_signed_in_non_teammate(client, db):
    PartFactory(kind=PartKind.NOTE, body="internal secret about the refund")
    client.force_login(TeammateFactory(is_staff=False))
    response = client.get(PALETTE, {"q": "secret"})
    assert response.status_code == 403 and b"internal secret" not in response.content


def test_palette_refuses_post(teammate_client):
    assert teammate_client.post(PALETTE, {"q": "x"}).status_code == 405


def test_palette_offers_the_teammates_saved_replies_where_there_is_a_composer(teammate_client, teammate):
    shared = SavedReplyFactory(name="Refund approved")
    own = SavedReplyFactory(name="Refund, my words", owner=teammate)
    SavedReplyFactory(name="Refund, another's", owner=TeammateFactory())
    note = SavedReplyFactory(name="Refund escalated", kind="note")
    conversation = ConversationFactory()
    response = teammate_client.get(PALETTE, {"q": "refund", "conversation": conversation.pk})
    offered = [key for key in option_ids(response) if key.startswith("saved-reply-")]
    assert sorted(offered) == sorted(f"saved-reply-{row.pk}" for row in (shared, own, note))
    assert 'data-command="insert-saved-reply"' in response.content.decode()
    ticket = BackOfficeTicketFactory()
    response = teammate_client.get(PALETTE, {"q": "refund", "ticket": ticket.pk})
    assert [key for key in option_ids(response) if key.startswith("saved-reply-")] == [f"saved-reply-{note.pk}"]
    assert "saved-replies" not in group_ids(teammate_client.get(PALETTE, {"q": "refund"}))
