"""A messenger session lives no longer than its link, "Sign out everywhere" ends every link and session of a contact,
and the link entry is rate-limited per address (issue 11, item 5 and the messenger half of item 4)."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core import signing
from django.urls import reverse

from inbox import actions
from inbox.messenger import SESSION_KEY, messenger_link
from inbox.models import Contact
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def token_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[-1]


@pytest.fixture
def contact_client(client, contact):
    assert client.get(messenger_link(contact)).status_code == 302
    return client


def link_signed_at(monkeypatch, contact: Contact, signed_at: datetime) -> str:
    """A link as `messenger_link` would have made it at `signed_at`."""
    with monkeypatch.context() as patch:
        patch.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(int(signed_at.timestamp())))
        return messenger_link(contact)


# --- The session ends when the link would ---


def test_session_expires_no_later_than_the_link(client, contact, settings, monkeypatch):
    signed_at = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)
    link = link_signed_at(monkeypatch, contact, signed_at)

    assert client.get(link).status_code == 302

    expires = client.session.get_expiry_date()
    link_expires = signed_at + settings.MESSENGER_LINK_MAX_AGE
    assert link_expires - timedelta(seconds=2) <= expires <= link_expires


def test_session_of_a_fresh_link_expires_after_the_link_max_age_not_14_days(client, contact, settings):
    before = time.time()

    client.get(messenger_link(contact))

    assert client.session.get_expiry_age() <= settings.MESSENGER_LINK_MAX_AGE.total_seconds() + (time.time() - before)


def test_session_cookie_expires_with_the_link(client, contact, settings):
    response = client.get(messenger_link(contact))

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert 0 < int(cookie["max-age"]) <= settings.MESSENGER_LINK_MAX_AGE.total_seconds()


# --- Sign out everywhere ---


def test_sign_out_everywhere_refuses_an_earlier_link(client, contact, admin_user):
    link = messenger_link(contact)

    actions.sign_out_contact_everywhere(actor=admin_user, contact_id=contact.pk)

    response = client.get(link)
    assert response.status_code == 403
    assert SESSION_KEY not in client.session


def test_a_link_made_after_sign_out_everywhere_works(client, contact, admin_user):
    contact = actions.sign_out_contact_everywhere(actor=admin_user, contact_id=contact.pk)

    assert client.get(messenger_link(contact)).status_code == 302
    assert client.get(reverse("messenger:home")).status_code == 200


def test_sign_out_everywhere_ends_an_open_session_at_its_next_request(contact_client, contact, admin_user):
    assert contact_client.get(reverse("messenger:home")).status_code == 200

    actions.sign_out_contact_everywhere(actor=admin_user, contact_id=contact.pk)

    response = contact_client.get(reverse("messenger:home"))
    assert response.status_code == 403
    assert "signed out" in response.content.decode()
    assert SESSION_KEY not in contact_client.session


def test_sign_out_everywhere_ends_the_customer_ticket_pages_too(contact_client, contact, admin_user):
    actions.sign_out_contact_everywhere(actor=admin_user, contact_id=contact.pk)

    assert contact_client.get(reverse("messenger-tickets:list")).status_code == 403


def test_sign_out_everywhere_makes_a_live_region_reload_the_page(contact_client, contact, admin_user):
    actions.sign_out_contact_everywhere(actor=admin_user, contact_id=contact.pk)

    response = contact_client.get(reverse("messenger:home"), headers=HTMX | {"HX-Target": "messenger-conversations"})

    assert response["HX-Refresh"] == "true"


def test_sign_out_everywhere_leaves_other_contacts_signed_in(contact_client, admin_user):
    other = ContactFactory()

    actions.sign_out_contact_everywhere(actor=admin_user, contact_id=other.pk)

    assert contact_client.get(reverse("messenger:home")).status_code == 200


def test_admin_action_signs_the_selected_contacts_out_everywhere(admin_client, contact_client, contact):
    changelist = reverse("admin:inbox_contact_changelist")

    response = admin_client.post(changelist, {"action": "sign_out_everywhere", "_selected_action": [contact.pk]})

    assert response.status_code == 302
    assert contact_client.get(reverse("messenger:home")).status_code == 403


# --- The link entry is rate-limited per address ---


def bad_link(n: int) -> str:
    return reverse("messenger:enter", args=[f"not-a-token-{n}"])


def test_link_entry_is_refused_with_429_after_repeated_bad_links(client, contact, settings):
    for n in range(settings.MESSENGER_LINK_FAILURE_LIMIT):
        assert client.get(bad_link(n), REMOTE_ADDR="203.0.113.9").status_code == 403

    response = client.get(messenger_link(contact), REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 429
    assert "Too many" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_expired_links_count_as_bad_links(client, contact, settings):
    link = messenger_link(contact)
    settings.MESSENGER_LINK_MAX_AGE = timedelta(seconds=-1)
    for _ in range(settings.MESSENGER_LINK_FAILURE_LIMIT):
        assert client.get(link, REMOTE_ADDR="203.0.113.10").status_code == 403

    assert client.get(link, REMOTE_ADDR="203.0.113.10").status_code == 429


def test_link_entry_limit_leaves_other_addresses_alone(client, contact, settings):
    for n in range(settings.MESSENGER_LINK_FAILURE_LIMIT + 2):
        client.get(bad_link(n), REMOTE_ADDR="203.0.113.11")

    assert client.get(messenger_link(contact), REMOTE_ADDR="198.51.100.3").status_code == 302


def test_good_links_do_not_count_towards_the_limit(client, contact, settings):
    for _ in range(settings.MESSENGER_LINK_FAILURE_LIMIT + 2):
        assert client.get(messenger_link(contact), REMOTE_ADDR="203.0.113.12").status_code == 302
