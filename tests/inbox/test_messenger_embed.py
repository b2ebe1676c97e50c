"""The messenger on the company's website (issue 13, inbox.embed): the frame opens as the verified user, refuses any
other identity, makes a lead only at the first message, and may be framed by the allowed origins alone."""

import time

import pytest
from django.http import HttpResponse
from django.urls import reverse

from inbox import actions, embed_actions
from inbox.embed import EMBEDDED_KEY, LEAD_COOKIE, LEAD_SALT
from inbox.identity import user_hash
from inbox.messenger import SESSION_KEY, messenger_link
from inbox.models import LEAD_PREFIX, Contact, Conversation, MessengerInstallation
from tests.factories import ContactFactory, ConversationFactory

pytestmark = pytest.mark.django_db

ORIGIN = "https://www.example.com"
OTHER_ALLOWED = "https://shop.example.com"
OPEN = "/messenger/embed/"
HOME = "/messenger/"


@pytest.fixture
def installation(db) -> MessengerInstallation:
    installation = MessengerInstallation.objects.get(pk=1)
    installation.allowed_origins = f"{ORIGIN}\n{OTHER_ALLOWED}/\n"
    installation.save()
    return installation


def identity(installation, user_id: str, *, issued_at: int | None = None, **extra) -> dict:
    """What the website's page sends for `user_id`, hashed with the secret, issued now unless told otherwise."""
    issued_at = int(time.time()) if issued_at is None else issued_at
    signed = user_hash(installation.secret, user_id, issued_at)
    return {"user_id": user_id, "issued_at": str(issued_at), "user_hash": signed} | extra


def open_frame(client, data: dict | None = None, *, origin: str = ORIGIN, **kw) -> HttpResponse:
    return client.post(OPEN, data or {}, headers={"Origin": origin}, **kw)


def signed_in_contact(client) -> int | None:
    return client.session.get(SESSION_KEY)


# --- Identified users ---


def test_open_with_a_correct_hash_signs_in_a_new_user_as_a_new_contact(client, installation):
    response = open_frame(client, identity(installation, "user-42", name="Ada Lovelace", email="ada@example.com"))

    assert response.status_code == 302 and response["Location"] == HOME
    contact = Contact.objects.get(external_id="user-42")
    assert (contact.name, contact.email, contact.is_lead) == ("Ada Lovelace", "ada@example.com", False)
    assert signed_in_contact(client) == contact.pk
    assert client.get(HOME).status_code == 200


def test_open_with_a_correct_hash_shows_the_existing_contacts_conversations(client, installation):
    contact = ContactFactory(external_id="user-42")
    ConversationFactory(contact=contact, subject="My parcel is late")

    open_frame(client, identity(installation, "user-42"))

    assert signed_in_contact(client) == contact.pk
    assert "My parcel is late" in client.get(HOME).content.decode()
    assert Contact.objects.filter(external_id="user-42").count() == 1


def test_identified_user_writes_as_their_contact(client, installation):
    contact = ContactFactory(external_id="user-42")
    open_frame(client, identity(installation, "user-42"))

    response = client.post(reverse("messenger:start"), {"subject": "Hello", "body": "Where is my order?"})

    assert response.status_code == 302
    assert Conversation.objects.get(subject="Hello").contact_id == contact.pk


def test_later_visit_does_not_change_the_contacts_name_or_email(client, installation):
    contact = ContactFactory(external_id="user-42", name="Ada", email="ada@example.com")

    open_frame(client, identity(installation, "user-42", name="Mallory", email="mallory@example.com"))

    contact.refresh_from_db()
    assert (contact.name, contact.email) == ("Ada", "ada@example.com")


def hash_for_another_user(installation) -> dict:
    return identity(installation, "user-43") | {"user_id": "user-42"}


@pytest.mark.parametrize(
    "make",
    [
        lambda inst: identity(inst, "user-42") | {"user_hash": user_hash("not-the-secret", "user-42")},
        hash_for_another_user,
        lambda inst: {"user_id": "user-42"},
        lambda inst: identity(inst, "user-42", issued_at=int(time.time()) - 301),
        lambda inst: identity(inst, "user-42", issued_at=int(time.time()) + 120),
        lambda inst: {"user_id": "user-42", "user_hash": user_hash(inst.secret, "user-42")},  # plain, time required
    ],
    ids=["wrong-hash", "another-users-hash", "missing-hash", "expired", "future", "plain-hash"],
)
def test_open_refuses_an_unverified_identity_with_403_and_opens_nothing(client, installation, make):
    ContactFactory(external_id="user-42")
    contacts = Contact.objects.count()

    response = open_frame(client, make(installation))

    assert response.status_code == 403
    assert 'id="messenger-refused"' in response.content.decode()
    assert Contact.objects.count() == contacts
    assert signed_in_contact(client) is None
    assert client.get(HOME).status_code == 403


@pytest.mark.parametrize(
    "data",
    [
        {"user_id": "x" * 101, "user_hash": "0" * 64},
        {"user_id": "user-42", "user_hash": "not-hex" * 9},
        {"user_id": "user-42", "user_hash": "0" * 64, "issued_at": "yesterday"},
        {"user_id": ["user-42", "user-43"], "user_hash": "0" * 64},
        {"user_hash": "0" * 64},
    ],
    ids=["huge-id", "bad-hex", "bad-time", "id-twice", "hash-without-id"],
)
def test_open_refuses_malformed_input_with_400(client, installation, data):
    response = open_frame(client, data)

    assert response.status_code == 400
    assert "could not be opened" in response.content.decode()
    assert not Contact.objects.filter(external_id__startswith="user-").exists()
    assert signed_in_contact(client) is None


def test_a_replayed_plain_hash_works_when_the_issue_time_is_not_required(client, installation):
    installation.issued_at_required = False
    installation.save()
    plain = {"user_id": "user-42", "user_hash": user_hash(installation.secret, "user-42")}

    first = open_frame(client, plain)
    client.cookies.clear()
    replayed = open_frame(client, plain)

    assert (first.status_code, replayed.status_code) == (302, 302)


def test_an_issued_hash_replayed_after_the_max_age_is_refused(client, installation):
    installation.issued_at_max_age = 60
    installation.save()
    issued_at = int(time.time()) - 61

    assert open_frame(client, identity(installation, "user-42", issued_at=issued_at)).status_code == 403
    assert open_frame(client, identity(installation, "user-42", issued_at=issued_at + 10)).status_code == 302


def test_a_hash_made_before_the_secret_was_rotated_is_refused(client, installation, admin_user):
    stale = identity(installation, "user-42")

    embed_actions.rotate_messenger_secret(actor=admin_user)

    assert open_frame(client, stale).status_code == 403


def test_sign_out_everywhere_ends_the_frames_session(client, installation, admin_user):
    open_frame(client, identity(installation, "user-42"))
    contact = Contact.objects.get(external_id="user-42")

    actions.sign_out_contact_everywhere(actor=admin_user, contact_id=contact.pk)

    assert client.get(HOME).status_code == 403


# --- Refusals are counted, and the page's origin must be an allowed one ---


def test_refused_identities_are_throttled_like_refused_links(client, installation, settings):
    settings.MESSENGER_LINK_FAILURE_LIMIT = 3
    for _ in range(3):
        assert open_frame(client, hash_for_another_user(installation), REMOTE_ADDR="203.0.113.9").status_code == 403

    response = open_frame(client, identity(installation, "user-42"), REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 429
    assert not Contact.objects.filter(external_id="user-42").exists()
    assert open_frame(client, identity(installation, "user-42"), REMOTE_ADDR="203.0.113.10").status_code == 302


def test_refused_identities_and_bad_links_share_one_count(client, installation, settings):
    settings.MESSENGER_LINK_FAILURE_LIMIT = 2
    open_frame(client, hash_for_another_user(installation), REMOTE_ADDR="203.0.113.9")
    client.get(reverse("messenger:enter", args=["not-a-token"]), REMOTE_ADDR="203.0.113.9")

    assert open_frame(client, identity(installation, "user-42"), REMOTE_ADDR="203.0.113.9").status_code == 429


@pytest.mark.parametrize("origin", ["https://evil.example.net", "http://www.example.com", "null", ""])
def test_open_refuses_a_page_of_another_origin(client, installation, origin):
    response = open_frame(client, identity(installation, "user-42"), origin=origin)

    assert response.status_code == 403
    assert "not available on this website" in response.content.decode()
    assert not Contact.objects.filter(external_id="user-42").exists()


def test_open_accepts_every_allowed_origin(client, installation):
    assert open_frame(client, identity(installation, "user-42"), origin=OTHER_ALLOWED).status_code == 302


def test_open_is_refused_everywhere_while_no_origin_is_allowed(client, installation):
    installation.allowed_origins = ""
    installation.save()

    assert open_frame(client, identity(installation, "user-42")).status_code == 403


def test_open_refuses_get(client, installation):
    assert client.get(OPEN, identity(installation, "user-42")).status_code == 405
    assert not Contact.objects.filter(external_id="user-42").exists()


# --- Anonymous visitors and leads ---


def test_opening_the_frame_anonymously_makes_no_contact(client, installation):
    contacts = Contact.objects.count()

    response = open_frame(client)
    welcome = client.get(response["Location"])

    assert response["Location"] == reverse("messenger-embed:welcome")
    assert welcome.status_code == 200 and 'id="lead-start"' in welcome.content.decode()
    assert Contact.objects.count() == contacts
    assert client.get(HOME).status_code == 403  # nothing of theirs to show


def test_first_message_makes_the_lead_and_remembers_it_in_a_cookie(client, installation):
    open_frame(client)

    response = client.post(reverse("messenger-embed:start"), {"subject": "Pricing", "body": "How much?", "email": ""})

    lead = Contact.objects.get(is_lead=True)
    assert lead.external_id.startswith(LEAD_PREFIX)
    conversation = Conversation.objects.get(contact=lead)
    assert response.status_code == 302 and response["Location"] == reverse(
        "messenger:conversation", args=[conversation.pk]
    )
    assert signed_in_contact(client) == lead.pk
    assert client.get(response["Location"]).status_code == 200
    assert response.cookies[LEAD_COOKIE]["httponly"]


def test_a_returning_visitor_is_the_same_lead(client, installation):
    open_frame(client)
    client.post(reverse("messenger-embed:start"), {"subject": "Pricing", "body": "How much?"})
    lead = Contact.objects.get(is_lead=True)
    client.cookies.pop("sessionid")

    response = open_frame(client)

    assert response["Location"] == HOME
    assert signed_in_contact(client) == lead.pk
    assert "Pricing" in client.get(HOME).content.decode()


def test_a_lead_signed_out_everywhere_comes_back_as_a_new_visitor(client, installation, admin_user):
    open_frame(client)
    client.post(reverse("messenger-embed:start"), {"body": "Hello"})
    actions.sign_out_contact_everywhere(actor=admin_user, contact_id=Contact.objects.get(is_lead=True).pk)

    assert open_frame(client)["Location"] == reverse("messenger-embed:welcome")


def test_a_blank_first_message_is_refused_and_makes_no_lead(client, installation):
    open_frame(client)

    response = client.post(reverse("messenger-embed:start"), {"body": "  "})

    assert response.status_code == 422
    assert not Contact.objects.filter(is_lead=True).exists()


def test_the_first_message_needs_the_launcher(client, installation):
    response = client.post(reverse("messenger-embed:start"), {"body": "Hello"})

    assert response.status_code == 403
    assert not Contact.objects.filter(is_lead=True).exists()


def lead_client(client) -> Contact:
    open_frame(client)
    client.post(reverse("messenger-embed:start"), {"subject": "Mine", "body": "Hello"})
    return Contact.objects.get(is_lead=True)


def test_lead_leaves_a_valid_email(client, installation):
    lead = lead_client(client)
    assert 'id="lead-email"' in client.get(HOME).content.decode()

    response = client.post(reverse("messenger-embed:email"), {"email": "visitor@example.com"})

    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.email == "visitor@example.com" and lead.is_lead


@pytest.mark.parametrize("email", ["not-an-email", "", "a@b@c"])
def test_lead_email_that_is_not_one_is_refused_with_422(client, installation, email):
    lead = lead_client(client)

    response = client.post(reverse("messenger-embed:email"), {"email": email})

    assert response.status_code == 422
    assert 'id="lead-email-errors"' in response.content.decode()
    lead.refresh_from_db()
    assert lead.email == ""


def test_a_leads_email_gives_no_access_to_the_contact_with_that_email(client, installation):
    owner = ContactFactory(email="owner@example.com")
    ConversationFactory(contact=owner, subject="Owner's secret order")
    other = ConversationFactory(contact=owner, subject="Another")
    lead_client(client)

    client.post(reverse("messenger-embed:email"), {"email": "owner@example.com"})

    assert "Owner's secret order" not in client.get(HOME).content.decode()
    assert client.get(reverse("messenger:conversation", args=[other.pk])).status_code == 404
    owner.refresh_from_db()
    assert owner.email == "owner@example.com"


def test_an_identified_user_cannot_change_their_email_in_the_messenger(client, installation):
    open_frame(client, identity(installation, "user-42", email="ada@example.com"))

    response = client.post(reverse("messenger-embed:email"), {"email": "mallory@example.com"})

    assert response.status_code == 422
    assert Contact.objects.get(external_id="user-42").email == "ada@example.com"


def test_a_lead_is_labelled_for_teammates(teammate_client, installation, client):
    lead = lead_client(client)
    conversation = Conversation.objects.get(contact=lead)

    page = teammate_client.get(reverse("inbox:conversation", args=["all", conversation.pk])).content.decode()

    assert "(lead)" in str(lead)
    assert '<span class="badge" title="A visitor of the website who did not sign in: not verified">Lead</span>' in page


# --- With verification enforced, an unverified visitor never writes as an identified user ---


def test_an_id_without_hash_is_refused_even_with_a_leads_cookie(client, installation):
    identified = ContactFactory(external_id="user-42")
    lead_client(client)

    response = open_frame(client, {"user_id": "user-42"})

    assert response.status_code == 403
    assert signed_in_contact(client) is None
    assert client.post(reverse("messenger:start"), {"body": "As user-42?"}).status_code == 403
    assert not identified.conversations.exists()


def test_anonymous_open_ends_the_identified_session_of_the_same_browser(client, installation):
    open_frame(client, identity(installation, "user-42"))

    open_frame(client)  # the website's user signed out; the next page is anonymous

    assert signed_in_contact(client) is None
    assert client.post(reverse("messenger:start"), {"body": "Still user-42?"}).status_code == 403
    assert not Conversation.objects.filter(contact__external_id="user-42").exists()


def test_a_visitors_first_message_never_lands_with_an_identified_user(client, installation):
    identified = ContactFactory(external_id="user-42")
    open_frame(client)

    client.post(reverse("messenger-embed:start"), {"body": "Hi", "user_id": "user-42", "contact": identified.pk})

    assert not identified.conversations.exists()
    assert Conversation.objects.get().contact.is_lead


def test_a_lead_cookie_naming_an_identified_contact_is_not_believed(client, installation):
    identified = ContactFactory(external_id="user-42")
    cookie = HttpResponse()
    cookie.set_signed_cookie(LEAD_COOKIE, f"{identified.pk}:{identified.session_version}", salt=LEAD_SALT)
    client.cookies[LEAD_COOKIE] = cookie.cookies[LEAD_COOKIE].value

    response = open_frame(client)

    assert response["Location"] == reverse("messenger-embed:welcome")
    assert signed_in_contact(client) is None


def test_a_tampered_lead_cookie_is_not_believed(client, installation):
    identified = ContactFactory(external_id="user-42")
    client.cookies[LEAD_COOKIE] = f"{identified.pk}:1:forged"

    assert open_frame(client)["Location"] == reverse("messenger-embed:welcome")


def test_without_enforcement_an_id_without_hash_is_a_lead_not_that_user(client, installation):
    installation.verification_enforced = False
    installation.save()
    identified = ContactFactory(external_id="user-42")

    response = open_frame(client, {"user_id": "user-42", "name": "Ada"})
    client.post(reverse("messenger-embed:start"), {"body": "Hi"})

    assert response["Location"] == reverse("messenger-embed:welcome")
    assert not identified.conversations.exists()
    assert Conversation.objects.get().contact.is_lead


# --- Framing ---


def frame_ancestors(response) -> str:
    policy = response["Content-Security-Policy"]
    return next(d for d in policy.split(";") if d.strip().startswith("frame-ancestors")).strip()


def test_embed_pages_may_be_framed_by_the_allowed_origins_only(client, installation):
    response = open_frame(client, identity(installation, "user-42"))

    assert frame_ancestors(response) == f"frame-ancestors {ORIGIN} {OTHER_ALLOWED}"
    assert "X-Frame-Options" not in response
    home = client.get(HOME)
    assert frame_ancestors(home) == f"frame-ancestors {ORIGIN} {OTHER_ALLOWED}"
    assert "X-Frame-Options" not in home


def test_embed_refusals_show_in_the_frame(client, installation):
    response = open_frame(client, hash_for_another_user(installation))

    assert frame_ancestors(response) == f"frame-ancestors {ORIGIN} {OTHER_ALLOWED}"


def test_messenger_pages_of_a_link_are_never_framed(client, installation, contact):
    client.get(messenger_link(contact))

    response = client.get(HOME)

    assert frame_ancestors(response) == "frame-ancestors 'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert EMBEDDED_KEY not in client.session


def test_teammate_pages_are_never_framed(teammate_client, installation):
    response = teammate_client.get(reverse("inbox:view", args=["all"]))

    assert frame_ancestors(response) == "frame-ancestors 'none'"
    assert response["X-Frame-Options"] == "DENY"


def test_an_embedded_session_does_not_open_teammate_pages_to_framing(client, installation, teammate):
    client.force_login(teammate)
    open_frame(client, identity(installation, "user-42"))

    assert frame_ancestors(client.get(reverse("inbox:view", args=["all"]))) == "frame-ancestors 'none'"


def test_nothing_is_framed_while_no_origin_is_allowed(client, installation):
    installation.allowed_origins = ""
    installation.save()

    response = open_frame(client, identity(installation, "user-42"))

    assert frame_ancestors(response) == "frame-ancestors 'none'"


def test_cross_site_cookies_are_partitioned_and_secure_for_the_frame(client, installation, settings):
    settings.MESSENGER_EMBED_CROSS_SITE_COOKIES = True

    response = open_frame(client, identity(installation, "user-42"))

    cookie = response.cookies[settings.SESSION_COOKIE_NAME].output()
    assert "SameSite=None" in cookie and "Secure" in cookie and cookie.endswith("; Partitioned")


def test_cookies_of_other_pages_stay_lax(client, installation, settings, contact):
    settings.MESSENGER_EMBED_CROSS_SITE_COOKIES = True

    response = client.get(messenger_link(contact))

    cookie = response.cookies[settings.SESSION_COOKIE_NAME].output()
    assert "SameSite=Lax" in cookie and "Partitioned" not in cookie


def test_a_refused_identity_ends_the_previous_users_frame_session(client, installation):
    open_frame(client, identity(installation, "user-42"))

    assert open_frame(client, hash_for_another_user(installation)).status_code == 403

    assert signed_in_contact(client) is None


# --- The admin's "Messenger installation" page ---

INSTALLATION_PAGE = "/admin/inbox/messengerinstallation/1/change/"


def test_installation_page_shows_the_snippet_and_secret_to_an_admin(admin_client, installation, settings):
    page = admin_client.get(INSTALLATION_PAGE).content.decode()

    assert f"&lt;script src=&quot;{settings.SITE_URL}/static/messenger/embed.js&quot; async" in page
    assert "data-user-hash=&quot;USER_HASH&quot;" in page
    assert installation.secret in page
    assert "hmac.new(MESSENGER_SECRET.encode()" in page and "createHmac(&quot;sha256&quot;" in page


def test_installation_page_is_shown_to_the_admins_group(client, installation):
    from django.contrib.auth.models import Group

    from tests.factories import TeammateFactory

    admin = TeammateFactory()
    admin.groups.add(Group.objects.get(name="Admins"))
    client.force_login(admin)

    assert client.get(INSTALLATION_PAGE).status_code == 200


def test_installation_page_is_refused_to_a_teammate_who_is_not_an_admin(teammate_client, installation):
    response = teammate_client.get(INSTALLATION_PAGE)

    assert response.status_code == 403
    assert installation.secret not in response.content.decode()


def test_installation_page_is_refused_to_a_contact_of_the_messenger(client, installation, contact):
    client.get(messenger_link(contact))

    response = client.get(INSTALLATION_PAGE)

    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_admin_saves_the_allowed_origins_and_policy(admin_client, installation):
    data = {"allowed_origins": "https://Example.com/\nhttp://127.0.0.1:8080", "verification_enforced": "on",
            "issued_at_max_age": "120"}  # fmt: skip

    response = admin_client.post(INSTALLATION_PAGE, data)

    assert response.status_code == 302
    installation.refresh_from_db()
    assert installation.origins == ["https://example.com", "http://127.0.0.1:8080"]
    assert (installation.issued_at_required, installation.issued_at_max_age) == (False, 120)


@pytest.mark.parametrize("origin", ["example.com", "https://example.com/path", "https://*.example.com", "ftp://x.org"])
def test_admin_refuses_an_origin_that_is_not_one(admin_client, installation, origin):
    data = {"allowed_origins": origin, "verification_enforced": "on", "issued_at_max_age": "300"}

    response = admin_client.post(INSTALLATION_PAGE, data)

    assert response.status_code == 200
    assert "is not an origin" in response.content.decode()
    installation.refresh_from_db()
    assert installation.allowed_origins == f"{ORIGIN}\n{OTHER_ALLOWED}/\n"


def test_admin_refuses_a_max_age_beyond_an_hour(admin_client, installation):
    data = {"allowed_origins": ORIGIN, "issued_at_max_age": "86400"}

    assert admin_client.post(INSTALLATION_PAGE, data).status_code == 200
    installation.refresh_from_db()
    assert installation.issued_at_max_age == 300


def test_admin_action_rotates_the_secret(admin_client, installation):
    changelist = "/admin/inbox/messengerinstallation/"

    response = admin_client.post(changelist, {"action": "rotate_secret", "_selected_action": [installation.pk]})

    assert response.status_code == 302
    rotated = MessengerInstallation.objects.get()
    assert rotated.secret != installation.secret and len(rotated.secret) == 64


def test_admin_cannot_add_or_delete_the_installation(admin_client, installation):
    assert admin_client.get("/admin/inbox/messengerinstallation/add/").status_code == 403
    assert admin_client.get("/admin/inbox/messengerinstallation/1/delete/").status_code == 403


def test_contact_admin_shows_and_filters_leads(admin_client, installation, client):
    lead = lead_client(client)

    page = admin_client.get("/admin/inbox/contact/?is_lead__exact=1").content.decode()

    assert lead.external_id in page
