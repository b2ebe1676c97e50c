"""The shipped ticket-type icons (helpdesk/icons.py): inline SVGs that render without an emoji font."""

import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.template import Context, Template
from django.urls import reverse

from helpdesk.icons import ICONS, TicketIcon, icon_svg
from inbox.messenger import messenger_link
from tests.factories import BackOfficeTicketFactory, CustomerTicketFactory, TicketTypeFactory
from tickets.models import TicketType

# Pictographs, dingbats and the emoji variation selector: what the emoji icons were made of.
EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\u2b50\u2b55\ufe0f]")


def render(source: str) -> str:
    return Template(source).render(Context())


def test_icons_ship_an_svg_for_every_ticket_icon_and_nothing_else():
    assert set(ICONS) == set(TicketIcon.values)


@pytest.mark.parametrize("name", TicketIcon.values)
def test_icon_markup_is_only_svg_shapes(name):
    assert re.fullmatch(r'(<(path|rect|circle|line|polyline|polygon|ellipse)( [a-z0-9-]+="[^"<>]*")+/>)+', ICONS[name])


def test_icon_tag_renders_a_decorative_svg():
    html = render("{% icon 'bug' %}")

    assert html.startswith('<svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"')
    assert ICONS["bug"] in html and html.endswith("</svg>")
    assert "style=" not in html


def test_icon_tag_falls_back_to_the_ticket_icon_for_an_unknown_name():
    assert render("{% icon '<b>nope</b>' %}") == render("{% icon 'ticket' %}") == icon_svg("ticket")


def test_icon_tag_falls_back_to_the_ticket_icon_for_an_old_emoji():
    assert render("{% icon '🐞' %}") == icon_svg("ticket")


@pytest.mark.django_db
def test_ticket_page_shows_the_type_icon_and_no_emoji(teammate_client, teammate):
    ticket_type = TicketTypeFactory(icon=TicketIcon.BUG)
    ticket = BackOfficeTicketFactory(ticket_type=ticket_type, assignee_id=teammate.pk)

    response = teammate_client.get(reverse("tickets:ticket", args=["mine", ticket.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert icon_svg(TicketIcon.BUG) in page
    assert not EMOJI.search(page)


@pytest.mark.django_db
def test_messenger_ticket_page_shows_the_type_icon_and_no_emoji(client, contact):
    ticket_type = TicketTypeFactory(customer=True, icon=TicketIcon.BANKNOTE)
    ticket = CustomerTicketFactory(ticket_type=ticket_type, contact=contact)
    client.get(messenger_link(contact))

    response = client.get(reverse("messenger-tickets:ticket", args=[ticket.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert icon_svg(TicketIcon.BANKNOTE) in page
    assert not EMOJI.search(page)


@pytest.mark.django_db
def test_admin_ticket_type_list_shows_the_icon_beside_the_name(admin_client):
    TicketTypeFactory(name="Chargeback", icon=TicketIcon.CREDIT_CARD)

    response = admin_client.get(reverse("admin:tickets_tickettype_changelist"))

    assert f"{icon_svg(TicketIcon.CREDIT_CARD)} Chargeback" in response.content.decode()


@pytest.mark.django_db
def test_admin_ticket_type_form_previews_each_icon_choice(admin_client):
    ticket_type = TicketTypeFactory(icon=TicketIcon.FLAME)

    response = admin_client.get(reverse("admin:tickets_tickettype_change", args=[ticket_type.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    for choice in TicketIcon:
        assert re.search(
            rf'<input type="radio" name="icon" value="{choice.value}"[^>]*>\s*{re.escape(icon_svg(choice))}', page
        )
    assert re.search(r'<input type="radio" name="icon" value="flame"[^>]*checked', page)
    assert "admin/css/icons" in page


@pytest.mark.django_db
def test_admin_ticket_type_form_saves_the_chosen_icon(admin_client):
    ticket_type = TicketTypeFactory(icon=TicketIcon.TICKET)
    data = {
        "name": ticket_type.name,
        "icon": TicketIcon.GLOBE,
        "description": "",
        "category": ticket_type.category,
        "sharing_policy": ticket_type.sharing_policy,
        "default_team": ticket_type.default_team_id,
        "states": list(ticket_type.states.values_list("pk", flat=True)),
        "attributes-TOTAL_FORMS": "0",
        "attributes-INITIAL_FORMS": "0",
        "attributes-MIN_NUM_FORMS": "0",
        "attributes-MAX_NUM_FORMS": "1000",
    }

    response = admin_client.post(reverse("admin:tickets_tickettype_change", args=[ticket_type.pk]), data)

    assert response.status_code == 302
    ticket_type.refresh_from_db()
    assert ticket_type.icon == TicketIcon.GLOBE


# Transactional: migrating runs DDL, and serialized_rollback restores the rows the migrations create.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_maps_an_emoji_icon_to_its_shipped_icon():
    before = [("tickets", "0005_ticketcount")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_type = executor.loader.project_state(before).apps.get_model("tickets", "TicketType")
    created = old_type.objects.create(name="Bugs", icon="🐞", category="customer", sharing_policy="always")

    executor = MigrationExecutor(connection)  # a fresh graph: the applied migrations changed
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert TicketType.objects.get(pk=created.pk).icon == TicketIcon.BUG
