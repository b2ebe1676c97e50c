"""The login page, the placeholder inbox and logout, through Django's test client."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from inbox.models import Conversation
from inbox.selectors import list_recent_conversations
from inbox.views import RECENT_CONVERSATIONS
from tests.factories import ConversationFactory, TeammateFactory

PASSWORD = "correct horse battery staple"  # TeammateFactory's password
# Session, user, conversations (with contact and assignee joined).
INBOX_QUERIES = 3


def test_login_page_renders_labelled_fields(client, db):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html
    assert 'autocomplete="current-password"' in html


def test_login_with_teammate_shows_inbox_with_conversation(client, teammate, conversation):
    response = client.post(reverse("login"), {"username": teammate.username, "password": PASSWORD}, follow=True)

    assert response.redirect_chain == [(reverse("inbox:home"), 302)]
    assert conversation.subject in response.content.decode()
    assert teammate.display_name in response.content.decode()


def test_login_with_wrong_password_shows_error(client, teammate):
    response = client.post(reverse("login"), {"username": teammate.username, "password": "wrong"})

    assert response.status_code == 200
    assert response.context["user"].is_anonymous
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Please enter a correct username and password" in html


def test_inbox_redirects_anonymous_to_login(client, db):
    response = client.get(reverse("inbox:home"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('inbox:home')}"


def test_inbox_refuses_post(teammate_client):
    assert teammate_client.post(reverse("inbox:home")).status_code == 405


def test_logout_refuses_get(teammate_client):
    response = teammate_client.get(reverse("logout"))

    assert response.status_code == 405
    assert teammate_client.get(reverse("inbox:home")).status_code == 200


def test_logout_post_signs_out(teammate_client):
    response = teammate_client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert teammate_client.get(reverse("inbox:home")).status_code == 302


def test_inbox_shows_state_contact_and_assignee(teammate_client, contact):
    assignee = TeammateFactory(first_name="Ada", last_name="Lovelace")
    ConversationFactory(contact=contact, snoozed=True, assignee=assignee, subject="Refund for order 42")

    html = teammate_client.get(reverse("inbox:home")).content.decode()

    assert "Refund for order 42" in html
    assert str(contact) in html
    assert "Snoozed" in html
    assert "Ada Lovelace" in html


def test_inbox_sends_strict_content_security_policy(teammate_client):
    response = teammate_client.get(reverse("inbox:home"))

    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp


@pytest.mark.parametrize("n_conversations", [3, 30])
def test_inbox_query_count_is_bounded(teammate_client, django_assert_max_num_queries, n_conversations):
    ConversationFactory.create_batch(n_conversations, assignee=TeammateFactory())

    with django_assert_max_num_queries(INBOX_QUERIES):
        response = teammate_client.get(reverse("inbox:home"))

    assert response.status_code == 200
    assert len(response.context["conversations"]) == min(n_conversations, RECENT_CONVERSATIONS)


def test_list_recent_conversations_is_newest_first_and_limited(db):
    old, newest, middle = ConversationFactory.create_batch(3)
    now = timezone.now()
    # Arrange timestamps directly: updated_at is auto_now, so creation order alone is too close to call.
    for conversation, age in ((old, 3), (middle, 2), (newest, 1)):
        Conversation.objects.filter(pk=conversation.pk).update(updated_at=now - timedelta(minutes=age))

    assert list_recent_conversations(limit=2) == [newest, middle]
