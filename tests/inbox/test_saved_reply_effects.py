"""A saved reply's effects (inbox/saved_replies/actions.py): applied with the message through the inbox's actions,
all or nothing; and who may save and delete saved replies."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from helpdesk.errors import InvalidInput, NotFound, RuleViolation
from helpdesk.models import OutboxEvent
from inbox.models import ConversationState, Part, PartKind, SavedReply, StateEffect
from inbox.saved_replies import actions
from tests.factories import ConversationFactory, SavedReplyFactory, TeamFactory, TeammateFactory
from tests.inbox.pages import HTMX, html_of, root_id

pytestmark = pytest.mark.django_db


def send(client, conversation, saved_reply, *, kind="reply", body="Done!"):
    data = {"kind": kind, "body": body, "saved_reply": saved_reply.pk if saved_reply else ""}
    return client.post(reverse("inbox:conversation-message", args=[conversation.pk]), data, headers=HTMX)


def events_of(conversation) -> list[str]:
    parts = Part.objects.filter(conversation=conversation, kind=PartKind.EVENT)
    return list(parts.values_list("event_type", flat=True))


def recorded() -> list[str]:
    return list(OutboxEvent.objects.order_by("pk").values_list("kind", flat=True).distinct())


def test_sending_with_a_closing_saved_reply_posts_then_closes(teammate_client, teammate, conversation):
    response = send(teammate_client, conversation, SavedReplyFactory(state_effect=StateEffect.CLOSE))

    assert (response.status_code, root_id(response)) == (200, "conversation-pane")
    conversation.refresh_from_db()
    assert conversation.state == ConversationState.CLOSED
    parts = list(conversation.parts.values_list("kind", "event_type"))
    assert parts == [(PartKind.REPLY, ""), (PartKind.EVENT, "closed")]
    assert {"ReplyPosted", "ConversationClosed"} <= set(recorded())


def test_sending_with_a_snoozing_saved_reply_snoozes_for_an_hour(teammate_client, conversation):
    before = timezone.now()

    send(teammate_client, conversation, SavedReplyFactory(state_effect=StateEffect.SNOOZE_HOUR))

    conversation.refresh_from_db()
    assert conversation.state == ConversationState.SNOOZED
    assert timedelta(minutes=59) < conversation.snoozed_until - before < timedelta(minutes=61)
    assert events_of(conversation) == ["snoozed"]
    assert "ConversationSnoozed" in recorded()


def test_snooze_until_tomorrow_is_nine_in_the_workspace_time_zone(teammate_client, conversation, settings):
    settings.TIME_ZONE = "Pacific/Auckland"

    send(teammate_client, conversation, SavedReplyFactory(state_effect=StateEffect.SNOOZE_TOMORROW))

    conversation.refresh_from_db()
    local = timezone.localtime(conversation.snoozed_until)
    today = timezone.localdate()
    assert (local.date(), local.hour, local.minute) == (today + timedelta(days=1), 9, 0)
    assert local.tzinfo.key == "Pacific/Auckland"


def test_sending_with_an_assigning_saved_reply_assigns_to_the_sender_and_team(teammate_client, teammate, conversation):
    team = TeamFactory()

    send(teammate_client, conversation, SavedReplyFactory(assign_to_me=True, assign_team=team))

    conversation.refresh_from_db()
    assert (conversation.assignee, conversation.team) == (teammate, team)
    assert events_of(conversation) == ["assigned"]
    assert "ConversationAssigned" in recorded()


def test_assigning_to_a_teammate_keeps_the_conversations_team(teammate_client, other_teammate):
    team = TeamFactory()
    conversation = ConversationFactory(team=team)

    send(teammate_client, conversation, SavedReplyFactory(assign_teammate=other_teammate))

    conversation.refresh_from_db()
    assert (conversation.assignee, conversation.team) == (other_teammate, team)


def test_assign_then_close_in_that_order(teammate_client, teammate, conversation):
    send(teammate_client, conversation, SavedReplyFactory(assign_to_me=True, state_effect=StateEffect.CLOSE))

    assert events_of(conversation) == ["assigned", "closed"]


def test_a_refused_effect_posts_nothing_and_says_why(teammate_client, teammate):
    conversation = ConversationFactory(closed=True)
    saved_reply = SavedReplyFactory(name="Later", assign_to_me=True, state_effect=StateEffect.SNOOZE_HOUR)

    response = send(teammate_client, conversation, saved_reply)

    assert (response.status_code, root_id(response)) == (422, "conversation-pane")
    html = html_of(response)
    assert "Not sent: “Later” would also assign to me · snooze 1 h, and that was refused" in html
    assert "A closed conversation cannot be snoozed" in html
    assert not Part.objects.filter(conversation=conversation).exists()
    conversation.refresh_from_db()
    assert (conversation.state, conversation.assignee) == (ConversationState.CLOSED, None)
    assert not OutboxEvent.objects.exists()


def test_a_refused_message_keeps_its_effects_chip(teammate_client):
    saved_reply = SavedReplyFactory(state_effect=StateEffect.SNOOZE_HOUR)

    html = html_of(send(teammate_client, ConversationFactory(closed=True), saved_reply))

    assert f'name="saved_reply" value="{saved_reply.pk}"' in html
    assert "Will also: <span data-saved-reply-effects-label>snooze 1 h</span>" in html


def test_an_empty_message_posts_nothing_and_applies_nothing(teammate_client, conversation):
    response = send(teammate_client, conversation, SavedReplyFactory(state_effect=StateEffect.CLOSE), body=" ")

    assert response.status_code == 422
    conversation.refresh_from_db()
    assert (conversation.state, conversation.parts.count()) == (ConversationState.OPEN, 0)


def test_another_teammates_saved_reply_is_refused_and_nothing_posted(teammate_client, other_teammate, conversation):
    theirs = SavedReplyFactory(owner=other_teammate, state_effect=StateEffect.CLOSE)

    response = send(teammate_client, conversation, theirs)

    assert response.status_code == 422
    assert "That saved reply does not exist" in html_of(response)
    assert not conversation.parts.exists()


@pytest.mark.parametrize("value", ["abc", "0", "-3", "99999999999999999999"])
def test_a_bad_saved_reply_id_is_a_form_error(teammate_client, conversation, value):
    data = {"kind": "reply", "body": "Hi", "saved_reply": value}

    response = teammate_client.post(reverse("inbox:conversation-message", args=[conversation.pk]), data, headers=HTMX)

    assert (response.status_code, root_id(response)) == (422, "conversation-pane")
    assert not conversation.parts.exists()


def test_a_saved_reply_without_effects_changes_nothing_but_the_post(teammate_client, conversation):
    send(teammate_client, conversation, SavedReplyFactory(), kind="note")

    conversation.refresh_from_db()
    assert (conversation.state, list(conversation.parts.values_list("kind", flat=True))) == (
        ConversationState.OPEN,
        [PartKind.NOTE],
    )


def test_apply_effects_reassigning_to_the_same_people_is_a_no_op(teammate):
    conversation = ConversationFactory(assignee=teammate)

    events = actions.apply_saved_reply_effects(
        actor=teammate, conversation_id=conversation.pk, saved_reply_id=SavedReplyFactory(assign_to_me=True).pk
    )

    assert events == []


# --- Saving and deleting ---


def test_save_saved_reply_refuses_a_shared_one_without_the_permission(teammate):
    with pytest.raises(RuleViolation):
        actions.save_saved_reply(actor=teammate, saved_reply=SavedReplyFactory.build())


def test_save_saved_reply_lets_an_admin_share_one():
    admin = TeammateFactory(is_superuser=True)

    saved = actions.save_saved_reply(actor=admin, saved_reply=SavedReplyFactory.build(name="Hello"))

    assert SavedReply.objects.get(pk=saved.pk).owner is None


def test_save_saved_reply_refuses_changing_anothers(teammate, other_teammate):
    theirs = SavedReplyFactory(owner=other_teammate)
    theirs.owner = teammate  # as a forged form would

    with pytest.raises(RuleViolation):
        actions.save_saved_reply(actor=teammate, saved_reply=theirs)


def test_save_saved_reply_turns_a_name_taken_meanwhile_into_invalid_input(teammate):
    SavedReplyFactory(name="Hello", owner=teammate)

    with pytest.raises(InvalidInput) as raised:
        actions.save_saved_reply(actor=teammate, saved_reply=SavedReplyFactory.build(name="hello", owner=teammate))

    assert list(raised.value.errors) == ["name"]


def test_delete_saved_reply_deletes_the_owners(teammate):
    own = SavedReplyFactory(owner=teammate)

    actions.delete_saved_reply(actor=teammate, saved_reply_id=own.pk)

    assert not SavedReply.objects.exists()


def test_delete_saved_reply_hides_anothers_as_not_found(teammate, other_teammate):
    with pytest.raises(NotFound):
        actions.delete_saved_reply(actor=teammate, saved_reply_id=SavedReplyFactory(owner=other_teammate).pk)


def test_delete_saved_reply_refuses_a_shared_one_without_the_permission(teammate):
    with pytest.raises(RuleViolation):
        actions.delete_saved_reply(actor=teammate, saved_reply_id=SavedReplyFactory().pk)
