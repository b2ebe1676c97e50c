"""The resolution card in the browser (issue 16): the back office resolves a refund with its details; the card
reaches the open conversation live; `i` puts the details into the reply, which the teammate sends."""

import pytest
from playwright.sync_api import expect

from inbox.models import Part, PartKind
from tests.factories import (
    BackOfficeTicketFactory,
    ConversationFactory,
    PartFactory,
    TeammateFactory,
    TicketAttributeFactory,
    TicketTypeFactory,
    state,
)
from tests.worker import wait_for
from tickets import actions
from tickets.models import StateCategory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LIVE = 3_000  # ms, from one teammate's action to another's screen


def test_resolution_card_reaches_the_conversation_and_goes_into_the_reply_with_one_key(worker, open_as, teammate):
    refund = TicketTypeFactory(name="Refund request")
    TicketAttributeFactory(ticket_type=refund, key="refund_id", name="Refund id", required_to_resolve=True)
    conversation = ConversationFactory(assignee=teammate, subject="Refund for order 1042")
    PartFactory(conversation=conversation, body="Where is my refund?")
    ticket = BackOfficeTicketFactory(conversation=conversation, ticket_type=refund, attributes={"refund_id": "R-77"})
    page = open_as(teammate, f"/inbox/all/{conversation.pk}/")

    actions.change_ticket_state(actor=TeammateFactory(), ticket_id=ticket.pk, state_id=state(StateCategory.RESOLVED).pk)
    card = page.get_by_role("region", name=f"Resolution of ticket #{ticket.pk}")
    expect(card).to_contain_text("R-77", timeout=LIVE)

    page.locator("body").press("i")
    composer = page.locator("#composer [data-composer]")
    expect(composer).to_be_focused()
    expect(composer).to_have_value("Refund id: R-77")
    composer.press("Control+Enter")
    wait_for(lambda: Part.objects.filter(conversation=conversation, kind=PartKind.REPLY, body="Refund id: R-77"))
