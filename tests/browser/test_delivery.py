"""Delivery status in the browser (issue 16), by role and label: a cross-posted note that the conversation refuses
(a real database fault, in the real worker) reads pending, then failed with the reason; once the fault is gone,
"Retry now" delivers it, once, and the front office's conversation shows it."""

import pytest
from playwright.sync_api import expect

from inbox.models import Part, PartKind
from tests.factories import BackOfficeTicketFactory, ConversationFactory
from tests.tickets.delivery_faults import refusing
from tests.worker import wait_for

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NOTE = "Refund sent: 3 days to the card."
WORKER = 20_000


def test_a_failed_cross_post_says_so_and_retry_delivers_it_once(worker, open_as, teammate, violations):
    conversation = ConversationFactory(subject="Charged twice")
    ticket = BackOfficeTicketFactory(actor=teammate, conversation=conversation, title="Refund order 1042")
    page = open_as(teammate, f"/t/{ticket.pk}/")
    with refusing(NOTE):
        composer = page.get_by_role("textbox", name=f"Internal note on #{ticket.pk}")
        composer.fill(NOTE)
        composer.press("Control+Shift+Enter")
        note = page.locator("#ticket-timeline .part-note").filter(has_text=NOTE)
        status = note.locator(".delivery")  # pending first (tests/tickets/test_delivery.py): the worker is quick
        expect(status).to_contain_text("Cross-post to the linked conversation: failed", timeout=WORKER)
        expect(status).to_contain_text("the conversation <b>refuses</b> it")  # the reason, as text
        assert violations(page) == [], "a failed delivery with its retry"
    note.get_by_role("button", name="Retry now").click()
    expect(status).to_have_text("Cross-post to the linked conversation: delivered.", timeout=WORKER)
    assert page.evaluate("window.__same_document") is True
    copies = Part.objects.filter(conversation=conversation, kind=PartKind.CROSS_POST, body=NOTE)
    wait_for(lambda: copies.count() == 1)

    front = open_as(teammate, f"/inbox/all/{conversation.pk}/")
    expect(front.locator("#conversation-timeline .part-cross_post").filter(has_text=NOTE)).to_have_count(1)
