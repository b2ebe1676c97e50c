"""Mentions, the bell and response targets in the browser (issue 16), by role and label: a teammate mentions another
from the keyboard in a ticket note; the other's bell counts it live (the real worker and the push) and opens it; a
response target counts down on the ticket and, missed, reaches the assignee's bell."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import BackOfficeTicketFactory, ConversationFactory, TeammateFactory, TicketTypeFactory
from tickets import actions
from tickets.models import ResponseTarget, TargetKind
from tickets.targets import check_response_targets

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LIVE = 5_000  # ms, from one teammate's action to another's screen


def bell(page):
    return page.get_by_role("button", name=re.compile(r"^Notifications"))


def test_a_mention_reaches_the_other_teammates_bell_live(worker, open_as, teammate, blocking_violations):
    bo = TeammateFactory(username="bo", first_name="Bo", last_name="Berg")
    ticket = BackOfficeTicketFactory(actor=teammate, conversation=ConversationFactory(), title="Refund order 1042")
    bo_page = open_as(bo, "/inbox/mine/")
    expect(bell(bo_page)).to_have_accessible_name(re.compile(r"Notifications\W+0 unread"))

    page = open_as(teammate, f"/t/{ticket.pk}/")
    composer = page.get_by_role("textbox", name=f"Internal note on #{ticket.pk}")
    composer.focus()
    composer.press_sequentially("Can you check this @ber")
    options = page.get_by_role("listbox", name="Teammates and teams to mention").get_by_role("option")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("Bo Berg")
    composer.press("Enter")
    expect(composer).to_have_value("Can you check this @bo ")
    composer.press_sequentially("please?")
    composer.press("Control+Enter")
    expect(page.locator("#ticket-timeline")).to_contain_text("Can you check this @bo please?")

    expect(bell(bo_page)).to_have_accessible_name(re.compile(r"Notifications\W+1 unread"), timeout=LIVE)
    assert bo_page.evaluate("window.__same_document") is True  # live, not a reload
    bo_page.keyboard.press("b")
    panel = bo_page.locator("#bell-panel")
    expect(panel).to_be_visible()
    expect(bell(bo_page)).to_have_attribute("aria-expanded", "true")
    item = panel.get_by_role("button", name=re.compile(f"^Unread: .* mentioned you on ticket #{ticket.pk}"))
    expect(item).to_contain_text("please?")
    assert blocking_violations(bo_page) == []
    bo_page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(bell(bo_page)).to_be_focused()

    bo_page.keyboard.press("b")
    item.click()
    expect(bo_page).to_have_url(re.compile(f"/tickets/.*/{ticket.pk}/"))
    expect(bell(bo_page)).to_have_accessible_name(re.compile(r"Notifications\W+0 unread"))


def test_a_response_target_counts_down_and_when_missed_notifies_the_assignee(worker, open_as, teammate):
    ticket_type = TicketTypeFactory(first_action_target=timedelta(minutes=30))
    ticket = BackOfficeTicketFactory(
        actor=TeammateFactory(), ticket_type=ticket_type, assignee_id=teammate.pk, title="Chargeback 77"
    )
    ResponseTarget.objects.filter(ticket=ticket).update(due_at=timezone.now() + timedelta(minutes=3))
    page = open_as(teammate, f"/t/{ticket.pk}/")
    countdown = page.locator("#ticket-header [data-countdown]")
    expect(countdown).to_have_text(re.compile(r"^in [23] min \d\d s$"))
    first = countdown.inner_text()
    expect(countdown).not_to_have_text(first, timeout=3_000)  # it moves

    ResponseTarget.objects.filter(ticket=ticket).update(due_at=timezone.now() - timedelta(seconds=1))
    assert check_response_targets() == (0, 1)
    expect(page.locator("#ticket-header")).to_contain_text("First action target: missed", timeout=LIVE)
    expect(page.locator("#ticket-timeline")).to_contain_text("The first action target was missed", timeout=LIVE)
    expect(bell(page)).to_have_accessible_name(re.compile(r"Notifications\W+1 unread"), timeout=LIVE)
    assert ResponseTarget.objects.get(ticket=ticket, kind=TargetKind.FIRST_ACTION).missed_at is not None


def test_the_open_panel_lists_a_new_notification_live_and_the_closed_one_is_not_fetched(worker, open_as, teammate):
    ticket = BackOfficeTicketFactory(actor=teammate, conversation=ConversationFactory(), title="Refund order 7")
    bo = TeammateFactory(username="bo", first_name="Bo", last_name="Berg")
    page = open_as(bo, "/inbox/mine/")
    page.keyboard.press("b")
    panel = page.locator("#bell-panel")
    expect(panel).to_contain_text("No notifications")
    actions.post_ticket_note(actor=teammate, ticket_id=ticket.pk, body="@bo first")
    expect(panel).to_contain_text("first", timeout=LIVE)  # open: it follows

    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    fetched = []
    page.on("request", lambda request: "/notifications/panel/" in request.url and fetched.append(request.url))
    actions.post_ticket_note(actor=teammate, ticket_id=ticket.pk, body="@bo second")
    expect(bell(page)).to_have_accessible_name(re.compile(r"Notifications\W+2 unread"), timeout=LIVE)
    page.wait_for_timeout(300)
    assert fetched == []  # closed: the count changed, the panel was not fetched for nothing
    page.keyboard.press("b")
    expect(panel).to_contain_text("second")  # opened again: fetched then
