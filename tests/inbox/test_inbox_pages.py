"""The inbox page and its list, and the partials that follow changes made elsewhere, through Django's test client."""

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from inbox import actions
from inbox.models import Conversation
from tests.factories import BackOfficeTicketFactory, ConversationFactory, PartFactory, TeamFactory, TeammateFactory
from tests.inbox.pages import (
    HTMX,
    html_of,
    pager_link,
    root_id,
    subjects,
    view_url,
)

pytestmark = pytest.mark.django_db


# The inbox page and its list


def test_inbox_home_redirects_to_your_inbox(teammate_client):
    assert teammate_client.get(reverse("inbox:home"))["Location"] == view_url("mine")


def test_inbox_page_requires_login(client, db):
    assert client.get(view_url()).status_code == 302


def test_inbox_view_mine_lists_only_the_teammates_conversations(teammate_client, teammate):
    ConversationFactory(subject="Mine", assignee=teammate)
    ConversationFactory(subject="Someone else's", assignee=TeammateFactory())

    assert subjects(teammate_client.get(view_url("mine"))) == ["Mine"]


def test_inbox_view_unassigned_lists_conversations_without_assignee(teammate_client, teammate):
    ConversationFactory(subject="Nobody's")
    ConversationFactory(subject="Mine", assignee=teammate)

    assert subjects(teammate_client.get(view_url("unassigned"))) == ["Nobody's"]


def test_inbox_team_view_lists_the_teams_conversations(teammate_client):
    billing, fraud = TeamFactory(name="Billing"), TeamFactory(name="Fraud")
    ConversationFactory(subject="Invoice", team=billing)
    ConversationFactory(subject="Stolen card", team=fraud)

    response = teammate_client.get(view_url(f"team-{billing.pk}"))

    assert subjects(response) == ["Invoice"]
    assert response.context["view"].label == "Billing"


@pytest.mark.parametrize("slug", ["nobody", "team-999999", "team-x"])
def test_inbox_unknown_view_is_404(teammate_client, slug):
    response = teammate_client.get(view_url(slug))

    assert response.status_code == 404
    assert "That inbox view does not exist." in response.content.decode()


def test_inbox_lists_open_conversations_by_default(teammate_client):
    ConversationFactory(subject="Open one")
    ConversationFactory(subject="Snoozed one", snoozed=True)
    ConversationFactory(subject="Closed one", closed=True)

    assert subjects(teammate_client.get(view_url())) == ["Open one"]
    assert subjects(teammate_client.get(view_url(state="snoozed"))) == ["Snoozed one"]
    assert subjects(teammate_client.get(view_url(state="closed"))) == ["Closed one"]


def test_inbox_sorts_waiting_longest_first(teammate_client):
    now = timezone.now()
    for subject, waited in (("Two hours", 2), ("Five hours", 5), ("One hour", 1)):
        ConversationFactory(subject=subject, waiting_since=now - timedelta(hours=waited))
    ConversationFactory(subject="Answered")

    response = teammate_client.get(view_url(sort="waiting"))

    assert subjects(response) == ["Five hours", "Two hours", "One hour", "Answered"]


def test_inbox_sorts_oldest_first(teammate_client):
    first, second = ConversationFactory(subject="First"), ConversationFactory(subject="Second")
    Conversation.objects.filter(pk=first.pk).update(updated_at=timezone.now() - timedelta(days=1))

    assert subjects(teammate_client.get(view_url(sort="oldest"))) == ["First", "Second"]
    assert subjects(teammate_client.get(view_url(sort="newest"))) == ["Second", "First"]
    assert second  # both exist


def test_inbox_paginates_without_loading_the_whole_list(teammate_client):
    ConversationFactory.create_batch(26)

    first = teammate_client.get(view_url())
    second = teammate_client.get(pager_link(first, "next"))

    assert (len(subjects(first)), first.context["page"].has_next) == (25, True)
    assert (len(subjects(second)), second.context["page"].has_next) == (1, False)


# Partials that follow changes made elsewhere


def test_conversation_timeline_partial(teammate_client, conversation):
    PartFactory(conversation=conversation, body="Hello")

    response = teammate_client.get(reverse("inbox:conversation-timeline", args=[conversation.pk]), headers=HTMX)

    assert root_id(response) == "conversation-timeline"
    assert "Hello" in response.content.decode()


def test_conversation_header_partial(teammate_client, conversation):
    response = teammate_client.get(reverse("inbox:conversation-header", args=[conversation.pk]), headers=HTMX)

    assert root_id(response) == "conversation-header"


def live_part_url(response, part_id: str) -> str:
    """The address a live part polls, read from its hx-get."""
    return html.unescape(re.search(rf'id="{part_id}"[^>]*?hx-get="([^"]+)"', html_of(response)).group(1))


def test_conversation_live_parts_answer_204_until_the_conversation_changes(teammate_client, teammate, conversation):
    page = teammate_client.get(view_url(conversation=conversation))
    header_url, timeline_url = live_part_url(page, "conversation-header"), live_part_url(page, "conversation-timeline")
    other = ConversationFactory()
    actions.post_note(actor=teammate, conversation_id=other.pk, body="Elsewhere in the workspace")

    assert teammate_client.get(header_url, headers=HTMX).status_code == 204
    assert teammate_client.get(timeline_url, headers=HTMX).status_code == 204

    actions.post_note(actor=teammate, conversation_id=conversation.pk, body="Here")

    timeline = teammate_client.get(timeline_url, headers=HTMX)
    header = teammate_client.get(header_url, headers=HTMX)
    assert timeline.status_code == 200 and "Here" in html_of(timeline)
    assert header.status_code == 200 and root_id(header) == "conversation-header"


def test_conversation_live_part_with_a_bad_version_is_400(teammate_client, conversation):
    url = reverse("inbox:conversation-timeline", args=[conversation.pk])

    response = teammate_client.get(url, {"v": "x" * 65}, headers=HTMX)

    assert response.status_code == 400
    assert "bad parameter" in html_of(response)


def test_conversation_context_is_read_only(teammate_client, conversation):
    PartFactory(conversation=conversation, body="Context please")

    response = teammate_client.get(reverse("inbox:conversation-context", args=[conversation.pk]), headers=HTMX)

    html = response.content.decode()
    assert root_id(response) == "conversation-context"
    assert "Context please" in html
    assert "<form" not in html and "hx-post" not in html


def test_cross_posted_note_links_back_to_its_ticket(teammate_client, teammate, conversation, apply_outbox):
    from tickets.actions import post_ticket_note

    ticket = BackOfficeTicketFactory(actor=teammate, conversation=conversation)
    post_ticket_note(actor=teammate, ticket_id=ticket.pk, body="Refund approved", cross_post=True)
    apply_outbox()

    html = teammate_client.get(reverse("inbox:conversation-timeline", args=[conversation.pk])).content.decode()

    assert f'href="{reverse("tickets:open", args=[ticket.pk])}"' in html
    assert f"ticket #{ticket.pk}" in html
