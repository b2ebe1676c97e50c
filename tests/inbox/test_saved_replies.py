"""Saved replies' rows and placeholders (inbox/saved_replies/): the constraints, the check when one is saved, the
substitution when one is inserted, and which saved replies a teammate sees."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from helpdesk.errors import NotFound, RuleViolation
from inbox.models import SavedReply, SavedReplyKind, StateEffect
from inbox.saved_replies.placeholders import check_placeholders
from inbox.saved_replies.selectors import get_saved_reply, list_saved_replies, render_saved_reply
from tests.factories import (
    BackOfficeTicketFactory,
    ContactFactory,
    ConversationFactory,
    CustomerTicketFactory,
    SavedReplyFactory,
    TeamFactory,
    TeammateFactory,
    TicketAttributeFactory,
)
from tickets.models import AttributeKind

pytestmark = pytest.mark.django_db


# --- Constraints ---


def test_saved_reply_names_are_unique_among_the_shared_ones_whatever_the_case():
    SavedReplyFactory(name="Refund approved")

    with pytest.raises(IntegrityError):
        SavedReplyFactory(name="refund APPROVED")


def test_saved_reply_names_are_unique_among_a_teammates_own(teammate):
    SavedReplyFactory(name="Refund approved", owner=teammate)

    with pytest.raises(IntegrityError):
        SavedReplyFactory(name="Refund Approved", owner=teammate)


def test_saved_reply_name_may_repeat_across_owners_and_shared(teammate, other_teammate):
    for owner in (None, teammate, other_teammate):
        SavedReplyFactory(name="Refund approved", owner=owner)

    assert SavedReply.objects.filter(name="Refund approved").count() == 3


@pytest.mark.parametrize(
    "fields",
    [{"kind": "email"}, {"state_effect": "delete"}, {"name": ""}, {"body": ""}],
    ids=["kind", "state-effect", "name", "body"],
)
def test_saved_reply_refuses_invalid_values_in_the_database(fields):
    with pytest.raises(IntegrityError):
        SavedReplyFactory(**fields)


def test_saved_reply_refuses_assigning_to_me_and_to_a_teammate(teammate):
    with pytest.raises(IntegrityError):
        SavedReplyFactory(assign_to_me=True, assign_teammate=teammate)


def test_saved_reply_full_clean_says_to_choose_one_assignee(teammate):
    with pytest.raises(ValidationError) as raised:
        SavedReplyFactory.build(assign_to_me=True, assign_teammate=teammate).full_clean()

    assert "assign_teammate" in raised.value.message_dict


def test_saved_reply_loses_only_its_effect_when_its_teammate_is_deleted(other_teammate):
    saved_reply = SavedReplyFactory(assign_teammate=other_teammate, state_effect=StateEffect.CLOSE)

    other_teammate.delete()

    saved_reply.refresh_from_db()
    assert (saved_reply.assign_teammate, saved_reply.state_effect) == (None, StateEffect.CLOSE)


def test_personal_saved_replies_go_with_their_owner(teammate):
    SavedReplyFactory(owner=teammate)

    teammate.delete()

    assert not SavedReply.objects.exists()


def test_saved_reply_effect_labels_say_what_sending_also_does(teammate):
    team = TeamFactory(name="Billing")
    saved_reply = SavedReplyFactory(assign_teammate=teammate, assign_team=team, state_effect=StateEffect.SNOOZE_HOUR)

    assert saved_reply.effects_label == f"assign to {teammate} · move to team Billing · snooze 1 h"


# --- Placeholders: the check when saved ---


@pytest.mark.parametrize(
    "body",
    [
        "Hi {{contact.first_name}}, {{ contact.name }} <{{contact.email}}>",
        "{{teammate.first_name}} {{teammate.name}} on #{{ticket.number}} {{ticket.title}}",
        "No placeholder at all, only {braces} and a } or two.",
    ],
)
def test_check_placeholders_accepts_known_ones(body):
    check_placeholders(body)


def test_check_placeholders_accepts_a_live_ticket_attribute():
    TicketAttributeFactory(key="order_number")

    check_placeholders("Order {{ticket.order_number}}")


@pytest.mark.parametrize("body", ["{{contact.password}}", "{{ settings.SECRET_KEY }}", "{{ticket.nope}}", "{{}}"])
def test_check_placeholders_names_an_unknown_one(body):
    with pytest.raises(ValidationError) as raised:
        check_placeholders(f"Hi {body}!")

    assert raised.value.messages[0].startswith(f"Unknown placeholder: {body}. Use one of: {{{{contact.first_name}}}}")


def test_check_placeholders_refuses_an_archived_attribute():
    TicketAttributeFactory(key="old_field", archived=True)

    with pytest.raises(ValidationError):
        check_placeholders("{{ticket.old_field}}")


def test_check_placeholders_refuses_braces_left_open():
    with pytest.raises(ValidationError) as raised:
        check_placeholders("Hi {{contact.first_name, bye")

    assert "not closed" in raised.value.messages[0]


def test_saved_reply_full_clean_puts_placeholder_errors_on_the_body():
    with pytest.raises(ValidationError) as raised:
        SavedReplyFactory.build(body="{{contact.iban}}").full_clean()

    assert "{{contact.iban}}" in raised.value.message_dict["body"][0]


# --- Placeholders: filled in when inserted ---


def rendered(teammate, saved_reply, **where) -> str:
    return render_saved_reply(teammate=teammate, saved_reply_id=saved_reply.pk, **where).body


def test_render_fills_contact_teammate_and_linked_ticket(teammate):
    conversation = ConversationFactory(contact=ContactFactory(name="Ada Lovelace", email="ada@example.com"))
    attribute = TicketAttributeFactory(key="amount", kind=AttributeKind.DECIMAL)
    ticket = BackOfficeTicketFactory(
        conversation=conversation, ticket_type=attribute.ticket_type, title="Refund", attributes={"amount": "12.50"}
    )
    body = "{{contact.first_name}}/{{contact.name}}/{{contact.email}}/{{teammate.first_name}}/{{teammate.name}}/"
    saved_reply = SavedReplyFactory(body=body + "#{{ticket.number}} {{ticket.title}} {{ticket.amount}}")

    text = rendered(teammate, saved_reply, conversation_id=conversation.pk)

    name = teammate.display_name
    assert text == f"Ada/Ada Lovelace/ada@example.com/{teammate.first_name}/{name}/#{ticket.pk} Refund 12.50"


def test_render_without_name_or_ticket_falls_back(teammate):
    conversation = ConversationFactory(contact=ContactFactory(name="", email=""))
    body = "Hi {{contact.first_name}}{{contact.name}}{{contact.email}}, #{{ticket.number}}"
    saved_reply = SavedReplyFactory(body=body)

    assert rendered(teammate, saved_reply, conversation_id=conversation.pk) == "Hi there, #"


def test_render_prefers_the_shared_ticket_to_a_newer_one(teammate):
    conversation = ConversationFactory()
    shared = BackOfficeTicketFactory(conversation=conversation, share=True)
    BackOfficeTicketFactory(conversation=conversation)

    assert rendered(teammate, SavedReplyFactory(body="#{{ticket.number}}"), conversation_id=conversation.pk) == (
        f"#{shared.pk}"
    )


def test_render_uses_the_newest_linked_ticket_when_none_is_shared(teammate):
    conversation = ConversationFactory()
    BackOfficeTicketFactory(conversation=conversation)
    newest = BackOfficeTicketFactory(conversation=conversation)

    assert rendered(teammate, SavedReplyFactory(body="#{{ticket.number}}"), conversation_id=conversation.pk) == (
        f"#{newest.pk}"
    )


def test_render_in_a_customer_tickets_thread_uses_that_ticket(teammate):
    customer_ticket = CustomerTicketFactory(title="Broken lamp")

    text = rendered(teammate, SavedReplyFactory(body="{{ticket.title}}"), conversation_id=customer_ticket.thread_id)

    assert text == "Broken lamp"


def test_render_for_a_ticket_note_uses_the_ticket_and_its_conversations_contact(teammate):
    ticket = BackOfficeTicketFactory(conversation=ConversationFactory(contact=ContactFactory(name="Grace Hopper")))
    saved_reply = SavedReplyFactory(body="{{contact.first_name}} on #{{ticket.number}}", kind=SavedReplyKind.NOTE)

    assert rendered(teammate, saved_reply, ticket_id=ticket.pk) == f"Grace on #{ticket.pk}"


def test_render_refuses_a_reply_in_a_tickets_note(teammate):
    ticket = BackOfficeTicketFactory()

    with pytest.raises(RuleViolation):
        rendered(teammate, SavedReplyFactory(kind=SavedReplyKind.REPLY), ticket_id=ticket.pk)


def test_render_is_text_in_one_pass(teammate):
    """A value is never read for placeholders again, and markup in it stays text for the composer."""
    contact = ContactFactory(name="<script>alert(1)</script> {{teammate.name}}")
    saved_reply = SavedReplyFactory(body="Hi {{contact.name}}")

    text = rendered(teammate, saved_reply, conversation_id=ConversationFactory(contact=contact).pk)

    assert text == "Hi <script>alert(1)</script> {{teammate.name}}"


# --- Who sees which ---


def test_list_saved_replies_shows_shared_and_own_never_anothers(teammate, other_teammate):
    shared, own = SavedReplyFactory(name="Shared"), SavedReplyFactory(name="Own", owner=teammate)
    SavedReplyFactory(name="Theirs", owner=other_teammate)

    assert list_saved_replies(teammate=teammate) == [own, shared]


def test_list_saved_replies_filters_by_words_of_the_name_starting_ones_first(teammate):
    SavedReplyFactory(name="Welcome")
    late = SavedReplyFactory(name="Apology: late refund")
    approved = SavedReplyFactory(name="Refund approved")

    assert list_saved_replies(teammate=teammate, search="refu") == [approved, late]


def test_list_saved_replies_filters_by_kind_and_limits(teammate):
    notes = [SavedReplyFactory(name=f"Note {n}", kind=SavedReplyKind.NOTE) for n in range(3)]
    SavedReplyFactory(name="A reply")

    assert list_saved_replies(teammate=teammate, kind=SavedReplyKind.NOTE, limit=2) == notes[:2]


def test_get_saved_reply_refuses_another_teammates_as_not_found(teammate, other_teammate):
    theirs = SavedReplyFactory(owner=other_teammate)

    with pytest.raises(NotFound):
        get_saved_reply(teammate=teammate, saved_reply_id=theirs.pk)


def test_editable_by_owner_or_admins_for_shared(teammate, other_teammate):
    admin = TeammateFactory(is_superuser=True)
    own, shared = SavedReplyFactory(owner=teammate), SavedReplyFactory()

    assert (own.editable_by(teammate), own.editable_by(other_teammate), own.editable_by(admin)) == (True, False, False)
    assert (shared.editable_by(teammate), shared.editable_by(admin)) == (False, True)
