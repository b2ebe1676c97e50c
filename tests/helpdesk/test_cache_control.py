"""No cache keeps a private page (issue 11, item 6): every response Django makes says `private, no-store`, whatever
its status or whether it is a whole page or an HTMX partial; static files keep their own caching. Every teammate
and customer page is also checked by the sweep of tests/test_escaping.py."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from inbox.messenger import messenger_link
from tests.factories import ContactFactory, ConversationFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def assert_private_and_never_stored(response) -> None:
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store", "no-cache", "must-revalidate", "max-age=0"} <= directives


def test_cache_control_on_a_teammate_page(teammate_client):
    response = teammate_client.get(reverse("inbox:view", args=["all"]))

    assert response.status_code == 200
    assert_private_and_never_stored(response)


def test_cache_control_on_an_htmx_partial(teammate_client, conversation):
    response = teammate_client.get(reverse("inbox:conversation-timeline", args=[conversation.pk]), headers=HTMX)

    assert response.status_code == 200
    assert_private_and_never_stored(response)


def test_cache_control_on_the_live_poll(teammate_client):
    response = teammate_client.get(reverse("live-poll"), {"topics": "nav", "since": 0})

    assert response.status_code == 200
    assert_private_and_never_stored(response)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/inbox/no-such-view/", 404),  # a domain NotFound
        ("/conversations/999999/timeline/?v=x", 404),
        ("/no-such-page/", 404),  # no URL at all
        ("/tickets/all/?status=nonsense", 400),
    ],
)
def test_cache_control_on_errors(teammate_client, path, status):
    response = teammate_client.get(path)

    assert response.status_code == status
    assert_private_and_never_stored(response)


def test_cache_control_on_a_form_refused_with_422(teammate_client, conversation):
    url = reverse("inbox:conversation-message", args=[conversation.pk])

    response = teammate_client.post(url, {"kind": "reply", "body": " "}, headers=HTMX)

    assert response.status_code == 422
    assert_private_and_never_stored(response)


def test_cache_control_on_a_redirect_to_sign_in(client):
    response = client.get(reverse("inbox:home"))

    assert response.status_code == 302
    assert_private_and_never_stored(response)


def test_cache_control_on_the_sign_in_page(client):
    """Included on purpose: the page holds a CSRF token tied to the browser's cookie (Django's LoginView sends the
    same headers by itself)."""
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert_private_and_never_stored(response)


def test_cache_control_on_the_admin(admin_client):
    response = admin_client.get(reverse("admin:inbox_conversation_changelist"))

    assert response.status_code == 200
    assert_private_and_never_stored(response)


def test_cache_control_on_messenger_pages():
    contact = ContactFactory()
    conversation = ConversationFactory(contact=contact)
    customer = Client()

    entered = customer.get(messenger_link(contact))
    pages = [
        customer.get(reverse("messenger:home")),
        customer.get(reverse("messenger:conversation", args=[conversation.pk])),
        customer.get(reverse("messenger:conversation", args=[conversation.pk]), headers=HTMX | {"HX-Target": "x"}),
        customer.get(reverse("messenger-tickets:list")),
    ]

    assert entered.status_code == 302 and [page.status_code for page in pages] == [200, 200, 200, 200]
    for response in [entered, *pages]:
        assert_private_and_never_stored(response)


def test_cache_control_on_the_messenger_signed_out():
    response = Client().get(reverse("messenger:home"))

    assert response.status_code == 403
    assert_private_and_never_stored(response)


@override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
def test_static_files_keep_their_own_caching():
    response = Client().get("/static/css/app.css")

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
