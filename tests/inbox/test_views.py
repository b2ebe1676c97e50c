"""The inbox's HTTP layer: pages and partials, form errors in place, query counts that do not grow."""

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from helpdesk.pagination import encode_cursor
from inbox import actions
from inbox.models import Conversation, ConversationState, Part, PartKind
from inbox.selectors import ORDERINGS, Sort
from tests.factories import BackOfficeTicketFactory, ConversationFactory, PartFactory, TeamFactory, TeammateFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def htmx_target(target: str) -> dict:
    return {**HTMX, "HX-Target": target}


def root_id(response) -> str:
    """The id of the first element of a partial response."""
    return re.search(r'<\w+[^>]*\sid="([^"]+)"', response.content.decode()).group(1)


def view_url(slug: str = "all", conversation=None, **query) -> str:
    if conversation is None:
        url = reverse("inbox:view", args=[slug])
    else:
        url = reverse("inbox:conversation", args=[slug, conversation.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def subjects(response) -> list[str]:
    return [c.subject for c in response.context["page"].rows]


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


# Keyset pages: Previous and Next carry the cursor of a boundary row (helpdesk.pagination)


def pager_link(response, rel: str) -> str | None:
    """The address of the list's Previous (`prev`) or Next (`next`) link, None when there is none."""
    link = re.search(rf'<a class="button" rel="{rel}" href="([^"]+)"', response.content.decode())
    return html.unescape(link.group(1)) if link else None


@pytest.fixture
def tied_conversations(monkeypatch) -> list[Conversation]:
    """Pages of three over 14 open conversations on three `updated_at` values (two a microsecond apart), many
    waiting since the same moment and some not waiting (NULL), plus a closed one that no page shows."""
    monkeypatch.setattr("inbox.selectors.PAGE_SIZE", 3)
    now = timezone.now().replace(microsecond=500_000)
    moments = [now, now - timedelta(microseconds=1), now - timedelta(hours=1)]
    waits = [None, now - timedelta(days=1), now - timedelta(days=2), now - timedelta(days=1)]
    for index, conversation in enumerate(ConversationFactory.create_batch(14)):
        Conversation.objects.filter(pk=conversation.pk).update(
            updated_at=moments[index % 3], waiting_since=waits[index % 4]
        )
    ConversationFactory(closed=True)
    return list(Conversation.objects.filter(state=ConversationState.OPEN))


def in_list_order(conversations: list[Conversation], sort: str) -> list[str]:
    if sort == "waiting":
        far = timezone.now()
        key = lambda c: (c.waiting_since is None, c.waiting_since or far, c.updated_at, c.pk)  # noqa: E731
    else:
        key = lambda c: (c.updated_at, c.pk)  # noqa: E731
    return [c.subject for c in sorted(conversations, key=key, reverse=sort == "newest")]


def follow(client, url: str, rel: str) -> list[list[str]]:
    """The subjects of each page met following `rel` links from `url` (as htmx swaps the list), in that order."""
    pages = []
    while url and len(pages) < 50:
        response = client.get(url, headers=htmx_target("conversation-list"))
        assert response.status_code == 200
        pages.append(subjects(response))
        url = pager_link(response, rel)
    return pages


@pytest.mark.parametrize("sort", ["newest", "oldest", "waiting"])
def test_inbox_pages_forward_and_back_show_every_conversation_once_in_order(teammate_client, tied_conversations, sort):
    expected = in_list_order(tied_conversations, sort)

    forward = follow(teammate_client, view_url(sort=sort), "next")
    last_page = teammate_client.get(pager_link_to_last_page(teammate_client, sort), headers=HTMX)
    backward = follow(teammate_client, pager_link(last_page, "prev"), "prev")

    assert sum(forward, []) == expected
    assert [len(page) for page in forward] == [3, 3, 3, 3, 2]
    assert sum(reversed(backward), []) + subjects(last_page) == expected
    assert [len(page) for page in backward] == [3, 3, 3, 3]


def pager_link_to_last_page(client, sort: str) -> str:
    url = view_url(sort=sort)
    while next_url := pager_link(client.get(url, headers=htmx_target("conversation-list")), "next"):
        url = next_url
    return url


def test_inbox_pager_links_appear_only_where_there_are_more_pages(teammate_client, tied_conversations):
    first = teammate_client.get(view_url())
    middle = teammate_client.get(pager_link(first, "next"))
    last = teammate_client.get(pager_link_to_last_page(teammate_client, "newest"))

    assert (pager_link(first, "prev"), bool(pager_link(first, "next"))) == (None, True)
    assert bool(pager_link(middle, "prev")) and bool(pager_link(middle, "next"))
    assert (bool(pager_link(last, "prev")), pager_link(last, "next")) == (True, None)


def test_inbox_pager_is_absent_from_a_single_page(teammate_client):
    ConversationFactory.create_batch(3)

    assert 'class="pager"' not in teammate_client.get(view_url()).content.decode()


def test_inbox_pager_links_keep_the_state_sort_and_htmx_swap(teammate_client, tied_conversations):
    Conversation.objects.update(state=ConversationState.CLOSED)

    response = teammate_client.get(view_url(state="closed", sort="oldest"), headers=htmx_target("conversation-list"))

    link = re.search(r'<a class="button" rel="next" href="([^"]+)" hx-get="([^"]+)"([^>]*)>Next', html_of(response))
    assert link.group(1) == link.group(2) and "state=closed&amp;sort=oldest&amp;after=" in link.group(1)
    assert 'hx-target="#conversation-list" hx-swap="outerHTML" hx-push-url="true"' in link.group(3)


def test_inbox_tabs_and_sort_of_a_later_page_go_back_to_the_first_page(teammate_client, tied_conversations):
    second = teammate_client.get(pager_link(teammate_client.get(view_url()), "next"))
    header = html_of(second).split('<div class="list-header">')[1].split('<ul class="items"')[0]

    assert "after=" not in header and "before=" not in header
    assert 'name="after"' not in header and 'name="before"' not in header


def test_inbox_list_refresh_and_items_keep_the_page(teammate_client, tied_conversations):
    second_url = pager_link(teammate_client.get(view_url()), "next")
    cursor = second_url.split("after=")[1]

    page = html_of(teammate_client.get(second_url))

    assert re.search(rf'id="conversation-list"[^>]*hx-get="[^"]*after={re.escape(cursor)}"', page)
    assert re.search(rf'data-list-item href="[^"]*after={re.escape(cursor)}"', page)


def html_of(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize(
    "query",
    [{"state": "deleted"}, {"sort": "random"}, {"after": "abc"}, {"before": "abc:def"}, {"after": "x" * 1001}],
)
def test_inbox_refuses_bad_filters_with_400(teammate_client, query):
    response = teammate_client.get(view_url(**query))

    assert response.status_code == 400
    assert "Those list filters are not valid." in response.content.decode()


def test_inbox_refuses_a_changed_page_link_with_400_and_says_why(teammate_client, tied_conversations):
    next_url = pager_link(teammate_client.get(view_url()), "next")
    changed = next_url[:-8] + ("A" if next_url[-8] != "A" else "B") + next_url[-7:]

    response = teammate_client.get(changed, headers=HTMX)

    assert response.status_code == 400
    assert "That page link is broken or was changed." in response.content.decode()


def test_inbox_refuses_a_page_link_of_another_sort_with_400(teammate_client, tied_conversations):
    next_url = pager_link(teammate_client.get(view_url(sort="newest")), "next")

    response = teammate_client.get(next_url.replace("sort=newest", "sort=waiting"))

    assert response.status_code == 400
    assert "That page link belongs to another sort of the list." in response.content.decode()


def test_inbox_refuses_both_after_and_before_with_400(teammate_client, tied_conversations):
    cursor = pager_link(teammate_client.get(view_url()), "next").split("after=")[1]

    response = teammate_client.get(view_url(after=cursor, before=cursor))

    assert response.status_code == 400
    assert "not both" in response.content.decode()


def test_inbox_list_shows_an_empty_state(teammate_client):
    response = teammate_client.get(view_url(state="closed"))

    assert "No closed conversations here." in response.content.decode()


def test_inbox_list_partial_for_htmx(teammate_client):
    ConversationFactory(subject="Listed")

    response = teammate_client.get(view_url(), headers=htmx_target("conversation-list"))

    assert root_id(response) == "conversation-list"
    assert "Listed" in response.content.decode()


def test_inbox_conversation_detail_partial_for_htmx(teammate_client, conversation):
    response = teammate_client.get(view_url(conversation=conversation), headers=htmx_target("main"))

    assert root_id(response) == "conversation-detail"
    assert 'id="ticket-side"' in response.content.decode()


def test_inbox_full_page_shows_the_open_conversation_beside_the_list(teammate_client, conversation):
    PartFactory(conversation=conversation, body="Where is my parcel?")

    html = teammate_client.get(view_url(conversation=conversation)).content.decode()

    assert 'id="conversation-list"' in html and 'id="conversation-pane"' in html
    assert "Where is my parcel?" in html


def test_inbox_unknown_conversation_is_404(teammate_client):
    assert teammate_client.get(reverse("inbox:conversation", args=["all", 999999])).status_code == 404


@pytest.mark.parametrize("n_conversations", [3, 30])
def test_inbox_list_query_count_does_not_grow(teammate_client, django_assert_max_num_queries, n_conversations):
    ConversationFactory.create_batch(n_conversations, assignee=TeammateFactory(), team=TeamFactory())

    # session, user, the page of conversations (contact, assignee and team joined)
    with django_assert_max_num_queries(3):
        response = teammate_client.get(view_url(), headers=htmx_target("conversation-list"))

    assert len(subjects(response)) == min(n_conversations, 25)


@pytest.mark.parametrize("sort", ["newest", "waiting"])
def test_inbox_later_page_query_count_is_the_first_pages(teammate_client, django_assert_max_num_queries, sort):
    ConversationFactory.create_batch(60, assignee=TeammateFactory(), team=TeamFactory(), waiting_since=timezone.now())
    next_url = pager_link(teammate_client.get(view_url(sort=sort), headers=htmx_target("conversation-list")), "next")

    # session, user, the page of conversations after the cursor
    with django_assert_max_num_queries(3):
        response = teammate_client.get(next_url, headers=htmx_target("conversation-list"))

    assert len(subjects(response)) == 25


@pytest.mark.parametrize(("n_parts", "n_tickets"), [(2, 1), (200, 5)])
def test_conversation_page_query_count_does_not_grow(
    teammate_client, teammate, django_assert_max_num_queries, n_parts, n_tickets
):
    conversation = ConversationFactory()
    authors = TeammateFactory.create_batch(3)
    for i in range(n_parts):
        PartFactory(conversation=conversation, kind=PartKind.NOTE, author=authors[i % 3])
    BackOfficeTicketFactory.create_batch(n_tickets, actor=teammate, conversation=conversation)
    ConversationFactory.create_batch(5)

    # session, user, list, conversation, timeline, teammates and teams of the assign form, live version
    with django_assert_max_num_queries(8):
        response = teammate_client.get(view_url(conversation=conversation))

    assert response.status_code == 200
    assert len(response.context["pane"].parts) == n_parts + n_tickets  # + each "ticket linked" event


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
