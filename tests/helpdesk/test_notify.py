"""Teammates' notifications (issue 16): who is told of what, once per cause, and nobody else; the bell, its panel and
page; marking read (only one's own); the email digest."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from helpdesk.models import DigestFrequency, Notification, NotificationKind, OutboxEvent
from helpdesk.notify import send_digests, set_email_digest
from helpdesk.outbox import apply_event
from inbox import actions as inbox_actions
from inbox.mentions import mentioned_teammate_ids
from tests.factories import BackOfficeTicketFactory, ConversationFactory, TeamFactory, TeammateFactory
from tests.inbox.pages import NAV_QUERIES
from tests.tickets.rule_helpers import in_progress
from tickets import actions

pytestmark = pytest.mark.django_db


def notified(teammate, kind=None):
    rows = Notification.objects.filter(recipient=teammate)
    return list(rows.filter(kind=kind) if kind else rows)


@pytest.fixture
def ana():
    return TeammateFactory(username="ana", first_name="Ana", last_name="Lima")


@pytest.fixture
def bo():
    return TeammateFactory(username="bo", first_name="Bo", last_name="Berg")


@pytest.fixture
def ticket(ana):
    return BackOfficeTicketFactory(actor=ana, conversation=ConversationFactory())


def test_a_mention_in_a_ticket_note_notifies_the_teammate_named_and_not_the_author(ana, bo, ticket, apply_outbox):
    carl = TeammateFactory(username="carl")
    actions.post_ticket_note(actor=ana, ticket_id=ticket.pk, body="@bo can you refund this? (ana@example.com)")
    apply_outbox()
    [notification] = notified(bo)
    assert notification.kind == NotificationKind.MENTIONED
    assert notification.text == f"Ana Lima mentioned you on ticket {ticket}"
    assert notification.excerpt.startswith("@bo can you refund this?")
    assert notification.url == reverse("tickets:open", args=[ticket.pk])
    assert notified(ana) == [] and notified(carl) == []


def test_a_team_mention_notifies_each_working_member(ana, bo, ticket, apply_outbox):
    billing = TeamFactory(name="Trust & Safety")
    bo.teams.add(billing)
    gone = TeammateFactory(is_active=False)
    gone.teams.add(billing)
    assert mentioned_teammate_ids("Over to @trust-safety.") == {bo.pk}
    actions.post_ticket_note(actor=ana, ticket_id=ticket.pk, body="Over to @trust-safety.", cross_post=True)
    apply_outbox()
    assert len(notified(bo, NotificationKind.MENTIONED)) == 1
    assert notified(gone) == []


def test_a_mention_in_a_conversation_note_notifies_and_a_handler_applied_twice_notifies_once(ana, bo, apply_outbox):
    conversation = ConversationFactory()
    inbox_actions.post_note(actor=ana, conversation_id=conversation.pk, body="@BO have a look")
    row = OutboxEvent.objects.get(kind="ConversationNotePosted", handler="inbox.notify.notify_mentioned")
    apply_event(row.pk)
    OutboxEvent.objects.filter(pk=row.pk).update(done_at=None)  # as if the worker died before marking it done
    apply_event(row.pk)
    apply_outbox()
    [notification] = notified(bo)
    assert notification.url == reverse("tickets:open-conversation", args=[conversation.pk])  # the inbox, or its ticket


def test_a_reply_to_the_customer_mentions_nobody(ana, bo, apply_outbox):
    conversation = ConversationFactory()
    inbox_actions.post_reply(actor=ana, conversation_id=conversation.pk, body="Thanks! @bo will follow up.")
    apply_outbox()
    assert notified(bo) == []


def test_assigning_notifies_the_assignee_unless_they_assigned_themselves(ana, bo, ticket, apply_outbox):
    conversation = ConversationFactory()
    inbox_actions.assign_conversation(actor=ana, conversation_id=conversation.pk, assignee_id=bo.pk, team_id=None)
    actions.assign_ticket(actor=ana, ticket_id=ticket.pk, assignee_id=bo.pk, team_id=ticket.team_id)
    inbox_actions.assign_conversation(
        actor=ana, conversation_id=ConversationFactory().pk, assignee_id=ana.pk, team_id=None
    )
    apply_outbox()
    texts = sorted(n.text for n in notified(bo, NotificationKind.ASSIGNED))
    assert texts == sorted(
        [
            f"Ana Lima assigned you conversation #{conversation.pk} with {conversation.contact}",
            f"Ana Lima assigned you ticket {ticket}",
        ]
    )
    assert notified(ana) == []


def test_a_state_change_notifies_the_creator_and_followers_but_not_the_actor(ana, bo, ticket, apply_outbox):
    carl, dee = TeammateFactory(), TeammateFactory()
    actions.follow_ticket(actor=carl, ticket_id=ticket.pk, follow=True)
    actions.follow_ticket(actor=dee, ticket_id=ticket.pk, follow=True)
    actions.follow_ticket(actor=dee, ticket_id=ticket.pk, follow=False)
    actions.change_ticket_state(actor=bo, ticket_id=ticket.pk, state_id=in_progress().pk)
    apply_outbox()
    assert [n.kind for n in notified(ana)] == [NotificationKind.STATE_CHANGED]
    assert "to In progress" in notified(ana)[0].text
    assert len(notified(carl)) == 1
    assert notified(dee) == [] and notified(bo) == []


def test_a_customer_reply_notifies_the_assignee_of_the_linked_ticket(ana, bo, apply_outbox):
    conversation = ConversationFactory()
    ticket = BackOfficeTicketFactory(actor=ana, conversation=conversation, assignee_id=bo.pk)
    unrelated = BackOfficeTicketFactory(actor=ana, assignee_id=TeammateFactory().pk)
    apply_outbox()
    Notification.objects.all().delete()
    inbox_actions.record_customer_message(conversation_id=conversation.pk, body="Any news on my refund?")
    apply_outbox()
    [notification] = notified(bo)
    assert notification.kind == NotificationKind.CUSTOMER_REPLIED
    assert f"linked to ticket #{ticket.pk}" in notification.text
    assert notification.excerpt == "Any news on my refund?"
    assert notified(unrelated.assignee) == []


# The bell and its pages.


@pytest.fixture
def bo_client(client, bo):
    client.force_login(bo)
    return client


@pytest.fixture
def three_for_bo(ana, bo, ticket, apply_outbox):
    for n in range(3):
        actions.post_ticket_note(actor=ana, ticket_id=ticket.pk, body=f"@bo question {n}")
    apply_outbox()
    return notified(bo)


def test_every_teammate_page_shows_the_unread_count(bo_client, three_for_bo):
    page = bo_client.get(reverse("inbox:view", args=["mine"]))
    assert page.status_code == 200
    assert b", 3 unread" in page.content


def test_the_panel_lists_the_latest_and_marks_one_read(bo_client, three_for_bo, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):  # session, teammate, the page of notifications, the count
        panel = bo_client.get(reverse("notification-panel"), headers={"HX-Request": "true"})
    assert panel.content.decode().count("@bo question") == 3
    first = three_for_bo[0]
    response = bo_client.post(reverse("notification-read", args=[first.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 200
    first.refresh_from_db()
    assert first.read_at is not None
    assert b", 2 unread" in bo_client.get(reverse("notification-count")).content


def test_opening_one_marks_it_read_and_goes_where_it_points(bo_client, three_for_bo):
    notification = three_for_bo[0]
    response = bo_client.post(reverse("notification-open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == notification.url
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_nobody_reads_or_opens_another_teammates_notification(ana, three_for_bo, client):
    client.force_login(ana)
    notification = three_for_bo[0]
    for name in ("notification-open", "notification-read"):
        response = client.post(reverse(name, args=[notification.pk]))
        assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None
    assert b"question" not in client.get(reverse("notifications")).content


def test_mark_all_read_and_the_unread_tab(bo_client, three_for_bo, django_assert_max_num_queries):
    bo_client.post(reverse("notifications-read"))
    assert Notification.objects.filter(read_at__isnull=True).count() == 0
    with django_assert_max_num_queries(4 + NAV_QUERIES):  # session, teammate, page, digest setting; the nav, the bell
        page = bo_client.get(reverse("notifications") + "?unread=on")
    assert b"Nothing unread." in page.content


def test_the_notifications_page_is_paginated(ana, bo, ticket, bo_client, apply_outbox):
    for n in range(23):
        actions.post_ticket_note(actor=ana, ticket_id=ticket.pk, body=f"@bo number {n:02}")
    apply_outbox()
    first = bo_client.get(reverse("notifications")).content.decode()
    assert "number 22" in first and "number 02" not in first
    older = first.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = bo_client.get(reverse("notifications") + older).content.decode()
    assert "number 02" in second and "number 22" not in second
    assert bo_client.get(reverse("notifications") + "?after=forged").status_code == 400


def test_the_mention_picker_offers_teammates_and_teams(ana, bo_client, django_assert_max_num_queries):
    TeamFactory(name="Billing Ops")
    with django_assert_max_num_queries(4):
        response = bo_client.get(reverse("inbox:mention-options") + "?q=bi")
    html = response.content.decode()
    assert 'data-mention="billing-ops"' in html
    assert 'data-mention="ana"' not in html
    assert 'data-mention="ana"' in bo_client.get(reverse("inbox:mention-options") + "?q=lim").content.decode()
    assert bo_client.get(reverse("inbox:mention-options") + "?q=" + "x" * 101).status_code == 400


# The email digest.


def test_the_digest_sends_what_is_unread_once_per_period(bo, ana, ticket, apply_outbox):
    set_email_digest(actor=bo, frequency=DigestFrequency.HOURLY)
    actions.post_ticket_note(actor=ana, ticket_id=ticket.pk, body="@bo first")
    actions.post_ticket_note(actor=ana, ticket_id=ticket.pk, body="@bo second")
    apply_outbox()
    Notification.objects.filter(excerpt="@bo second").update(read_at=timezone.now())
    now = timezone.now() + timedelta(hours=1, seconds=1)
    assert send_digests(now=now) == 1
    [email] = mail.outbox
    assert email.to == [bo.email]
    assert "@bo first" in email.body and "@bo second" not in email.body
    assert send_digests(now=now) == 0  # the period has not passed again
    actions.post_ticket_note(actor=ana, ticket_id=ticket.pk, body="@bo third")
    apply_outbox()
    assert send_digests(now=now + timedelta(hours=1, seconds=1)) == 1
    assert "@bo first" not in mail.outbox[1].body and "@bo third" in mail.outbox[1].body


def test_no_digest_unless_asked(bo, ana, ticket, apply_outbox, bo_client):
    actions.post_ticket_note(actor=ana, ticket_id=ticket.pk, body="@bo first")
    apply_outbox()
    assert send_digests(now=timezone.now() + timedelta(days=2)) == 0
    response = bo_client.post(reverse("notification-digest"), {"email_digest": "weekly"})
    assert response.status_code == 400
    response = bo_client.post(reverse("notification-digest"), {"email_digest": "daily"})
    assert response.status_code == 302
    assert bo.notification_settings.email_digest == DigestFrequency.DAILY
