"""The ticket's audit trail in the browser (issue 16): opened from the keyboard on the ticket view, it lists the
state change with who made it, from and to; axe-core finds nothing serious in it."""

import pytest
from playwright.sync_api import expect

from tests.factories import BackOfficeTicketFactory, TeammateFactory, state
from tickets import actions
from tickets.models import StateCategory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_audit_trail_lists_a_state_change_opened_from_the_keyboard(open_as, teammate, blocking_violations):
    back_office = TeammateFactory(first_name="Bea", last_name="Okafor")
    ticket = BackOfficeTicketFactory(title="Refund order 1042")
    resolved = state(StateCategory.RESOLVED)
    actions.change_ticket_state(actor=back_office, ticket_id=ticket.pk, state_id=resolved.pk)
    page = open_as(teammate, f"/tickets/all/{ticket.pk}/")

    summary = page.locator("#ticket-audit-action summary")
    summary.focus()
    page.keyboard.press("Enter")

    table = page.get_by_role("table")
    row = table.get_by_role("row").filter(has_text=resolved.internal_label)
    expect(row).to_contain_text("Bea Okafor")
    expect(row).to_contain_text(ticket.state.internal_label)
    assert blocking_violations(page) == []
