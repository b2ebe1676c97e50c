"""Saved replies through HTTP: the composer's list and insertion (teammates only, bad input a clear 4xx, a fixed
number of queries), and the teammate's own page."""

import json

import pytest
from django.urls import reverse

from inbox.messenger import messenger_link
from inbox.models import SavedReply, SavedReplyKind, StateEffect
from tests.factories import (
    BackOfficeTicketFactory,
    ContactFactory,
    ConversationFactory,
    SavedReplyFactory,
    TeammateFactory,
    TicketAttributeFactory,
)
from tests.inbox.pages import HTMX, NAV_QUERIES

pytestmark = pytest.mark.django_db

OPTIONS_QUERIES = 3  # session, teammate, the saved replies
RENDER_QUERIES = 6  # session, teammate, the saved reply, the conversation with its contact, its ticket, the attributes
PAGE_QUERIES = 2 + NAV_QUERIES + 1  # session, teammate, the nav and the bell (tests/inbox/pages.py), the saved replies
OPTIONS = reverse("inbox:saved-reply-options")


def render_url(saved_reply, **query) -> str:
    return reverse("inbox:saved-reply-render", args=[saved_reply if isinstance(saved_reply, int) else saved_reply.pk])


def render(client, saved_reply, **query):
    return client.get(render_url(saved_reply), query)


# --- The composer's list ---


def test_options_list_shared_and_own_as_listbox_options(teammate_client, teammate, other_teammate):
    shared, own = SavedReplyFactory(name="Refund approved"), SavedReplyFactory(name="Refund (mine)", owner=teammate)
    SavedReplyFactory(name="Refund (theirs)", owner=other_teammate)

    response = teammate_client.get(OPTIONS, {"q": "refund"}, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert '<ul role="listbox"' in html
    assert html.count('role="option"') == 2
    assert f'data-saved-reply="{shared.pk}"' in html and f'data-saved-reply="{own.pk}"' in html
    assert "theirs" not in html


def test_options_offer_only_notes_when_asked(teammate_client):
    SavedReplyFactory(name="A reply")
    note = SavedReplyFactory(name="A note", kind=SavedReplyKind.NOTE)

    html = teammate_client.get(OPTIONS, {"kind": "note"}).content.decode()

    assert html.count('role="option"') == 1 and f'data-saved-reply="{note.pk}"' in html


def test_options_without_a_match_say_so_outside_any_listbox(teammate_client):
    html = teammate_client.get(OPTIONS, {"q": "zzz"}).content.decode()

    assert "No saved reply named “zzz”" in html
    assert "listbox" not in html


def test_options_show_names_as_text(teammate_client):
    SavedReplyFactory(name="<img src=x onerror=alert(1)>")

    html = teammate_client.get(OPTIONS).content.decode()

    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


@pytest.mark.parametrize("query", [{"q": "x" * 101}, {"kind": "email"}])
def test_options_refuse_a_bad_query_with_400(teammate_client, query):
    assert teammate_client.get(OPTIONS, query).status_code == 400


@pytest.mark.parametrize("rows", [1, 20])
def test_options_read_a_fixed_number_of_queries(teammate_client, django_assert_max_num_queries, rows):
    for n in range(rows):
        SavedReplyFactory(name=f"Reply {n}", assign_teammate=TeammateFactory(), state_effect=StateEffect.CLOSE)

    with django_assert_max_num_queries(OPTIONS_QUERIES):
        response = teammate_client.get(OPTIONS)

    assert response.content.decode().count('role="option"') == min(rows, 8)


# --- Insertion: the saved reply filled in ---


def test_render_answers_the_filled_in_text_as_json(teammate_client, conversation):
    saved_reply = SavedReplyFactory(name="Hello", body="Hi {{contact.first_name}}", state_effect=StateEffect.CLOSE)

    response = render(teammate_client, saved_reply, conversation=conversation.pk)

    first_name = conversation.contact.name.split()[0]
    assert response.status_code == 200
    assert response.json() == {
        "id": saved_reply.pk,
        "name": "Hello",
        "kind": "reply",
        "body": f"Hi {first_name}",
        "effects": "close",
        "ticket": None,
    }


def test_render_carries_markup_as_escaped_json_text(teammate_client):
    conversation = ConversationFactory(contact=ContactFactory(name="<script>alert(1)</script>"))
    saved_reply = SavedReplyFactory(body="Hi {{contact.name}} & co")

    response = render(teammate_client, saved_reply, conversation=conversation.pk)

    assert not {"<", ">", "&"} & set(response.content.decode())
    assert json.loads(response.content)["body"] == "Hi <script>alert(1)</script> & co"


@pytest.mark.parametrize(
    "query", [{"conversation": "abc"}, {"conversation": "0"}, {"ticket": "-1"}, {"conversation": "1", "ticket": "1"}]
)
def test_render_refuses_bad_parameters_with_a_json_400(teammate_client, query):
    response = render(teammate_client, SavedReplyFactory(), **query)

    assert response.status_code == 400
    assert "bad parameter" in response.json()["error"]


def test_render_of_an_unknown_or_anothers_saved_reply_is_404(teammate_client, other_teammate, conversation):
    theirs = SavedReplyFactory(owner=other_teammate)

    for saved_reply_id in (theirs.pk, theirs.pk + 1000):
        response = render(teammate_client, saved_reply_id, conversation=conversation.pk)
        assert response.status_code == 404
        assert response.json() == {"error": "That saved reply does not exist, or is another teammate's."}


@pytest.mark.parametrize("where", ["conversation", "ticket"])
def test_render_for_an_unknown_conversation_or_ticket_is_404(teammate_client, where):
    saved_reply = SavedReplyFactory(kind=SavedReplyKind.NOTE)

    assert render(teammate_client, saved_reply, **{where: 999_999}).status_code == 404


def test_render_of_a_reply_into_a_tickets_note_is_422(teammate_client):
    response = render(teammate_client, SavedReplyFactory(name="Hi"), ticket=BackOfficeTicketFactory().pk)

    assert response.status_code == 422
    assert response.json()["error"] == "“Hi” is a reply to the customer; a ticket takes internal notes only."


@pytest.mark.parametrize("attributes", [1, 10])
def test_render_reads_a_fixed_number_of_queries(teammate_client, django_assert_max_num_queries, attributes):
    conversation = ConversationFactory()
    keys = [TicketAttributeFactory(key=f"field_{n}").key for n in range(attributes)]
    for ticket_type in {TicketAttributeFactory._meta.model.objects.get(key=key).ticket_type for key in keys}:
        BackOfficeTicketFactory(conversation=conversation, ticket_type=ticket_type)
    saved_reply = SavedReplyFactory(body=" ".join(f"{{{{ticket.{key}}}}}" for key in keys) + " {{ticket.number}}")

    with django_assert_max_num_queries(RENDER_QUERIES):
        assert render(teammate_client, saved_reply, conversation=conversation.pk).status_code == 200


# --- Who reaches them ---


@pytest.mark.parametrize("name", ["options", "render", "page"])
def test_anonymous_and_customers_are_sent_to_the_login_page(client, contact, name):
    urls = {"options": OPTIONS, "render": render_url(SavedReplyFactory()), "page": reverse("inbox:saved-replies")}
    client.get(messenger_link(contact))  # a customer's messenger session is no teammate's

    response = client.get(urls[name])

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- The teammate's own page ---


def page_post(client, data, saved_reply=None):
    url = reverse("inbox:saved-reply", args=[saved_reply.pk]) if saved_reply else reverse("inbox:saved-replies")
    return client.post(url, {"kind": "reply", "state_effect": "", **data})


def test_page_lists_own_and_shared_but_not_anothers(teammate_client, teammate, other_teammate):
    SavedReplyFactory(name="Shared one"), SavedReplyFactory(name="My own", owner=teammate)
    SavedReplyFactory(name="Their own", owner=other_teammate)

    html = teammate_client.get(reverse("inbox:saved-replies")).content.decode()

    assert "Shared one" in html and "My own" in html and "Their own" not in html


def test_page_creates_a_personal_saved_reply(teammate_client, teammate, other_teammate):
    data = {"name": "Thanks", "body": "Thanks {{contact.first_name}}!", "assign_teammate": other_teammate.pk}

    response = page_post(teammate_client, data)

    saved = SavedReply.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("inbox:saved-reply", args=[saved.pk])
    assert (saved.owner, saved.assign_teammate) == (teammate, other_teammate)
    assert saved.body == "Thanks {{contact.first_name}}!"


def test_page_refuses_an_unknown_placeholder_naming_it(teammate_client):
    response = page_post(teammate_client, {"name": "Thanks", "body": "Hi {{contact.nickname}}"})

    assert response.status_code == 422
    assert "Unknown placeholder: {{contact.nickname}}" in response.content.decode()
    assert not SavedReply.objects.exists()


def test_page_refuses_a_name_the_teammate_already_has(teammate_client, teammate):
    SavedReplyFactory(name="Thanks", owner=teammate)

    response = page_post(teammate_client, {"name": "THANKS", "body": "Hi"})

    assert response.status_code == 422
    assert "You already have a saved reply with this name." in response.content.decode()


def test_page_changes_own_saved_reply(teammate_client, teammate):
    own = SavedReplyFactory(owner=teammate)

    page_post(teammate_client, {"name": "Renamed", "body": "New", "state_effect": StateEffect.CLOSE}, own)

    own.refresh_from_db()
    assert (own.name, own.body, own.state_effect, own.owner) == ("Renamed", "New", StateEffect.CLOSE, teammate)


def test_page_hides_anothers_saved_reply(teammate_client, other_teammate):
    theirs = SavedReplyFactory(owner=other_teammate)

    assert teammate_client.get(reverse("inbox:saved-reply", args=[theirs.pk])).status_code == 404
    assert page_post(teammate_client, {"name": "Mine now", "body": "x"}, theirs).status_code == 404


def test_page_shows_a_shared_one_read_only_and_refuses_changing_it(teammate_client):
    shared = SavedReplyFactory(name="Shared")

    html = teammate_client.get(reverse("inbox:saved-reply", args=[shared.pk])).content.decode()
    response = page_post(teammate_client, {"name": "Changed", "body": "x"}, shared)

    assert "Admins keep the shared saved replies" in html and "saved-reply-form" not in html
    assert response.status_code == 422 and "Only admins" in response.content.decode()
    assert SavedReply.objects.get().name == "Shared"


def test_page_deletes_own_saved_reply(teammate_client, teammate):
    own = SavedReplyFactory(owner=teammate)

    response = teammate_client.post(reverse("inbox:saved-reply-delete", args=[own.pk]))

    assert response.status_code == 302 and not SavedReply.objects.exists()


def test_page_refuses_deleting_a_shared_one(teammate_client):
    shared = SavedReplyFactory()

    assert teammate_client.post(reverse("inbox:saved-reply-delete", args=[shared.pk])).status_code == 422
    assert SavedReply.objects.exists()


@pytest.mark.parametrize("rows", [1, 15])
def test_page_reads_a_fixed_number_of_queries(teammate_client, teammate, django_assert_max_num_queries, rows):
    for n in range(rows):
        SavedReplyFactory(name=f"Reply {n}", owner=teammate if n % 2 else None, assign_teammate=TeammateFactory())

    with django_assert_max_num_queries(PAGE_QUERIES):
        assert teammate_client.get(reverse("inbox:saved-replies")).status_code == 200
