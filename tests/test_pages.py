"""The login page, sign-in and sign-out, through Django's test client (the inbox itself: tests/inbox)."""

from django.urls import reverse

PASSWORD = "correct horse battery staple"  # TeammateFactory's password


def test_login_page_renders_labelled_fields(client, db):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html
    assert 'autocomplete="current-password"' in html


def test_login_with_teammate_lands_in_their_inbox(client, teammate):
    response = client.post(reverse("login"), {"username": teammate.username, "password": PASSWORD}, follow=True)

    assert response.redirect_chain == [(reverse("inbox:home"), 302), (reverse("inbox:view", args=["mine"]), 302)]
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
    assert teammate_client.get(reverse("inbox:home")).status_code == 302
    assert teammate_client.get(reverse("inbox:view", args=["mine"])).status_code == 200


def test_logout_post_signs_out(teammate_client):
    response = teammate_client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert teammate_client.get(reverse("inbox:view", args=["mine"]))["Location"].startswith(reverse("login"))


def test_inbox_sends_strict_content_security_policy(teammate_client):
    response = teammate_client.get(reverse("inbox:view", args=["mine"]))

    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
