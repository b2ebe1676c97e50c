"""The teammates' tracker pages: the picker, linking and unlinking, a new tracker from a conversation, the list of
what a tracker links, its reply to every linked customer, and the Trackers view."""

import re

import pytest
from django.urls import reverse

from helpdesk.models import OutboxEvent
from helpdesk.outbox import apply_event
from tests.factories import (
    BackOfficeTicketFactory,
    ConversationFactory,
    CustomerTicketFactory,
    TicketTypeFactory,
    TrackerTicketFactory,
    state,
)
from tests.tickets.pages import HX, html, root_id, side_url
from tickets import actions
from tickets.models import StateCategory, TrackerLink, TrackerReply

pytestmark = pytest.mark.django_db

# Session, teammate, then the picker's reads: the conversation's customer ticket, its back-office tickets and
# trackers (to mark the linked ones), and one page of open trackers with their link counts.
PICKER_QUERIES = 6
# Session, teammate, then: is it a tracker, one page of links, the counts by state.
LINKS_QUERIES = 5
# Session, teammate, the tracker, its latest reply, and the refusal's reads (resolution, reply, links).
REPLY_PART_QUERIES = 7


def picker_url(conversation, search: str = "") -> str:
    return reverse("tickets:tracker-picker", args=[conversation.pk]) + (f"?q={search}" if search else "")


def links_url(tracker, query: str = "") -> str:
    return reverse("tickets:tracker-links", args=[tracker.pk]) + query


def resolve(tracker, actor) -> None:
    actions.change_ticket_state(actor=actor, ticket_id=tracker.pk, state_id=state(StateCategory.RESOLVED).pk)


def link(tracker, conversation) -> None:
    actions.link_to_tracker(actor=None, tracker_id=tracker.pk, conversation_id=conversation.pk)


# The picker


def test_picker_lists_open_trackers_and_not_resolved_ones(teammate_client, teammate, conversation):
    open_tracker = TrackerTicketFactory(title="Checkout is down")
    resolved = TrackerTicketFactory(title="Login was slow")
    resolve(resolved, teammate)

    response = teammate_client.get(picker_url(conversation), headers=HX)

    assert root_id(response) == "tracker-picker"
    assert [choice.tracker for choice in response.context["trackers"]] == [open_tracker]
    assert "Search open trackers" in html(response)


def test_picker_searches_titles_and_numbers(teammate_client, conversation):
    checkout = TrackerTicketFactory(title="Checkout is down")
    login = TrackerTicketFactory(title="Login fails")

    by_words = teammate_client.get(picker_url(conversation, "checkout"), headers=HX)
    by_number = teammate_client.get(picker_url(conversation, f"%23{login.pk}"), headers=HX)

    assert [choice.tracker for choice in by_words.context["trackers"]] == [checkout]
    assert [choice.tracker for choice in by_number.context["trackers"]] == [login]


def test_picker_search_box_asks_for_the_results_only(teammate_client, conversation):
    TrackerTicketFactory(title="Checkout is down")

    response = teammate_client.get(
        picker_url(conversation, "nothing-like-it"), headers=HX | {"HX-Target": "tracker-results"}
    )

    assert root_id(response) == "tracker-results"
    assert "No open tracker matches “nothing-like-it”" in html(response)


def test_picker_marks_the_trackers_already_linked_here(teammate_client, conversation):
    linked = TrackerTicketFactory()
    link(linked, conversation)

    response = teammate_client.get(picker_url(conversation), headers=HX)

    assert [(c.tracker, c.linked) for c in response.context["trackers"]] == [(linked, True)]
    assert f'value="{linked.pk}" disabled' in html(response)


@pytest.mark.parametrize("n", [1, 15])
def test_picker_query_count_does_not_grow(teammate_client, conversation, django_assert_max_num_queries, n):
    for _ in range(n):
        link(TrackerTicketFactory(), ConversationFactory())

    with django_assert_max_num_queries(PICKER_QUERIES):
        assert teammate_client.get(picker_url(conversation), headers=HX).status_code == 200


def test_picker_refuses_an_overlong_search(teammate_client, conversation):
    response = teammate_client.get(picker_url(conversation, "x" * 201), headers=HX)

    assert response.status_code == 400


# Linking, unlinking, creating


def test_link_opens_the_tracker_beside_the_conversation(teammate_client, conversation):
    tracker = TrackerTicketFactory(title="Checkout is down")

    response = teammate_client.post(
        reverse("tickets:tracker-link", args=[conversation.pk]), {"tracker": tracker.pk}, headers=HX
    )

    assert response.status_code == 200
    assert root_id(response) == "ticket-side-inner"
    assert response.context["selected_id"] == tracker.pk
    assert f"Unlink tracker #{tracker.pk}" in html(response)
    assert TrackerLink.objects.filter(tracker=tracker, conversation=conversation).exists()


@pytest.mark.parametrize(("value", "message"), [("", "Choose a tracker to link."), ("abc", "Choose a tracker from")])
def test_link_without_a_tracker_comes_back_with_the_reason(teammate_client, conversation, value, message):
    response = teammate_client.post(
        reverse("tickets:tracker-link", args=[conversation.pk]), {"tracker": value}, headers=HX
    )

    assert response.status_code == 422
    assert root_id(response) == "tracker-picker"
    assert message in html(response)


def test_link_to_a_ticket_that_is_not_a_tracker_is_refused_in_the_picker(teammate_client, conversation):
    ticket = BackOfficeTicketFactory()

    response = teammate_client.post(
        reverse("tickets:tracker-link", args=[conversation.pk]), {"tracker": ticket.pk}, headers=HX
    )

    assert response.status_code == 422
    assert "is not a tracker ticket" in html(response)
    assert not TrackerLink.objects.exists()


def test_conversation_side_shows_its_tracker_with_state_notes_and_composer(teammate_client, conversation):
    tracker = TrackerTicketFactory(title="Checkout is down")
    link(tracker, conversation)

    response = teammate_client.get(side_url(conversation), headers=HX)

    assert response.context["selected_id"] == tracker.pk
    page = html(response)
    assert "Checkout is down" in page and 'id="ticket-note-form"' in page and "Post and cross-post" in page
    assert reverse("tickets:tracker-reply-form", args=[tracker.pk]) in page


def test_unlink_from_the_side_comes_back_without_the_tracker(teammate_client, conversation):
    tracker = TrackerTicketFactory()
    link(tracker, conversation)

    response = teammate_client.post(
        reverse("tickets:tracker-unlink", args=[tracker.pk, conversation.pk]), headers=HX | {"HX-Target": "ticket-side"}
    )

    assert root_id(response) == "ticket-side-inner"
    assert response.context["linked"].tickets == []
    assert not TrackerLink.objects.exists()


def test_create_tracker_form_offers_tracker_types_without_sharing(teammate_client, conversation):
    tracker_type = TicketTypeFactory(tracker=True, name="Outage")
    TicketTypeFactory(name="Refund request")

    response = teammate_client.get(reverse("tickets:tracker-create", args=[conversation.pk]), headers=HX)

    form = response.context["form"]
    assert [label for value, label in form.fields["ticket_type"].choices if value] == [tracker_type.name]
    assert "share" not in form.fields
    assert "New tracker ticket" in html(response)


def test_create_tracker_links_the_conversation_and_opens_it(teammate_client, conversation):
    tracker_type = TicketTypeFactory(tracker=True)

    response = teammate_client.post(
        reverse("tickets:tracker-create", args=[conversation.pk]),
        {"ticket_type": tracker_type.pk, "title": "Checkout is down"},
        headers=HX,
    )

    tracker = TrackerLink.objects.get(conversation=conversation).tracker
    assert (tracker.title, tracker.team) == ("Checkout is down", tracker_type.default_team)
    assert response.context["selected_id"] == tracker.pk


def test_create_tracker_without_a_title_is_a_422(teammate_client, conversation):
    tracker_type = TicketTypeFactory(tracker=True)

    response = teammate_client.post(
        reverse("tickets:tracker-create", args=[conversation.pk]), {"ticket_type": tracker_type.pk}, headers=HX
    )

    assert response.status_code == 422
    assert not TrackerLink.objects.exists()


# What a tracker links


def test_tracker_links_list_conversations_and_customer_tickets_with_counts_by_state(teammate_client, teammate):
    tracker = TrackerTicketFactory()
    snoozed = ConversationFactory(snoozed=True, subject="Card declined")
    customer_ticket = CustomerTicketFactory(title="Order 1042 stuck")
    link(tracker, snoozed)
    actions.link_to_tracker(actor=None, tracker_id=tracker.pk, customer_ticket_id=customer_ticket.pk)

    response = teammate_client.get(links_url(tracker), headers=HX)

    links = response.context["links"]
    assert links.total == 2
    assert dict((s, n) for s, _label, n in links.counts) == {"open": 1, "snoozed": 1, "closed": 0}
    page = html(response)
    assert "Card declined" in page and f"Customer ticket #{customer_ticket.pk} Order 1042 stuck" in page
    assert "2 linked: 1 open · 1 snoozed · 0 closed" in page


def test_tracker_links_are_paginated(teammate_client):
    tracker = TrackerTicketFactory()
    for _ in range(27):
        link(tracker, ConversationFactory())

    first = teammate_client.get(links_url(tracker), headers=HX)
    second = teammate_client.get(links_url(tracker, f"?after={first.context['links'].page.next_cursor}"), headers=HX)

    assert len(first.context["links"].page.rows) == 25
    assert len(second.context["links"].page.rows) == 2
    assert not {link.pk for link in first.context["links"].page.rows} & {
        link.pk for link in second.context["links"].page.rows
    }


def test_tracker_links_answer_204_while_unchanged(teammate_client):
    tracker = TrackerTicketFactory()
    link(tracker, ConversationFactory())
    version = teammate_client.get(links_url(tracker), headers=HX).context["links"].version

    assert teammate_client.get(links_url(tracker, f"?v={version}"), headers=HX).status_code == 204
    link(tracker, ConversationFactory())
    assert teammate_client.get(links_url(tracker, f"?v={version}"), headers=HX).status_code == 200


@pytest.mark.parametrize("n", [1, 30])
def test_tracker_links_query_count_does_not_grow(teammate_client, django_assert_max_num_queries, n):
    tracker = TrackerTicketFactory()
    for _ in range(n):
        link(tracker, ConversationFactory())

    with django_assert_max_num_queries(LINKS_QUERIES):
        assert teammate_client.get(links_url(tracker), headers=HX).status_code == 200


def test_tracker_links_of_a_ticket_that_is_not_a_tracker_is_404(teammate_client):
    assert teammate_client.get(links_url(BackOfficeTicketFactory()), headers=HX).status_code == 404


def test_tracker_links_refuses_a_broken_page_link(teammate_client):
    assert teammate_client.get(links_url(TrackerTicketFactory(), "?after=broken"), headers=HX).status_code == 400


def test_unlink_from_the_list_comes_back_with_the_list(teammate_client):
    tracker = TrackerTicketFactory()
    conversation = ConversationFactory()
    link(tracker, conversation)

    response = teammate_client.post(reverse("tickets:tracker-unlink", args=[tracker.pk, conversation.pk]), headers=HX)

    assert root_id(response) == "tracker-links"
    assert response.context["links"].total == 0


# The reply to every linked customer


def reply_url(tracker) -> str:
    return reverse("tickets:tracker-reply", args=[tracker.pk])


def test_reply_form_says_to_resolve_first(teammate_client):
    tracker = TrackerTicketFactory()
    link(tracker, ConversationFactory())

    response = teammate_client.get(reverse("tickets:tracker-reply-form", args=[tracker.pk]), headers=HX)

    assert root_id(response) == "tracker-reply-form"
    assert "Resolve the tracker first" in html(response)
    assert "<textarea" not in html(response)


def test_reply_form_is_offered_once_resolved(teammate_client, teammate):
    tracker = TrackerTicketFactory()
    link(tracker, ConversationFactory())
    resolve(tracker, teammate)

    response = teammate_client.get(reverse("tickets:tracker-reply-form", args=[tracker.pk]), headers=HX)

    assert "Send to every linked customer" in html(response)
    assert 'id="tracker-reply-body"' in html(response)


def test_reply_sends_to_every_linked_customer_and_shows_the_delivery(teammate_client, teammate):
    tracker = TrackerTicketFactory()
    link(tracker, ConversationFactory())
    link(tracker, ConversationFactory())
    resolve(tracker, teammate)

    response = teammate_client.post(reply_url(tracker), {"body": "The outage is fixed."}, headers=HX)

    assert response.status_code == 200
    assert "on its way to the 2 linked customers" in html(response)
    assert TrackerReply.objects.get(tracker=tracker).body == "The outage is fixed."
    apply_event(OutboxEvent.objects.filter(kind="TrackerReplyQueued").order_by("pk").first().pk)
    status = teammate_client.get(reverse("tickets:tracker-reply-status", args=[tracker.pk]), headers=HX)
    assert "1 delivered</strong>, 1 pending" in html(status)


def test_reply_to_an_unresolved_tracker_is_a_422_with_the_reason(teammate_client):
    tracker = TrackerTicketFactory()
    link(tracker, ConversationFactory())

    response = teammate_client.post(reply_url(tracker), {"body": "Fixed."}, headers=HX)

    assert response.status_code == 422
    assert "Resolve the tracker first" in html(response)
    assert "Fixed." in html(response)  # what was typed comes back
    assert not TrackerReply.objects.exists()


def test_reply_without_text_is_a_422(teammate_client, teammate):
    tracker = TrackerTicketFactory()
    link(tracker, ConversationFactory())
    resolve(tracker, teammate)

    response = teammate_client.post(reply_url(tracker), {"body": ""}, headers=HX)

    assert response.status_code == 422
    assert not TrackerReply.objects.exists()


@pytest.mark.parametrize("part", ["status", "form"])
def test_reply_parts_answer_204_while_unchanged(teammate_client, teammate, django_assert_max_num_queries, part):
    tracker = TrackerTicketFactory()
    link(tracker, ConversationFactory())
    url = reverse(f"tickets:tracker-reply-{part}", args=[tracker.pk])
    status = teammate_client.get(url, headers=HX).context["status"]
    version = status.version if part == "status" else status.form_version

    with django_assert_max_num_queries(REPLY_PART_QUERIES):
        assert teammate_client.get(f"{url}?v={version}", headers=HX).status_code == 204
    resolve(tracker, teammate)
    changed = teammate_client.get(f"{url}?v={version}", headers=HX).status_code
    assert changed == (204 if part == "status" else 200)  # resolving changes the form, not the delivery status


def test_reply_parts_of_a_ticket_that_is_not_a_tracker_are_404(teammate_client):
    ticket = BackOfficeTicketFactory()

    assert teammate_client.get(reverse("tickets:tracker-reply-form", args=[ticket.pk]), headers=HX).status_code == 404


# The Trackers view


def test_trackers_view_lists_trackers_only(teammate_client):
    tracker = TrackerTicketFactory()
    BackOfficeTicketFactory()

    response = teammate_client.get(reverse("tickets:list", args=["trackers"]))

    assert response.context["page"].rows == [tracker]
    assert response.context["ticket_view"].label == "Trackers"


def test_tracker_in_a_ticket_view_shows_what_it_links_beside_it(teammate_client, teammate, conversation):
    tracker = TrackerTicketFactory()
    actions.link_to_tracker(actor=teammate, tracker_id=tracker.pk, conversation_id=conversation.pk)

    response = teammate_client.get(reverse("tickets:ticket", args=["trackers", tracker.pk]))

    page = html(response)
    assert re.search(rf'id="tracker-links"[^>]*hx-get="{links_url(tracker)}\?v=', page)
    assert conversation.subject in page
