"""The append-only audit of a ticket (issue 16): every share, state, title, description and attribute change, with
who, when, from and to; the database refuses to update or delete a row, through the ORM or SQL."""

import pytest
from django.db import DatabaseError, connection, transaction

from tests.factories import BackOfficeTicketFactory, TeammateFactory, TicketAttributeFactory, TicketTypeFactory, state
from tickets import actions
from tickets.models import AuditField, StateCategory, TicketAudit

pytestmark = pytest.mark.django_db


def trail(ticket) -> list[tuple[str, str, str, str]]:
    return [
        (row.field, row.attribute, row.from_value, row.to_value)
        for row in TicketAudit.objects.filter(ticket=ticket).order_by("pk")
    ]


def test_audit_records_creation_in_its_first_state(teammate):
    ticket = BackOfficeTicketFactory(actor=teammate)
    [row] = TicketAudit.objects.filter(ticket=ticket)
    assert (row.field, row.from_value, row.to_value) == (AuditField.STATE, "", ticket.state.internal_label)
    assert (row.actor_id, row.actor_name) == (teammate.pk, teammate.display_name)


def test_audit_records_a_share_at_creation_and_later():
    shared_at_once = BackOfficeTicketFactory(share=True)
    assert (AuditField.SHARED, "", "no", "yes") in trail(shared_at_once)
    later = BackOfficeTicketFactory()
    actions.share_ticket(actor=TeammateFactory(), ticket_id=later.pk)
    assert trail(later)[-1] == (AuditField.SHARED, "", "no", "yes")


def test_audit_records_a_state_change_by_its_labels():
    ticket = BackOfficeTicketFactory()
    resolved = state(StateCategory.RESOLVED)
    actions.change_ticket_state(actor=TeammateFactory(), ticket_id=ticket.pk, state_id=resolved.pk)
    assert trail(ticket)[-1] == (AuditField.STATE, "", ticket.state.internal_label, resolved.internal_label)


def test_audit_records_each_edited_value_as_people_read_it():
    ticket_type = TicketTypeFactory()
    TicketAttributeFactory(ticket_type=ticket_type, key="urgent", name="Urgent", kind="boolean")
    TicketAttributeFactory(ticket_type=ticket_type, key="order", name="Order", kind="text")
    ticket = BackOfficeTicketFactory(ticket_type=ticket_type, attributes={"urgent": False, "order": "A-1"})
    actions.update_ticket_attributes(
        actor=TeammateFactory(),
        ticket_id=ticket.pk,
        title="Refund order A-1",
        description=ticket.description,
        attributes={"urgent": True, "order": "A-1"},
    )
    assert trail(ticket)[1:] == [
        (AuditField.TITLE, "", ticket.title, "Refund order A-1"),
        (AuditField.ATTRIBUTE, "Urgent", "No", "Yes"),
    ]


def test_audit_writes_nothing_for_a_refused_change():
    ticket = BackOfficeTicketFactory(ticket_type=TicketTypeFactory(never_shared=True))
    with pytest.raises(Exception, match="never shared"):
        actions.share_ticket(actor=TeammateFactory(), ticket_id=ticket.pk)
    assert [field for field, *_ in trail(ticket)] == [AuditField.STATE]


def test_audit_row_cannot_be_updated_through_the_orm():
    ticket = BackOfficeTicketFactory()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        TicketAudit.objects.filter(ticket=ticket).update(to_value="Something else")
    row = TicketAudit.objects.get(ticket=ticket)
    row.actor_name = "Nobody"
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        row.save()


def test_audit_row_cannot_be_deleted_through_the_orm():
    ticket = BackOfficeTicketFactory()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        TicketAudit.objects.filter(ticket=ticket).delete()
    assert TicketAudit.objects.filter(ticket=ticket).count() == 1


@pytest.mark.parametrize(
    "sql",
    ["UPDATE tickets_ticketaudit SET to_value = 'forged'", "DELETE FROM tickets_ticketaudit"],
)
def test_audit_cannot_be_altered_through_sql(sql):
    ticket = BackOfficeTicketFactory()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert trail(ticket) == [(AuditField.STATE, "", "", ticket.state.internal_label)]


def test_audit_trail_view_shows_who_what_from_and_to(teammate_client, teammate, django_assert_max_num_queries):
    from django.urls import reverse

    ticket = BackOfficeTicketFactory()
    resolved = state(StateCategory.RESOLVED)
    actions.change_ticket_state(actor=teammate, ticket_id=ticket.pk, state_id=resolved.pk)
    with django_assert_max_num_queries(6):  # session, teammate, live counter, the ticket, its audit
        response = teammate_client.get(reverse("tickets:audit", args=[ticket.pk]), headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 200 and 'id="ticket-audit"' in page
    assert teammate.display_name in page and resolved.internal_label in page
    pane = teammate_client.get(reverse("tickets:pane", args=[ticket.pk]), headers={"HX-Request": "true"})
    assert reverse("tickets:audit", args=[ticket.pk]) in pane.content.decode()


def test_audit_trail_of_a_missing_ticket_is_404(teammate_client):
    from django.urls import reverse

    assert teammate_client.get(reverse("tickets:audit", args=[999_999])).status_code == 404
