"""The leak test (DESIGN.md rule 6 and section 4): a signed-in contact sees their own things and nothing else.

A workspace with two contacts is built through the actions, with a unique SENTINEL string planted in
everything a customer must never see: internal notes, ticket notes (cross-posted or not), internal
attributes (name, value, description), an internal state label, unshared and tracker tickets, descriptions,
type descriptions, teams and teammates, and everything of the other contact. Then the contact requests every
customer-facing URL (every name of every `messenger*` URL namespace, so a page added later without a line
here fails `test_leak_sweep_covers_every_customer_url`) with the id of every object of its kind in the
database: their own answer, anyone else's give 404, and no response contains a sentinel.

The sweep runs once for the module (in a transaction rolled back after the last test); each test checks one
thing about what it recorded."""

import pytest
from django.db import transaction
from django.test import Client

from inbox.models import Attachment, Conversation
from tests.customer_world import (
    Sweep,
    Visitor,
    World,
    build_world,
    customer_url_names,
    sweep_entry_and_exit,
    sweep_pages,
    sweep_posts,
)
from tickets.models import Ticket, TicketFormRequest


@pytest.fixture(scope="module")
def swept(django_db_setup, django_db_blocker) -> tuple[World, Sweep]:
    """The workspace, and every customer URL requested with every id: pages, then posts, then the pages again
    (now with the tickets the posts created). Rolled back after the module's last test."""
    with django_db_blocker.unblock(), transaction.atomic():
        world, sweep = build_world(), Sweep()
        client = Client()
        visit = Visitor(client, sweep)
        sweep_entry_and_exit(visit, world)
        for step in (sweep_pages, sweep_posts, sweep_pages):
            step(visit, world)
        visit("post", "messenger:leave", expect=200)
        yield world, sweep
        transaction.set_rollback(True)


@pytest.fixture
def sweep(swept, db) -> Sweep:
    return swept[1]


def test_leak_sweep_covers_every_customer_url(sweep):
    assert sweep.covered == customer_url_names()


def test_leak_sweep_gives_404_for_everything_not_the_contacts(sweep):
    assert sweep.wrong_statuses == []


def test_leak_sweep_finds_no_sentinel_in_any_response(sweep):
    assert sweep.leaks == []


# The kind of object each URL takes an id of: a new URL with an id must say which, or the test below fails.
ID_KINDS = {
    "messenger:conversation": Conversation,
    "messenger:write": Conversation,
    "messenger-tickets:conversation-tickets": Conversation,
    "messenger-tickets:ticket": Ticket,
    "messenger-tickets:form": TicketFormRequest,
    "messenger:attachment": Attachment,  # every file in the database: internal ones (notes, cross-posts) too
}


def test_leak_sweep_requests_every_url_with_every_id_of_its_kind(sweep):
    in_database = {name: set(ID_KINDS[name].objects.values_list("pk", flat=True)) for name in sweep.ids}

    assert all(in_database[name] <= requested for name, requested in sweep.ids.items())
    assert set(sweep.ids) == set(ID_KINDS)


VISIBLE = [
    "shared ticket's past state",
    "customer ticket's state",
    "a teammate's reply",
    "the tracker's reply to its customers",
    "the tracker's reply in the customer ticket",
    "the shared ticket in its conversation",
    "the shared ticket in its conversation's page",
    "the customer ticket in the list",
    "the customer ticket in the live list",
    "the contact's own file",
    "the file of a reply to them",
    "the bytes of the file of a reply to them",
    "the name of the file of a reply to them",
    "the contact's own image, shown inline",
    "the file of a reply in their customer ticket",
]


@pytest.mark.parametrize("what", VISIBLE)
def test_leak_sweep_saw_the_contacts_own_content(swept, db, what):
    world, sweep = swept
    page, text = world.visible_text[what]

    assert text in sweep.bodies[page]
