"""Who reaches the teammates' pages: active staff only, checked on every request (issue 11, item 3).

Every URL of the site that is not the admin, the login/logout pages or a customer (`messenger*`) page is a
teammate page; the sweep finds them from the URL configuration, so a view added later without
`teammate_required` fails `test_non_staff_user_gets_403_on_every_teammate_url`.
"""

from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import TeammateFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true", "HX-Current-URL": "http://testserver/inbox/mine/"}
ADMINS_GROUP = "Admins"
# The admin, the messenger, the mail providers' webhooks and the API (by token: tests/helpdesk/test_api.py sweeps it)
# are left out by namespace.
NOT_TEAMMATE_PAGES = {"login", "logout"}


def walk(patterns, namespace: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            yield from walk(entry.url_patterns, inner or "")
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry


def teammate_urls() -> list[str]:
    """One address of every teammate URL pattern (ids and slugs made up: access is refused before any lookup)."""
    urls = []
    for name, pattern in walk(get_resolver().url_patterns):
        namespace = name.split(":")[0]
        left_out = namespace in ("admin", "mail-webhooks", "api") or namespace.startswith("messenger")
        if left_out or name in NOT_TEAMMATE_PAGES:
            continue
        converters = getattr(pattern.pattern, "converters", {})
        kwargs = {key: 1 if type(conv).__name__ == "IntConverter" else "mine" for key, conv in converters.items()}
        urls.append(reverse(name, kwargs=kwargs))
    return urls


TEAMMATE_URLS = teammate_urls()


def test_the_sweep_finds_the_teammate_pages():
    assert len(TEAMMATE_URLS) > 30
    assert reverse("inbox:view", args=["mine"]) in TEAMMATE_URLS
    assert reverse("live-poll") in TEAMMATE_URLS and reverse("nav") in TEAMMATE_URLS
    assert not any(url.startswith(("/messenger/", "/admin/", "/login/")) for url in TEAMMATE_URLS)


def refusals(client, *, headers=None) -> dict[str, tuple[int, int]]:
    """Each teammate URL whose GET and POST answers are not both refusals of access: {url: (get, post)}.

    A refusal is `expected` (403, or a redirect to the login page); the method a view does not take is a 405."""
    wrong = {}
    for url in TEAMMATE_URLS:
        get, post = client.get(url, headers=headers), client.post(url, headers=headers)
        if not all(answer.status_code in (403, 405) for answer in (get, post)) or 403 not in (
            get.status_code,
            post.status_code,
        ):
            wrong[url] = (get.status_code, post.status_code)
    return wrong


def test_non_staff_user_gets_403_on_every_teammate_url(client):
    client.force_login(TeammateFactory(is_staff=False))

    assert refusals(client) == {}


def test_non_staff_user_gets_403_on_every_teammate_url_through_htmx(client):
    client.force_login(TeammateFactory(is_staff=False))

    assert refusals(client, headers=HTMX) == {}


def test_non_staff_page_says_a_teammate_account_is_needed_without_redirecting(client):
    client.force_login(TeammateFactory(is_staff=False))

    response = client.get(reverse("inbox:view", args=["mine"]))

    assert response.status_code == 403
    assert "teammate account" in response.content.decode()
    assert "Location" not in response


def test_non_staff_htmx_request_gets_a_403_message_in_the_flash_region(client):
    client.force_login(TeammateFactory(is_staff=False))

    response = client.get(reverse("nav"), headers=HTMX)

    assert response.status_code == 403
    assert response["HX-Retarget"] == "#flash"
    assert "teammate account" in response.content.decode()


def test_removing_staff_status_takes_every_teammate_page_away_on_the_same_session(teammate_client, teammate):
    assert teammate_client.get(reverse("inbox:view", args=["mine"])).status_code == 200

    teammate.is_staff = False
    teammate.save(update_fields=["is_staff"])

    assert refusals(teammate_client) == {}


def test_deactivating_takes_every_teammate_page_away_on_the_same_session(teammate_client, teammate):
    assert teammate_client.get(reverse("inbox:view", args=["mine"])).status_code == 200

    teammate.is_active = False
    teammate.save(update_fields=["is_active"])

    for url in TEAMMATE_URLS:
        for answer in (teammate_client.get(url), teammate_client.post(url)):
            assert answer.status_code in (302, 405), url
            if answer.status_code == 302:
                assert urlsplit(answer["Location"]).path == reverse("login"), url


def test_anonymous_user_is_redirected_to_login(client):
    url = reverse("inbox:view", args=["mine"])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_anonymous_htmx_request_is_sent_to_login_from_the_page_it_came_from(client):
    response = client.get(reverse("nav"), headers=HTMX)

    assert response["HX-Redirect"] == f"{reverse('login')}?next=/inbox/mine/"


def test_active_staff_teammate_reaches_the_inbox(teammate_client):
    assert teammate_client.get(reverse("inbox:view", args=["mine"])).status_code == 200


# --- Admins: a group with model permissions, not only superusers ---


def admin_url(app_model: str, view: str, *args) -> str:
    return reverse(f"admin:{app_model.replace('.', '_')}_{view}", args=args)


CONFIGURED = ["inbox.team", "inbox.teammate", "inbox.contact", "tickets.tickettype", "tickets.ticketstate"]
CONFIGURED += ["workflows.workflow", "inbox.savedreply", "helpdesk.apitoken", "helpdesk.webhookendpoint"]
BROWSED = ["inbox.conversation", "tickets.ticket", "workflows.workflowrun", "helpdesk.outboxevent"]
BROWSED += ["helpdesk.webhookdelivery"]
BROWSED += ["axes.accessattempt", "axes.accesslog"]


@pytest.fixture
def admins_client(client):
    member = TeammateFactory(is_staff=True, is_superuser=False)
    member.groups.add(Group.objects.get(name=ADMINS_GROUP))
    client.force_login(member)
    return client


def test_admins_group_exists_after_migrations():
    assert Group.objects.get(name=ADMINS_GROUP).permissions.count() > 20


@pytest.mark.parametrize("app_model", CONFIGURED)
def test_admins_member_can_add_and_list_configuration(admins_client, app_model):
    assert admins_client.get(admin_url(app_model, "changelist")).status_code == 200
    assert admins_client.get(admin_url(app_model, "add")).status_code == 200


@pytest.mark.parametrize("app_model", BROWSED)
def test_admins_member_can_browse_records(admins_client, app_model):
    assert admins_client.get(admin_url(app_model, "changelist")).status_code == 200


def test_admins_member_creates_a_team(admins_client):
    from inbox.models import Team

    response = admins_client.post(admin_url("inbox.team", "add"), {"name": "Logistics"})

    assert response.status_code == 302
    assert Team.objects.filter(name="Logistics").exists()


def test_admins_member_cannot_make_anyone_a_superuser(admins_client):
    other = TeammateFactory()

    response = admins_client.get(admin_url("inbox.teammate", "change", other.pk))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "is_superuser" not in form.fields and "user_permissions" not in form.fields


def test_admins_member_cannot_change_a_superuser_nor_their_password(admins_client):
    boss = TeammateFactory(is_superuser=True)

    assert admins_client.post(admin_url("inbox.teammate", "change", boss.pk), {"username": "x"}).status_code == 403
    assert admins_client.get(reverse("admin:auth_user_password_change", args=[boss.pk])).status_code == 403


def test_staff_teammate_outside_admins_gets_no_admin_model(client):
    client.force_login(TeammateFactory(is_staff=True))

    assert client.get(admin_url("inbox.team", "changelist")).status_code == 403
