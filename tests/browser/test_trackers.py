"""Tracker tickets in the browser, as a new teammate would use them (issue 10, "Done when"): create a tracker from
a conversation, link two more conversations from their own panes (one from the keyboard only), see all three on
the tracker, cross-post a note and move it, see both reach the three conversations through a real Celery worker,
resolve it and send one reply that each customer sees exactly once, and nothing internal. And a ticket made from
a ticket form lands in its type's default team's view and in "All tickets"."""

import re

import pytest
from playwright.sync_api import expect

from helpdesk.live import backend
from helpdesk.models import OutboxEvent
from inbox.messenger import messenger_link
from tests.browser.conftest import VIEWPORT
from tests.factories import (
    ContactFactory,
    ConversationFactory,
    PartFactory,
    TeamFactory,
    TicketTypeFactory,
    TrackerTicketFactory,
    state,
)
from tests.worker import wait_for
from tickets.actions import change_ticket_state, link_to_tracker, post_ticket_note
from tickets.models import StateCategory, Ticket, TicketCategory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LIVE = 3_000  # ms: a change made elsewhere shows up within about 2 s (DESIGN.md, section 5)
# ms: through the outbox and the real worker, then the page's next poll. A bound to wait within, not a timing claim
# (bench/ measures those): on a clean clone's CI run, with Chromium, the live server and the worker sharing 2 cores,
# three tracker reply copies once took longer than 8 s.
WORKER = 20_000

TITLE = "Payments fail at checkout"
NOTE = "Root cause: the payment provider's certificate expired; renewing it now."
REPLY = "The outage is fixed: payments go through again. Sorry for the trouble!"


@pytest.fixture
def open_messenger(live_server, new_context):
    """A customer's messenger, in a fresh browser context: their link, which signs them in and lands on their
    messages."""

    def open_page(contact):
        context = new_context(viewport=VIEWPORT, base_url=live_server.url)
        context.set_default_timeout(5_000)
        page = context.new_page()
        page.goto(messenger_link(contact))
        expect(page.get_by_role("heading", level=1)).to_have_text("Your messages")
        return page

    return open_page


@pytest.fixture
def three_conversations(teammate):
    """Three customers writing about the same outage, each in their own conversation assigned to the teammate."""
    conversations = []
    for name, subject, body in [
        ("Ada Customer", "Card refused", "My card is refused at checkout."),
        ("Bo Customer", "Cannot pay", "Payment fails with an error."),
        ("Cy Customer", "Checkout broken", "I cannot complete my order."),
    ]:
        conversation = ConversationFactory(contact=ContactFactory(name=name), assignee=teammate, subject=subject)
        PartFactory(conversation=conversation, body=body)
        conversations.append(conversation)
    return conversations


def settled(page) -> None:
    """Wait until htmx has set up what it swapped in (about 20 ms after the swap): a person is never that fast,
    Playwright is, and a form acted on before would be submitted by the browser itself."""
    expect(page.locator(".htmx-added, .htmx-settling, .htmx-swapping")).to_have_count(0)


def wait_until(page, condition, timeout_ms: int = 5_000) -> None:
    """Let Playwright deliver the page's events (a held route, a finished request) until `condition()` holds."""
    for _ in range(timeout_ms // 20):
        if condition():
            return
        page.wait_for_timeout(20)
    raise AssertionError(f"still not true after {timeout_ms} ms")


def move(header, state_label: str) -> None:
    """Choose a state in the ticket header and press Move, as a person does: the select gets focus first (a click
    on it gives it; Playwright's select_option alone does not), which holds live refreshes of the header back."""
    header.get_by_label("State").focus()
    header.get_by_label("State").select_option(label=state_label)
    header.get_by_role("button", name="Move").click()
    expect(header.locator(".state")).to_have_text(state_label)


TOPICS_SHOWN = """() => [...document.querySelectorAll("[data-live]")].flatMap((el) => el.dataset.live.split(/\\s+/))
    .concat([...document.querySelectorAll("[data-count]")].map((el) => `count-${el.dataset.count}`))"""


def quiet(page, *, worker: bool = False) -> None:
    """Wait until the workspace stops changing under the page: (with a worker) every outbox event applied, the page
    told of the newest change to what it shows, and the refreshes that set off done. Then a click on a list or nav
    link lands.

    A change re-renders the whole list or nav, and a click whose mousedown and mouseup straddle that swap reaches no
    link: it does nothing, for a person too (~100 ms between the two). Reported, not fixed here: this only keeps
    the tests about trackers from tripping on it."""
    if worker:
        wait_for(lambda: not OutboxEvent.objects.filter(done_at__isnull=True).exists())
    newest = max(backend().seqs(page.evaluate(TOPICS_SHOWN)).values(), default=0)
    wait_until(page, lambda: int(page.locator("#live").get_attribute("data-since")) >= newest)
    expect(page.locator(".htmx-request, .htmx-added, .htmx-settling, .htmx-swapping")).to_have_count(0)


def side_of(page):
    return page.get_by_role("complementary", name="Linked tickets")


def open_from_list(page, subject: str) -> None:
    quiet(page, worker=True)
    page.locator("#conversation-list").get_by_role("link", name=re.compile(subject)).click()
    expect(page.get_by_role("heading", level=2, name=subject)).to_be_visible()
    settled(page)


@pytest.mark.worker
def test_tracker_story_from_creation_to_one_reply_per_customer(
    worker, open_as, open_messenger, violations, teammate, three_conversations
):
    outage = TicketTypeFactory(tracker=True, name="Outage", default_team=TeamFactory(name="Platform"))
    TrackerTicketFactory(title="Login is slow", ticket_type=outage)  # another open tracker, not the one searched
    first = three_conversations[0]

    # 1. From the first conversation: "New tracker", type and title, "Create tracker": it opens beside it.
    inbox = open_as(teammate, f"/inbox/mine/{first.pk}/")
    side = side_of(inbox)
    side.get_by_role("button", name="New tracker").click()
    expect(side.get_by_label("Type")).to_be_focused()
    settled(inbox)
    side.get_by_label("Type").select_option(label=str(outage))
    # The form comes back for the chosen type; what is typed before it does is lost (reported, not worked around).
    # By name: once the picker is on it, the label names the picker's search field (tests/browser/test_pickers.py).
    expect(side.locator("select[name=team] option").first).to_have_text("Platform (the type's team)")
    settled(inbox)
    side.get_by_label("Title").fill(TITLE)
    side.get_by_role("button", name="Create tracker").click()
    expect(side.locator("#ticket-title")).to_contain_text(TITLE)
    tracker = Ticket.objects.get(category=TicketCategory.TRACKER, title=TITLE)
    expect(side.get_by_role("button", name=f"Unlink tracker #{tracker.pk}")).to_be_visible()
    assert violations(inbox) == [], "tracker open beside the conversation"

    # 2. The second conversation, opened from the list: "Link to tracker", search a word of its title, pick it, link it.
    open_from_list(inbox, "Cannot pay")
    side.get_by_role("button", name="Link to tracker").click()
    search = side.get_by_label("Search open trackers")
    expect(search).to_be_focused()
    settled(inbox)
    search.fill("payments")
    results = side.get_by_role("group", name=re.compile("Open trackers"))
    expect(results).to_contain_text("matching “payments”")
    expect(results.get_by_role("radio")).to_have_count(1)
    assert violations(inbox) == [], "picker open"
    results.get_by_role("radio", name=re.compile(TITLE)).check()
    side.get_by_role("button", name="Link tracker").click()
    expect(side.locator("#ticket-title")).to_contain_text(TITLE)

    # ... and the third, from the keyboard only once the picker is open.
    open_from_list(inbox, "Checkout broken")
    side.get_by_role("button", name="Link to tracker").click()
    expect(search).to_be_focused()
    settled(inbox)
    inbox.keyboard.type("checkout")
    expect(results).to_contain_text("matching “checkout”")
    inbox.keyboard.press("Tab")
    radio = results.get_by_role("radio", name=re.compile(TITLE))
    expect(radio).to_be_focused()
    inbox.keyboard.press("Space")
    expect(radio).to_be_checked()
    inbox.keyboard.press("Enter")
    expect(side.locator("#ticket-title")).to_contain_text(TITLE)
    expect(side.locator("#ticket-title")).to_be_focused()
    assert inbox.evaluate("window.__same_document") is True

    # 3. The Trackers view lists the tracker; opened, it lists the three conversations beside it.
    trackers = open_as(teammate, "/inbox/mine/")
    trackers_view = trackers.get_by_role("navigation", name="Views").get_by_role("link", name=re.compile(r"^Trackers"))
    expect(trackers_view).to_contain_text("2")  # open trackers: this one and "Login is slow"
    quiet(trackers, worker=True)
    trackers_view.click()
    expect(trackers.get_by_role("heading", level=1, name="Trackers")).to_be_visible()
    trackers.evaluate("window.__same_document = true")  # the nav's links load a page; what follows never does
    quiet(trackers, worker=True)
    trackers.locator("#ticket-list").get_by_role("link", name=re.compile(TITLE)).click()
    expect(trackers.locator("#ticket-title")).to_contain_text(TITLE)
    settled(trackers)
    links = trackers.locator("#tracker-links")
    expect(links).to_contain_text("3 linked: 3 open · 0 snoozed · 0 closed")
    for subject in ["Card refused", "Cannot pay", "Checkout broken"]:
        expect(links.get_by_role("link", name=re.compile(subject))).to_be_visible()
    assert violations(trackers) == [], "Trackers view with the links list"

    # 4. A cross-posted note (Ctrl+Shift+Enter) and a state change reach the three conversations.
    composer = trackers.get_by_label(f"Internal note on #{tracker.pk}")
    composer.fill(NOTE)
    composer.press("Control+Shift+Enter")
    expect(trackers.locator("#ticket-timeline .part-note")).to_contain_text(NOTE)
    header = trackers.locator("#ticket-header")
    move(header, "In progress")

    moved = f"Ticket #{tracker.pk} moved from Submitted to In progress by {teammate}."
    timeline = inbox.locator("#conversation-timeline")  # the third, open since it was linked: it changes live
    expect(timeline.locator(".part-cross_post")).to_contain_text(NOTE, timeout=WORKER)
    expect(timeline).to_contain_text(moved, timeout=WORKER)
    for subject in ["Card refused", "Cannot pay"]:
        open_from_list(inbox, subject)
        expect(timeline.locator(".part-cross_post")).to_contain_text(NOTE)
        expect(timeline).to_contain_text(moved)

    # 5. Resolved, the tracker offers the reply; sent, its delivery count reaches 3 without a reload.
    reply_section = trackers.get_by_role("region", name="Reply to every linked customer")
    expect(reply_section).to_contain_text("Resolve the tracker first")
    move(header, "Resolved")
    reply = trackers.get_by_label("Your reply to the customers")
    expect(reply).to_be_visible()  # the form came with the move, without a reload
    settled(trackers)
    reply.fill(REPLY)
    trackers.get_by_role("button", name="Send to every linked customer").click()
    expect(trackers.get_by_text("Your reply is on its way to the 3 linked customers.")).to_be_visible()
    worker.drain()  # the three copies delivered (or why not); then the page is told, without a reload
    expect(trackers.locator("#tracker-reply-status")).to_contain_text("3 delivered, 0 pending", timeout=WORKER)
    assert trackers.evaluate("window.__same_document") is True

    # Each customer, in their messenger, sees the reply once, and nothing of the tracker.
    for conversation in three_conversations:
        customer = open_messenger(conversation.contact)
        customer.get_by_role("link", name=conversation.subject).click()
        expect(customer.get_by_role("heading", level=1)).to_have_text(conversation.subject)
        expect(customer.get_by_role("list", name="Messages").get_by_text(REPLY)).to_have_count(1)
        for internal in [NOTE, TITLE, f"#{tracker.pk}", "tracker", "Submitted", "In progress", "Resolved", "Platform"]:
            expect(customer.locator("body")).not_to_contain_text(internal)


def test_tracker_unlinked_from_its_list_and_from_the_conversation_side(open_as, teammate, three_conversations):
    tracker = TrackerTicketFactory(title=TITLE)
    for conversation in three_conversations:
        link_to_tracker(actor=teammate, tracker_id=tracker.pk, conversation_id=conversation.pk)

    page = open_as(teammate, f"/tickets/trackers/{tracker.pk}/")
    links = page.locator("#tracker-links")
    expect(links).to_contain_text("3 linked: 3 open · 0 snoozed · 0 closed")
    settled(page)
    links.get_by_role("button", name="Unlink Cannot pay").click()
    expect(links).to_contain_text("2 linked: 2 open · 0 snoozed · 0 closed")
    expect(links.get_by_role("link", name=re.compile("Cannot pay"))).to_have_count(0)

    inbox = open_as(teammate, f"/inbox/mine/{three_conversations[0].pk}/")
    side = side_of(inbox)
    expect(side.locator("#ticket-title")).to_contain_text(TITLE)
    settled(inbox)
    side.get_by_role("button", name=f"Unlink tracker #{tracker.pk}").click()
    expect(side).to_contain_text("No ticket is linked to this conversation yet.")
    expect(page.locator("#tracker-links")).to_contain_text("1 linked: 1 open", timeout=LIVE)  # the list follows
    assert page.evaluate("window.__same_document") is True
    assert inbox.evaluate("window.__same_document") is True


def test_tracker_state_chosen_but_not_moved_survives_a_live_refresh(open_as, teammate, other_teammate, conversation):
    """Someone else's note refreshes the tracker's header under the teammate's hand: their chosen State stays."""
    tracker = TrackerTicketFactory(title=TITLE)
    link_to_tracker(actor=teammate, tracker_id=tracker.pk, conversation_id=conversation.pk)
    page = open_as(teammate, f"/tickets/trackers/{tracker.pk}/")
    header = page.locator("#ticket-header")
    header.get_by_label("State").focus()  # as a click on it does; Playwright's select_option alone does not
    header.get_by_label("State").select_option(label="In progress")

    post_ticket_note(actor=other_teammate, ticket_id=tracker.pk, body="Provider contacted.")

    expect(page.locator("#ticket-timeline")).to_contain_text("Provider contacted.", timeout=LIVE)
    expect(header.get_by_label("State").locator("option:checked")).to_have_text("In progress")
    header.get_by_role("button", name="Move").click()
    expect(header.locator(".state")).to_have_text("In progress")


# Focus leaves the reply form (a click does not focus a button in Safari) and a live refresh comes: whether the
# reply form's refresh is sent now (htmx sends it within the event's dispatch, or holds it back).
REFRESH_SENT = """() => {
    document.activeElement.blur();
    let sent = false;
    const onSend = (event) => { sent ||= event.detail.elt.id === "tracker-reply-form"; };
    document.body.addEventListener("htmx:beforeSend", onSend);
    htmx.trigger(document.getElementById("tracker-reply-form"), "live");
    document.body.removeEventListener("htmx:beforeSend", onSend);
    return sent;
}"""


def test_tracker_reply_confirmation_is_not_lost_to_a_refresh_in_flight(open_as, teammate, conversation):
    """A live refresh of the reply form that the server answers after the reply was sent (so with "already
    replied") must not swap in before the reply's own answer, leaving that confirmation nowhere."""
    tracker = TrackerTicketFactory(title=TITLE)
    link_to_tracker(actor=teammate, tracker_id=tracker.pk, conversation_id=conversation.pk)
    change_ticket_state(actor=teammate, ticket_id=tracker.pk, state_id=state(StateCategory.RESOLVED).pk)
    page = open_as(teammate, f"/tickets/trackers/{tracker.pk}/")
    expect(page.get_by_label("Your reply to the customers")).to_be_visible()
    settled(page)
    page.get_by_label("Your reply to the customers").fill(REPLY)
    held = []
    page.route(f"**/trackers/{tracker.pk}/reply/", lambda route: held.append(route))  # the POST, held in the browser

    page.get_by_role("button", name="Send to every linked customer").click()
    wait_until(page, lambda: held)
    answer = held[0].fetch()  # the server has sent the reply; the browser has not seen its answer yet
    refreshed = []
    page.on("requestfinished", lambda request: "/reply/form/" in request.url and refreshed.append(request))
    if page.evaluate(REFRESH_SENT):
        wait_until(page, lambda: refreshed)  # its answer, "already replied", comes back before the reply's
    held[0].fulfill(response=answer)

    expect(page.get_by_text("Your reply is on its way to the 1 linked customers.")).to_be_visible()
    expect(page.locator("#tracker-reply-status")).to_contain_text(REPLY)


def test_ticket_from_a_form_sent_in_the_inbox_shows_in_its_teams_view_and_all_tickets(
    open_as, open_messenger, teammate, contact, team
):
    TicketTypeFactory(name="Refund request", default_team=team)  # team: Billing
    TeamFactory(name="Shipping")
    conversation = ConversationFactory(contact=contact, assignee=teammate, subject="Charged twice")
    PartFactory(conversation=conversation, body="I was charged twice for order 1042.")

    front = open_as(teammate, f"/inbox/mine/{conversation.pk}/")
    front.get_by_role("group", name="Conversation actions").get_by_text("Send ticket form", exact=True).click()
    send_form = front.locator("#send-form")
    expect(send_form.get_by_label("Refund request")).to_be_visible()
    settled(front)
    send_form.get_by_label("Refund request").check()
    send_form.get_by_role("button", name="Send form").click()
    expect(send_form.get_by_role("status")).to_contain_text("The Refund request form was sent.")

    customer = open_messenger(contact)
    customer.get_by_role("link", name="Charged twice").click()
    customer.get_by_role("link", name=re.compile(r"^Fill it in\s*: Refund request$")).click()
    customer.get_by_label("Title").fill("Refund the second charge")
    customer.get_by_role("button", name="Send").click()
    expect(customer.get_by_role("heading", level=1)).to_have_text("Refund the second charge")
    ticket = Ticket.objects.get(title="Refund the second charge")
    assert (ticket.team, ticket.assignee) == (team, None)

    nav = front.get_by_role("navigation", name="Views")
    for view, listed in [("Billing tickets", True), ("All tickets", True), ("Shipping tickets", False)]:
        quiet(front)
        nav.get_by_role("link", name=re.compile(rf"^{view}")).click()
        expect(front.get_by_role("heading", level=1, name=view)).to_be_visible()
        item = front.locator("#ticket-list").get_by_role("link", name=re.compile("Refund the second charge"))
        expect(item).to_have_count(1 if listed else 0)
