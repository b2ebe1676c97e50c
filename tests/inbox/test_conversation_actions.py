"""The conversation's actions through the inbox: every form answers bad input with its message in place and a
422, and writes nothing."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from helpdesk.pagination import encode_cursor
from inbox.models import ConversationState, Part, PartKind
from inbox.selectors import ORDERINGS, Sort
from tests.factories import ConversationFactory, TeammateFactory
from tests.inbox.pages import (
    HTMX,
    html_of,
    htmx_target,
    root_id,
    view_url,
)

pytestmark = pytest.mark.django_db


# Actions: every form answers bad input with its message in place and a 422, and writes nothing


def post(client, name, conversation, data):
    return client.post(reverse(f"inbox:{name}", args=[conversation.pk]), data, headers=HTMX)


def test_post_message_replies_to_the_customer(teammate_client, teammate, conversation):
    response = post(teammate_client, "conversation-message", conversation, {"kind": "reply", "body": "On its way"})

    assert (response.status_code, root_id(response)) == (200, "conversation-pane")
    part = conversation.parts.get()
    assert (part.kind, part.body, part.author) == (PartKind.REPLY, "On its way", teammate)


def test_post_message_writes_an_internal_note(teammate_client, conversation):
    post(teammate_client, "conversation-message", conversation, {"kind": "note", "body": "Check the warehouse"})

    assert conversation.parts.get().kind == PartKind.NOTE


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "reply", "body": "   "}, "This field is required."),
        ({"kind": "shout", "body": "Hi"}, "Select a valid choice."),
        ({"kind": "reply", "body": "x" * 20_001}, "Ensure this value has at most 20000 characters"),
    ],
)
def test_post_message_refuses_bad_input_in_place(teammate_client, conversation, data, message):
    response = post(teammate_client, "conversation-message", conversation, data)

    assert (response.status_code, root_id(response)) == (422, "conversation-pane")
    assert message in response.content.decode()
    assert not Part.objects.exists()


def test_post_message_keeps_the_typed_text_when_refused(teammate_client, conversation):
    response = post(teammate_client, "conversation-message", conversation, {"kind": "shout", "body": "Keep me"})

    assert "Keep me</textarea>" in response.content.decode()


def test_post_message_to_unknown_conversation_is_404(teammate_client, db):
    response = teammate_client.post(
        reverse("inbox:conversation-message", args=[999999]), {"kind": "reply", "body": "Hi"}, headers=HTMX
    )

    assert response.status_code == 404
    assert response["HX-Retarget"] == "#flash"


@pytest.mark.parametrize(
    "name",
    ["conversation-message", "conversation-assign", "conversation-snooze", "conversation-close", "conversation-reopen"],
)
def test_conversation_actions_refuse_get(teammate_client, conversation, name):
    assert teammate_client.get(reverse(f"inbox:{name}", args=[conversation.pk])).status_code == 405


def test_assign_sets_assignee_and_team(teammate_client, conversation, other_teammate, team):
    response = post(
        teammate_client, "conversation-assign", conversation, {"assignee": other_teammate.pk, "team": team.pk}
    )

    conversation.refresh_from_db()
    assert response.status_code == 200
    assert (conversation.assignee, conversation.team) == (other_teammate, team)


def test_assign_refuses_unknown_teammate(teammate_client, conversation):
    response = post(teammate_client, "conversation-assign", conversation, {"assignee": 999999})

    conversation.refresh_from_db()
    assert response.status_code == 422
    assert "Select a valid choice." in response.content.decode()
    assert conversation.assignee is None


def test_assign_refuses_inactive_teammate(teammate_client, conversation):
    gone = TeammateFactory(is_active=False)

    assert post(teammate_client, "conversation-assign", conversation, {"assignee": gone.pk}).status_code == 422


def test_snooze_with_a_preset(teammate_client, conversation):
    response = post(teammate_client, "conversation-snooze", conversation, {"preset": "tomorrow"})

    conversation.refresh_from_db()
    assert response.status_code == 200
    assert conversation.state == ConversationState.SNOOZED
    assert timezone.localtime(conversation.snoozed_until).hour == 9


def test_snooze_until_a_chosen_time(teammate_client, conversation):
    until = timezone.localtime() + timedelta(days=3)

    post(teammate_client, "conversation-snooze", conversation, {"preset": "custom", "until": f"{until:%Y-%m-%dT%H:%M}"})

    conversation.refresh_from_db()
    assert conversation.snoozed_until.replace(second=0, microsecond=0) == until.replace(second=0, microsecond=0)


def test_snooze_event_writes_the_time_as_the_header_does(teammate_client, conversation):
    """One date format everywhere: the event's text and the header's {% moment %} say the same instant alike."""
    until = timezone.localtime() + timedelta(days=40)
    post(teammate_client, "conversation-snooze", conversation, {"preset": "custom", "until": f"{until:%Y-%m-%dT%H:%M}"})

    page = teammate_client.get(view_url(conversation=conversation, state="snoozed")).content.decode()

    header_html = page[page.index('id="conversation-header"') :]
    header = re.search(r'until <time datetime="[^"]+">([^<]+)</time>', header_html).group(1)
    event = Part.objects.get(conversation=conversation, event_type="snoozed").body
    assert event.endswith(f" snoozed this conversation until {header}.")
    assert re.fullmatch(r"[A-Z][a-z]{2} \d{1,2}, \d\d:\d\d", header)  # "Dec 2, 12:38"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"preset": "custom", "until": ""}, "Pick the date and time to snooze until."),
        ({"preset": "custom", "until": "2001-01-01T10:00"}, "Choose a time in the future."),
        ({"preset": "custom", "until": "next tuesday"}, "Enter a valid date/time."),
        ({"preset": "forever"}, "Select a valid choice."),
    ],
)
def test_snooze_refuses_bad_input_in_place(teammate_client, conversation, data, message):
    response = post(teammate_client, "conversation-snooze", conversation, data)

    conversation.refresh_from_db()
    assert response.status_code == 422
    assert message in response.content.decode()
    assert conversation.state == ConversationState.OPEN


def test_snooze_of_closed_conversation_is_refused_with_the_reason(teammate_client):
    conversation = ConversationFactory(closed=True)

    response = post(teammate_client, "conversation-snooze", conversation, {"preset": "1h"})

    assert response.status_code == 422
    assert "A closed conversation cannot be snoozed; reopen it first." in response.content.decode()


def test_close_and_reopen(teammate_client, conversation):
    post(teammate_client, "conversation-close", conversation, {})
    conversation.refresh_from_db()
    assert conversation.state == ConversationState.CLOSED

    response = post(teammate_client, "conversation-reopen", conversation, {})
    conversation.refresh_from_db()
    assert conversation.state == ConversationState.OPEN
    assert "Close</button>" in response.content.decode()


def test_inbox_list_refresh_keeps_the_open_conversation_marked(teammate_client):
    conversation, other = ConversationFactory(), ConversationFactory()

    response = teammate_client.get(view_url(open=conversation.pk), headers=htmx_target("conversation-list"))

    html = response.content.decode()
    marked = re.findall(r'href="[^"]*/(\d+)/\?[^"]*"[^>]*aria-current="true"', html)
    assert marked == [str(conversation.pk)]
    assert other.pk != conversation.pk


def test_inbox_page_emptied_since_its_link_offers_the_first_page(teammate_client):
    conversations = ConversationFactory.create_batch(2)
    after_last = encode_cursor(min(conversations, key=lambda c: (c.updated_at, c.pk)), keys=ORDERINGS[Sort.NEWEST])

    response = teammate_client.get(reverse("inbox:view", args=["all"]), {"after": after_last})

    assert response.status_code == 200
    assert "No open conversations here." in response.content.decode()
    first_page = r'<a href="/inbox/all/\?state=open&amp;sort=newest"[^>]*>Back to the first page</a>'
    assert re.search(first_page, html_of(response))
