"""Preview as customer before sharing, in the browser (issue 16): what the teammate previews is, word for word, the
page the customer then sees in the messenger; internal notes and attributes appear in neither."""

import pytest
from playwright.sync_api import expect

from inbox.messenger import messenger_link
from tests.factories import BackOfficeTicketFactory, ConversationFactory, TicketAttributeFactory, TicketTypeFactory
from tickets.models import TicketPart

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_share_preview_equals_the_customers_page(open_as, live_server, new_context, teammate, contact):
    refund = TicketTypeFactory(name="Refund request")
    TicketAttributeFactory(ticket_type=refund, key="order", name="Order", visible_to_customers=True)
    TicketAttributeFactory(ticket_type=refund, key="risk", name="Fraud risk score")
    ticket = BackOfficeTicketFactory(
        ticket_type=refund,
        conversation=ConversationFactory(contact=contact),
        title="Refund for order 1042",
        attributes={"order": "1042", "risk": "sentinel-risk-high"},
    )
    TicketPart.objects.create(ticket=ticket, kind="note", body="Looks like a fraudster")
    page = open_as(teammate, f"/tickets/all/{ticket.pk}/")

    page.get_by_text("Share with the customer…").click()
    preview = page.locator(".customer-preview article")
    expect(preview).to_contain_text("Refund for order 1042")
    previewed = preview.inner_text()
    assert "sentinel-risk-high" not in previewed and "fraudster" not in previewed
    page.get_by_role("button", name=f"Share with {contact}").click()
    expect(page.locator("#ticket-header")).to_contain_text("Shared with customer")

    customer = new_context(base_url=live_server.url).new_page()
    customer.goto(messenger_link(contact))
    customer.goto(f"/messenger/tickets/{ticket.pk}/")
    assert customer.locator("article.customer-ticket").inner_text() == previewed
