"""The leak test over every outbound email (DESIGN.md rule 6, section 7: "Rule 6 covers every email").

The customer world of tests/test_customer_leaks.py (tests/customer_world.py: internal notes, cross-posted notes,
internal attributes, an internal state label, unshared and tracker tickets, teams and teammates, all planted with
SENTINEL strings) is built through the actions, with an email conversation of the contact besides (its replies go out
by email), and the whole outbox applied: every notification is triggered (tickets created and shared, state changes
through the internal state, forms sent, teammate replies while the contact is away, the tracker's reply) and every
email sent. Then each email, subject, body and every header, is searched for the sentinels: an email to the
contact holds none; one to the other contact holds only their own (SENTINEL-OTHER-...). The test first checks that
there is an email of every kind, so that it cannot pass with nothing to search.
"""

import re
from dataclasses import dataclass

import pytest
from django.core import mail
from django.db import transaction

from inbox import actions as inbox_actions
from inbox.models import Channel, Contact, OutboundEmail, Team, Teammate
from tests.customer_world import (
    CLEAN_CUSTOMER_LABEL,
    CLEAN_REPLY,
    CLEAN_SHARED_TITLE,
    CLEAN_TRACKER_REPLY,
    SENTINEL,
    World,
    apply_outbox,
    back_office,
    build_world,
    worked,
)
from tickets.models import TicketState, TicketType

CLEAN_EMAIL_TITLE = "Replacement for a broken lamp"
# The kinds of email (the prefix of their OutboundEmail key) the world must have sent to the contact.
KINDS = ["ticket-opened", "ticket-state", "ticket-form", "reply-notice", "reply"]


@dataclass
class Sent:
    me: Contact
    other: Contact
    emails: list[tuple[str, mail.EmailMessage]]  # (its key, the message as sent)


def email_conversation_of(world: World) -> None:
    """The contact writes by email: a teammate replies (sent by email), a colleague notes, and a shared back-office
    ticket of that conversation is worked (notes, one cross-posted; a move through the internal state)."""
    w = {  # the world's team, people, internal state and type, found by their names
        "team": Team.objects.get(name="SENTINEL-TEAM"),
        "replier": Teammate.objects.get(username="sentinel-replier"),
        "worker": Teammate.objects.get(username="sentinel-worker"),
        "internal_state": TicketState.objects.get(internal_label="SENTINEL-STATE-INTERNAL"),
        "refund": TicketType.objects.get(name="Refund request"),
    }
    conversation = inbox_actions.start_conversation(
        contact_id=world.me.pk, subject="Lamp by email", body="My lamp arrived broken.", channel=Channel.EMAIL
    )
    inbox_actions.post_reply(actor=w["replier"], conversation_id=conversation.pk, body=CLEAN_REPLY)
    inbox_actions.post_note(actor=w["worker"], conversation_id=conversation.pk, body="SENTINEL-EMAIL-NOTE")
    inbox_actions.assign_conversation(
        actor=w["worker"], conversation_id=conversation.pk, assignee_id=w["worker"].pk, team_id=w["team"].pk
    )
    worked(back_office(w, "refund", CLEAN_EMAIL_TITLE, conversation_id=conversation.pk, share=True), w)
    inbox_actions.post_reply(actor=w["replier"], conversation_id=conversation.pk, body=CLEAN_REPLY)


@pytest.fixture(scope="module")
def sent(django_db_setup, django_db_blocker) -> Sent:
    """The world with its email conversation, the outbox applied, and every email it sent. Rolled back after the
    module's last test."""
    with django_db_blocker.unblock(), transaction.atomic():
        mail.outbox.clear()
        world = build_world()
        email_conversation_of(world)
        apply_outbox()
        keys = dict(OutboundEmail.objects.values_list("message_id", "key"))
        emails = [(keys[message.extra_headers["Message-ID"]], message) for message in mail.outbox]
        other = Contact.objects.get(name="SENTINEL-OTHER-CONTACT")
        yield Sent(me=world.me, other=other, emails=emails)
        mail.outbox.clear()
        transaction.set_rollback(True)


def everything_of(message: mail.EmailMessage) -> str:
    """What the recipient's mail program can show: subject, body, every header (decoded), and the raw message."""
    headers = [message.from_email, *message.to, *message.reply_to, *message.extra_headers.values()]
    return "\n".join([message.subject, message.body, *headers, message.message().as_string()])


def kind_of(key: str) -> str:
    return key.split(":", 1)[0]


def to(sent: Sent, contact: Contact) -> list[tuple[str, mail.EmailMessage]]:
    return [(key, message) for key, message in sent.emails if message.to == [contact.email]]


def test_the_world_sent_an_email_of_every_kind_to_the_contact(sent, db):
    sent_kinds = {kind_of(key) for key, _ in to(sent, sent.me)}

    assert set(KINDS) <= sent_kinds, f"missing: {set(KINDS) - sent_kinds}"
    assert to(sent, sent.other), "the other contact got no email: their sentinels were never searched"


def test_the_contacts_emails_show_what_they_may_see(sent, db):
    everything = "\n".join(everything_of(message) for _, message in to(sent, sent.me))

    for text in (CLEAN_SHARED_TITLE, CLEAN_EMAIL_TITLE, CLEAN_CUSTOMER_LABEL, CLEAN_REPLY, CLEAN_TRACKER_REPLY):
        assert text in everything


def test_a_move_into_the_internal_state_is_told_by_its_customer_label_only(sent, db):
    subjects = [message.subject for key, message in to(sent, sent.me) if kind_of(key) == "ticket-state"]

    assert any(subject.endswith(f"is now {CLEAN_CUSTOMER_LABEL}") for subject in subjects)


def test_no_email_to_the_contact_holds_a_sentinel(sent, db):
    leaks = {
        f"{key} {message.subject!r}": sorted(set(SENTINEL.findall(everything_of(message))))
        for key, message in to(sent, sent.me)
    }

    assert {email: found for email, found in leaks.items() if found} == {}


def theirs(sentinel: str) -> bool:
    """The other contact's own things (their name, address, subjects, tickets) are planted as SENTINEL-OTHER-..."""
    return sentinel.upper().startswith("SENTINEL-OTHER")


def test_no_email_to_the_other_contact_holds_a_sentinel_not_theirs(sent, db):
    leaks = {
        f"{key} {message.subject!r}": sorted(
            found
            for found in set(SENTINEL.findall(everything_of(message)))
            if not found.upper().startswith("SENTINEL-OTHER")
        )
        for key, message in to(sent, sent.other)
    }

    assert {email: found for email, found in leaks.items() if found} == {}


def test_every_email_went_to_one_of_the_two_contacts(sent, db):
    addresses = {sent.me.email, sent.other.email}

    assert all(message.to[0] in addresses and len(message.to) == 1 for _, message in sent.emails)
    assert not re.search(SENTINEL, sent.me.email)
