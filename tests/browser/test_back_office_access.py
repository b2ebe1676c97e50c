"""A back-office-only teammate in the browser (issue 16, need-to-know access), by role and label: it lands on its
tickets, not the inbox; its nav holds its team's tickets only; its ticket shows the linked conversation beside it,
read-only; its cross-posted note reaches the front office's open conversation live; the inbox refuses it with a
message; its search finds its team's tickets and nothing of another team's."""

import re

import pytest
from playwright.sync_api import expect

from inbox.models import TeammateAccess
from tests.factories import (
    BackOfficeTicketFactory,
    ContactFactory,
    ConversationFactory,
    PartFactory,
    TeamFactory,
    TeammateFactory,
    TicketTypeFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WORKER = 20_000


def test_a_back_office_only_teammate_works_its_ticket_and_sees_nothing_else(worker, open_as, teammate, violations):
    billing, fraud = TeamFactory(name="Billing"), TeamFactory(name="Fraud")
    bea = TeammateFactory(first_name="Bea", last_name="Back", access=TeammateAccess.BACK_OFFICE)
    bea.teams.add(billing)
    seen = ConversationFactory(subject="Card charged twice", contact=ContactFactory(name="Vera Seen"))
    PartFactory(conversation=seen, body="I was charged twice for order 1042.")
    refund = TicketTypeFactory(name="Refund", default_team=billing)
    ticket = BackOfficeTicketFactory(actor=teammate, ticket_type=refund, conversation=seen, title="Refund order 1042")
    hidden = ConversationFactory(subject="Stolen card", contact=ContactFactory(name="Hugo Hidden"))
    review = TicketTypeFactory(name="Fraud review", default_team=fraud)
    BackOfficeTicketFactory(actor=teammate, ticket_type=review, conversation=hidden, title="Review card 4242")

    front = open_as(teammate, f"/inbox/all/{seen.pk}/")  # the front office, on the conversation

    # Signed in, Bea lands on its tickets; the nav has its team's tickets, no inbox and no other team's.
    page = open_as(bea, "/")
    expect(page.get_by_role("heading", level=1, name="Your tickets")).to_be_visible()
    nav = page.get_by_role("navigation", name="Views")
    expect(nav.get_by_role("link", name=re.compile(r"^Billing tickets"))).to_be_visible()
    for other in ("Your inbox", "Fraud tickets", "All tickets", "Trackers"):
        expect(nav.get_by_role("link", name=re.compile(f"^{other}"))).to_have_count(0)

    # Its team's ticket, with the linked conversation beside it, read-only.
    nav.get_by_role("link", name=re.compile(r"^Billing tickets")).click()
    page.locator("#ticket-list").get_by_role("link", name=re.compile("Refund order 1042")).click()
    expect(page.locator("#ticket-title")).to_contain_text("Refund order 1042")
    beside = page.locator("#conversation-context")
    expect(beside).to_contain_text("I was charged twice for order 1042.")
    expect(beside).to_contain_text("Read-only: you see it through this ticket")
    expect(page.get_by_role("link", name="Open in the inbox")).to_have_count(0)
    expect(page.get_by_role("textbox", name=re.compile("Reply|Your reply"))).to_have_count(0)
    assert violations(page) == [], "the ticket with its conversation beside it"

    # Its cross-posted note reaches the front office's open conversation, live.
    composer = page.get_by_role("textbox", name=f"Internal note on #{ticket.pk}")
    composer.fill("Refund sent: it reaches the card in 3 days.")
    composer.press("Control+Shift+Enter")
    expect(page.locator("#ticket-timeline")).to_contain_text("Refund sent")
    timeline = front.locator("#conversation-timeline")
    expect(timeline.locator(".part-cross_post")).to_contain_text("Refund sent", timeout=WORKER)

    # The inbox refuses it, saying why; its search finds its ticket and nothing of Fraud's.
    page.goto("/inbox/all/")
    expect(page.get_by_text("Your access is back office only")).to_be_visible()
    page.goto("/search/?q=card")
    results = page.locator("#search-results")
    expect(results).to_contain_text("Refund order 1042")
    expect(page.locator("body")).not_to_contain_text("Review card 4242")
    expect(page.locator("body")).not_to_contain_text("Stolen card")
    expect(page.get_by_role("navigation", name="Search in").get_by_role("link", name="Conversations")).to_have_count(0)
