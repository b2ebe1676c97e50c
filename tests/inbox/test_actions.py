"""Conversation actions (inbox/actions.py): each change and the timeline part it writes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from helpdesk.errors import InvalidInput, NotFound, RuleViolation
from inbox import actions
from inbox.models import Conversation, ConversationState, Part, PartKind
from tests.factories import ConversationFactory, TeamFactory, TeammateFactory

pytestmark = pytest.mark.django_db


def refreshed(conversation: Conversation) -> Conversation:
    conversation.refresh_from_db()
    return conversation


def last_part(conversation: Conversation) -> Part:
    return Part.objects.filter(conversation=conversation).order_by("pk").last()


# clean_body


@pytest.mark.parametrize("body", ["", "   \n\t ", None])
def test_clean_body_refuses_empty_message(body):
    with pytest.raises(InvalidInput) as raised:
        actions.clean_body(body)

    assert raised.value.errors == {"body": ["This field is required."]}


def test_clean_body_refuses_too_long_message():
    with pytest.raises(InvalidInput) as raised:
        actions.clean_body("x" * (actions.MAX_BODY_LENGTH + 1))

    assert "20,000 characters" in raised.value.message
    assert list(raised.value.errors) == ["body"]


def test_clean_body_trims_and_accepts_message_at_the_limit():
    body = "x" * actions.MAX_BODY_LENGTH

    assert actions.clean_body(f"  {body}\n") == body


# start_conversation


def test_start_conversation_writes_the_customer_message(contact):
    conversation = actions.start_conversation(
        contact_id=contact.pk, body=" My card was charged twice ", subject="Refund"
    )

    part = last_part(conversation)
    assert (part.kind, part.body, part.author) == (PartKind.CUSTOMER_MESSAGE, "My card was charged twice", None)
    assert part.is_customer_visible


def test_start_conversation_opens_and_waits_for_a_reply(contact):
    conversation = refreshed(actions.start_conversation(contact_id=contact.pk, body="Hello"))

    assert conversation.state == ConversationState.OPEN
    assert conversation.waiting_since is not None


def test_start_conversation_refuses_unknown_contact():
    with pytest.raises(NotFound):
        actions.start_conversation(contact_id=999_999, body="Hello")

    assert not Conversation.objects.exists()


def test_start_conversation_refuses_empty_message(contact):
    with pytest.raises(InvalidInput):
        actions.start_conversation(contact_id=contact.pk, body="  ")

    assert not Conversation.objects.exists()


# record_customer_message


def test_record_customer_message_adds_a_customer_message(conversation):
    part = actions.record_customer_message(conversation_id=conversation.pk, body="Any news?")

    assert (part.conversation, part.kind, part.body) == (conversation, PartKind.CUSTOMER_MESSAGE, "Any news?")


def test_record_customer_message_starts_waiting(conversation):
    part = actions.record_customer_message(conversation_id=conversation.pk, body="Any news?")

    assert refreshed(conversation).waiting_since == part.created_at


def test_record_customer_message_keeps_the_oldest_waiting_time(conversation):
    first = actions.record_customer_message(conversation_id=conversation.pk, body="Any news?")
    actions.record_customer_message(conversation_id=conversation.pk, body="Hello?")

    assert refreshed(conversation).waiting_since == first.created_at


def test_record_customer_message_refuses_unknown_conversation():
    with pytest.raises(NotFound):
        actions.record_customer_message(conversation_id=999_999, body="Any news?")


# post_reply


def test_post_reply_writes_a_customer_visible_reply(conversation, teammate):
    part = actions.post_reply(actor=teammate, conversation_id=conversation.pk, body="Refunded today.")

    assert (part.kind, part.body, part.author) == (PartKind.REPLY, "Refunded today.", teammate)
    assert part.is_customer_visible


def test_post_reply_clears_waiting_since(conversation, teammate):
    actions.record_customer_message(conversation_id=conversation.pk, body="Any news?")

    actions.post_reply(actor=teammate, conversation_id=conversation.pk, body="Refunded today.")

    assert refreshed(conversation).waiting_since is None


def test_post_reply_refuses_empty_body(conversation, teammate):
    with pytest.raises(InvalidInput):
        actions.post_reply(actor=teammate, conversation_id=conversation.pk, body="")

    assert not Part.objects.filter(conversation=conversation).exists()


# post_note


def test_post_note_writes_an_internal_note(conversation, teammate):
    part = actions.post_note(actor=teammate, conversation_id=conversation.pk, body="Checked with billing.")

    assert (part.kind, part.body, part.author) == (PartKind.NOTE, "Checked with billing.", teammate)
    assert not part.is_customer_visible


def test_post_note_keeps_the_customer_waiting(conversation, teammate):
    actions.record_customer_message(conversation_id=conversation.pk, body="Any news?")

    actions.post_note(actor=teammate, conversation_id=conversation.pk, body="Checked with billing.")

    assert refreshed(conversation).waiting_since is not None


# assign_conversation


def test_assign_conversation_sets_assignee_and_team(conversation, teammate, other_teammate, team):
    actions.assign_conversation(
        actor=teammate, conversation_id=conversation.pk, assignee_id=other_teammate.pk, team_id=team.pk
    )

    conversation = refreshed(conversation)
    assert (conversation.assignee, conversation.team) == (other_teammate, team)


def test_assign_conversation_adds_an_assigned_event(conversation, teammate, other_teammate, team):
    actions.assign_conversation(
        actor=teammate, conversation_id=conversation.pk, assignee_id=other_teammate.pk, team_id=team.pk
    )

    part = last_part(conversation)
    assert (part.kind, part.event_type, part.author) == (PartKind.EVENT, "assigned", teammate)
    assert part.body == f"{teammate} assigned this conversation to {other_teammate} ({team})."


def test_assign_conversation_clears_assignee(teammate):
    conversation = ConversationFactory(assignee=teammate, team=TeamFactory())

    actions.assign_conversation(actor=teammate, conversation_id=conversation.pk, assignee_id=None, team_id=None)

    conversation = refreshed(conversation)
    assert (conversation.assignee, conversation.team) == (None, None)
    assert last_part(conversation).body == f"{teammate} assigned this conversation to nobody."


def test_assign_conversation_to_same_assignee_is_a_no_op(teammate):
    conversation = ConversationFactory(assignee=teammate)

    events = actions.assign_conversation(
        actor=teammate, conversation_id=conversation.pk, assignee_id=teammate.pk, team_id=None
    )

    assert events == []
    assert not Part.objects.filter(conversation=conversation).exists()


def test_assign_conversation_refuses_unknown_teammate(conversation, teammate):
    with pytest.raises(InvalidInput) as raised:
        actions.assign_conversation(actor=teammate, conversation_id=conversation.pk, assignee_id=999_999, team_id=None)

    assert "assignee" in raised.value.errors
    assert refreshed(conversation).assignee is None
    assert not Part.objects.filter(conversation=conversation).exists()


@pytest.mark.parametrize(
    "account", [{"is_active": False}, {"is_staff": False}], ids=["deactivated", "without-staff-status"]
)
def test_assign_conversation_refuses_an_account_that_does_not_work_the_inbox(conversation, teammate, account):
    former = TeammateFactory(**account)

    with pytest.raises(InvalidInput):
        actions.assign_conversation(
            actor=teammate, conversation_id=conversation.pk, assignee_id=former.pk, team_id=None
        )

    assert refreshed(conversation).assignee is None


# snooze_conversation


def test_snooze_conversation_snoozes_until_the_time(conversation, teammate):
    until = timezone.now() + timedelta(hours=4)

    actions.snooze_conversation(actor=teammate, conversation_id=conversation.pk, until=until)

    conversation = refreshed(conversation)
    assert (conversation.state, conversation.snoozed_until) == (ConversationState.SNOOZED, until)


def test_snooze_conversation_adds_a_snoozed_event(conversation, teammate):
    until = timezone.now() + timedelta(hours=4)

    actions.snooze_conversation(actor=teammate, conversation_id=conversation.pk, until=until)

    part = last_part(conversation)
    assert (part.kind, part.event_type, part.author) == (PartKind.EVENT, "snoozed", teammate)
    assert part.data == {"until": until.isoformat()}


def test_snooze_conversation_refuses_past_time(conversation, teammate):
    with pytest.raises(InvalidInput) as raised:
        actions.snooze_conversation(
            actor=teammate, conversation_id=conversation.pk, until=timezone.now() - timedelta(minutes=1)
        )

    assert raised.value.errors == {"until": ["Choose a time in the future."]}
    assert refreshed(conversation).state == ConversationState.OPEN


def test_snooze_conversation_refuses_closed_conversation(teammate):
    conversation = ConversationFactory(closed=True)

    with pytest.raises(RuleViolation, match="reopen it first"):
        actions.snooze_conversation(
            actor=teammate, conversation_id=conversation.pk, until=timezone.now() + timedelta(hours=1)
        )

    assert refreshed(conversation).state == ConversationState.CLOSED
    assert not Part.objects.filter(conversation=conversation).exists()


def test_snooze_conversation_to_the_same_time_is_a_no_op(teammate):
    conversation = ConversationFactory(snoozed=True)

    events = actions.snooze_conversation(
        actor=teammate, conversation_id=conversation.pk, until=conversation.snoozed_until
    )

    assert events == []
    assert not Part.objects.filter(conversation=conversation).exists()


def test_snooze_conversation_moves_the_time_of_a_snoozed_conversation(teammate):
    conversation = ConversationFactory(snoozed=True)
    later = conversation.snoozed_until + timedelta(days=1)

    actions.snooze_conversation(actor=teammate, conversation_id=conversation.pk, until=later)

    assert refreshed(conversation).snoozed_until == later


# close_conversation / reopen_conversation


def test_close_conversation_closes_with_a_closed_event(conversation, teammate):
    actions.close_conversation(actor=teammate, conversation_id=conversation.pk)

    assert refreshed(conversation).state == ConversationState.CLOSED
    part = last_part(conversation)
    assert (part.kind, part.event_type) == (PartKind.EVENT, "closed")
    assert part.body == f"{teammate} closed this conversation."


def test_close_conversation_ends_a_snooze(teammate):
    conversation = ConversationFactory(snoozed=True)

    actions.close_conversation(actor=teammate, conversation_id=conversation.pk)

    conversation = refreshed(conversation)
    assert (conversation.state, conversation.snoozed_until) == (ConversationState.CLOSED, None)


def test_close_conversation_when_closed_is_a_no_op(teammate):
    conversation = ConversationFactory(closed=True)

    assert actions.close_conversation(actor=teammate, conversation_id=conversation.pk) == []
    assert not Part.objects.filter(conversation=conversation).exists()


def test_reopen_conversation_reopens_with_a_reopened_event(teammate):
    conversation = ConversationFactory(closed=True)

    actions.reopen_conversation(actor=teammate, conversation_id=conversation.pk)

    assert refreshed(conversation).state == ConversationState.OPEN
    part = last_part(conversation)
    assert (part.kind, part.event_type, part.body) == (
        PartKind.EVENT,
        "reopened",
        f"{teammate} reopened this conversation.",
    )


def test_reopen_conversation_ends_a_snooze(teammate):
    conversation = ConversationFactory(snoozed=True)

    actions.reopen_conversation(actor=teammate, conversation_id=conversation.pk)

    conversation = refreshed(conversation)
    assert (conversation.state, conversation.snoozed_until) == (ConversationState.OPEN, None)


def test_reopen_conversation_when_open_is_a_no_op(conversation, teammate):
    assert actions.reopen_conversation(actor=teammate, conversation_id=conversation.pk) == []
    assert not Part.objects.filter(conversation=conversation).exists()


def test_assign_conversation_to_a_team_only_names_the_team(conversation, teammate, team):
    actions.assign_conversation(actor=teammate, conversation_id=conversation.pk, assignee_id=None, team_id=team.pk)

    assert last_part(conversation).body == f"{teammate} assigned this conversation to the {team} team."
