"""The assignee and team pickers in the browser: a search box (tom-select) that loads matching teammates as one types,
used from the keyboard alone, named by its label, in the forms htmx swaps in too."""

import re

import pytest
from playwright.sync_api import expect

from inbox.models import Conversation
from tests.browser.conftest import pick
from tests.factories import BackOfficeTicketFactory, ConversationFactory, TeamFactory, TeammateFactory
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


# Every violation of the page's Content-Security-Policy (an inline style tom-select might set, say), as it happens.
CSP_WATCH = """
    window.__csp = [];
    document.addEventListener("securitypolicyviolation", (event) => {
        window.__csp.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
    });
"""


@pytest.fixture
def people(db):
    """Enough teammates that the page could never have carried them all as options; named so that none but the two
    Graces matches "grace" (a random name did, now and then: "Gracie", "Grace Smith")."""
    for n in range(30):
        TeammateFactory(first_name=f"Teammate{n}", last_name="Example")
    return {
        "hopper": TeammateFactory(first_name="Grace", last_name="Hopper"),
        "kelly": TeammateFactory(first_name="Grace", last_name="Kelly"),
    }


def test_assignee_picker_assigns_from_the_keyboard(open_as, teammate, people):
    conversation = ConversationFactory(subject="Charged twice")
    page = open_as(teammate, f"/inbox/all/{conversation.pk}/")
    page.context.add_init_script(CSP_WATCH)
    page.reload()
    page.evaluate("window.__same_document = true")

    page.keyboard.press("a")  # opens Assign, with the keyboard in the assignee's search box
    picker = page.get_by_role("combobox", name="Assignee")
    expect(picker).to_be_focused()
    page.keyboard.type("grace")
    listbox = page.get_by_role("listbox", name="Assignee")
    expect(listbox.get_by_role("option")).to_have_count(2)  # the two Graces, loaded as typed
    page.keyboard.type(" k")
    expect(listbox.get_by_role("option")).to_have_text(["Grace Kelly"])
    page.keyboard.press("ArrowDown")
    expect(listbox.get_by_role("option", name="Grace Kelly")).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")  # picks Grace Kelly
    expect(page.locator("#assign-action .ts-control").first).to_contain_text("Grace Kelly")
    page.keyboard.press("Enter")  # the list is closed: Enter submits the form

    expect(page.locator("#conversation-header")).to_contain_text("Grace Kelly")
    assert Conversation.objects.get(pk=conversation.pk).assignee == people["kelly"]
    assert page.evaluate("window.__same_document") is True
    assert page.evaluate("window.__csp") == []  # nothing the picker did was refused by the page's strict CSP


def test_ticket_pickers_take_a_team_and_an_assignee_the_page_did_not_carry(open_as, teammate, people):
    billing, logistics = TeamFactory(name="Billing"), TeamFactory(name="Logistics")
    ticket = BackOfficeTicketFactory(actor=teammate, title="Refund order 1042", team_id=billing.pk)
    page = open_as(teammate, f"/tickets/all/{ticket.pk}/")
    header = page.locator("#ticket-header")
    expect(header.get_by_role("combobox", name="Team")).to_have_count(1)
    assert header.locator("select[name=assignee] option").count() == 1  # Unassigned: nobody else is in the page

    pick(header, "Team", "logi", "Logistics")
    pick(header, "Assignee", "hopper", "Grace Hopper")
    header.get_by_role("button", name="Assign").click()

    expect(header.locator(".ticket-facts")).to_contain_text("Grace Hopper")
    expect(header.locator(".ticket-facts")).to_contain_text("Logistics")
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.assignee, ticket.team) == (people["hopper"], logistics)
    # The header came back with the pickers working again, showing the new choices.
    expect(header.locator(".ts-wrapper")).to_have_count(2)
    expect(header.locator(".ts-control").first).to_contain_text("Grace Hopper")


def test_picker_says_when_nobody_matches(open_as, teammate, people):
    page = open_as(teammate, f"/inbox/all/{ConversationFactory().pk}/")
    page.keyboard.press("a")

    page.keyboard.type("zzzz")

    expect(page.get_by_role("listbox", name="Assignee")).to_contain_text(re.compile("No match"))
