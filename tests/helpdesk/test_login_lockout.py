"""Sign-in throttling by django-axes (issue 11, item 4): per user and per address, a cool-off, unlock from the admin."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import TeammateFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # TeammateFactory's password
ATTACKER, OFFICE, ELSEWHERE = "203.0.113.7", "198.51.100.20", "192.0.2.44"
LOCKED_OUT = "Too many failed sign-ins"


def sign_in(client, username: str, password: str, *, address: str = ATTACKER):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client, username: str, times: int, *, address: str = ATTACKER) -> None:
    """`times` failed sign-ins; the one that reaches the limit is already answered with the lockout (429)."""
    for _ in range(times):
        assert sign_in(client, username, "wrong", address=address).status_code in (200, 429)


@pytest.fixture
def limit(settings) -> int:
    return settings.AXES_FAILURE_LIMIT


def test_limit_and_cool_off_are_set():
    from django.conf import settings

    assert 3 <= settings.AXES_FAILURE_LIMIT <= 10
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=15)


def test_right_password_is_refused_after_repeated_failures(client, teammate, limit):
    fail(client, teammate.username, limit)

    response = sign_in(client, teammate.username, PASSWORD)

    assert response.status_code == 429
    assert LOCKED_OUT in response.content.decode()
    assert client.get(reverse("inbox:view", args=["mine"])).status_code == 302  # not signed in


def test_thirty_wrong_passwords_never_let_the_right_one_in(client, teammate):
    for _ in range(30):
        sign_in(client, teammate.username, "wrong")

    assert sign_in(client, teammate.username, PASSWORD).status_code == 429


def test_lockout_page_is_the_login_form_with_the_reason(client, teammate, limit):
    fail(client, teammate.username, limit)

    response = sign_in(client, teammate.username, PASSWORD)

    html = response.content.decode()
    assert 'role="alert"' in html and "15 minutes" in html
    assert '<label for="id_username">' in html


def test_a_locked_user_is_locked_from_another_address_too(client, teammate, limit):
    fail(client, teammate.username, limit)

    assert sign_in(client, teammate.username, PASSWORD, address=OFFICE).status_code == 429


def test_an_address_that_failed_for_many_users_is_locked(client, limit):
    people = TeammateFactory.create_batch(limit + 1)
    for person in people[:limit]:
        fail(client, person.username, 1)

    assert sign_in(client, people[-1].username, PASSWORD).status_code == 429


def test_another_user_from_another_address_is_unaffected(client, teammate, other_teammate, limit):
    fail(client, teammate.username, limit)

    response = sign_in(client, other_teammate.username, PASSWORD, address=OFFICE)

    assert response.status_code == 302
    assert response["Location"] == reverse("inbox:home")


def test_login_page_still_shows_to_a_locked_address(client, teammate, limit):
    fail(client, teammate.username, limit)

    assert client.get(reverse("login"), REMOTE_ADDR=ATTACKER).status_code == 200


def test_failures_below_the_limit_then_success_start_again_from_zero(client, teammate, limit):
    fail(client, teammate.username, limit - 1)
    assert sign_in(client, teammate.username, PASSWORD).status_code == 302
    client.post(reverse("logout"))

    fail(client, teammate.username, limit - 1)

    assert sign_in(client, teammate.username, PASSWORD).status_code == 302


def test_lockout_ends_after_the_cool_off(client, teammate, limit):
    from axes.models import AccessAttempt

    fail(client, teammate.username, limit)
    # The cool-off counts from the last failure.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    assert sign_in(client, teammate.username, PASSWORD).status_code == 302


def test_axes_reset_unlocks(client, teammate, limit):
    from axes.utils import reset

    fail(client, teammate.username, limit)

    assert reset(username=teammate.username) >= 1
    assert sign_in(client, teammate.username, PASSWORD).status_code == 302


def test_unlock_from_the_admin(client, admin_client, teammate, limit):
    from axes.models import AccessAttempt

    fail(client, teammate.username, limit)
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))

    response = admin_client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )

    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert sign_in(client, teammate.username, PASSWORD).status_code == 302


def test_force_login_still_signs_in(client, teammate):
    client.force_login(teammate)

    assert client.get(reverse("inbox:view", args=["mine"])).status_code == 200


# --- Behind a proxy of our own (TRUSTED_PROXY_COUNT) ---

PROXY = "10.0.0.2"


def via_proxy(client, username: str, password: str, *, forwarded_for: str):
    data = {"username": username, "password": password}
    return client.post(reverse("login"), data, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)


def test_behind_a_proxy_a_locked_address_does_not_lock_everyone_else(client, settings, limit):
    settings.TRUSTED_PROXY_COUNT = 1
    people = TeammateFactory.create_batch(limit + 1)
    for person in people[:limit]:
        via_proxy(client, person.username, "wrong", forwarded_for=ATTACKER)

    assert via_proxy(client, people[-1].username, PASSWORD, forwarded_for=ATTACKER).status_code == 429
    assert via_proxy(client, people[-1].username, PASSWORD, forwarded_for=OFFICE).status_code == 302


def test_behind_a_proxy_a_client_cannot_choose_its_address(rf, settings):
    from helpdesk.http import client_address

    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{OFFICE}, {ATTACKER}")  # the client sent OFFICE

    assert client_address(request) == ATTACKER
