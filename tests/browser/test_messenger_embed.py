"""The messenger on a website outside the app (issue 13, "Done when"): a page of another origin with the admin's
snippet opens the messenger for an identified user with a correct hash and refuses a wrong one; a page of an origin
that is not allowed cannot frame it at all.

The website is a plain HTML page served by Python's http.server on a port of its own: another origin than the live
server (same site, as any two ports of 127.0.0.1 are, so the frame's cookies are the ordinary Lax ones)."""

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from inbox.identity import user_hash
from inbox.models import Contact, Conversation, MessengerInstallation
from tests.browser.conftest import VIEWPORT
from tests.factories import ContactFactory, ConversationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@dataclass
class Website:
    """A website on its own origin; `pages` maps a path to the HTML it serves."""

    url: str
    pages: dict[str, str] = field(default_factory=dict)


def serve_website() -> tuple[Website, ThreadingHTTPServer]:
    class Pages(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802  (http.server's name)
            body = website.pages.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write((body or "Not found").encode())

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    website = Website(url=f"http://127.0.0.1:{server.server_address[1]}")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return website, server


@pytest.fixture
def websites() -> Iterator[tuple[Website, Website]]:
    """Two websites: the company's (an allowed origin) and another one (not allowed)."""
    (allowed, one), (other, two) = serve_website(), serve_website()
    MessengerInstallation.objects.filter(pk=1).update(allowed_origins=allowed.url)
    yield allowed, other
    for server in (one, two):
        server.shutdown()
        server.server_close()


def page_with_snippet(live_url: str, **identity: str) -> str:
    """The company's page with the admin's snippet (inbox.admin.SNIPPET), filled in as its backend would."""
    attributes = "".join(f' data-{name.replace("_", "-")}="{value}"' for name, value in identity.items())
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Example shop</title></head><body>'
        "<main><h1>Example shop</h1><p>Our products.</p></main>"
        f'<script src="{live_url}/static/messenger/embed.js" async{attributes}></script></body></html>'
    )


def signed(user_id: str, *, secret: str | None = None) -> dict[str, str]:
    issued_at = int(time.time())
    secret = MessengerInstallation.objects.get(pk=1).secret if secret is None else secret
    return {"user_id": user_id, "user_hash": user_hash(secret, user_id, issued_at), "issued_at": str(issued_at)}


@pytest.fixture
def visit(new_context):
    def open_page(url: str):
        context = new_context(viewport=VIEWPORT)
        context.set_default_timeout(5_000)
        page = context.new_page()
        page.goto(url)
        return page

    return open_page


def test_website_opens_the_messenger_for_an_identified_user_with_a_correct_hash(live_server, websites, visit):
    website, _ = websites
    contact = ContactFactory(external_id="shop-user-42", name="Ada Lovelace")
    ConversationFactory(contact=contact, subject="My parcel is late")
    website.pages["/"] = page_with_snippet(live_server.url, **signed("shop-user-42"), name="Ada Lovelace")
    page = visit(website.url + "/")

    launcher = page.get_by_role("button", name="Messages", exact=True)
    expect(launcher).to_have_attribute("aria-expanded", "false")
    launcher.focus()
    page.keyboard.press("Enter")  # from the keyboard

    expect(launcher).to_have_attribute("aria-expanded", "true")
    messenger = page.frame_locator("iframe[title='Messages']")
    expect(messenger.get_by_role("heading", name="Your messages")).to_be_visible()
    expect(messenger.get_by_role("link", name="My parcel is late")).to_be_visible()

    messenger.get_by_label("Subject (optional)").fill("Written on the website")
    messenger.get_by_label("Your message:", exact=True).fill("Can I change my address?")
    messenger.get_by_role("button", name="Send").click()
    expect(messenger.get_by_role("heading", name="Written on the website")).to_be_visible()
    assert Conversation.objects.get(subject="Written on the website").contact_id == contact.pk

    page.get_by_role("button", name="Close messages").focus()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Messages")).to_be_hidden()
    expect(launcher).to_be_focused()


def test_website_with_a_wrong_hash_shows_the_refusal_and_creates_nothing(live_server, websites, visit):
    website, _ = websites
    ContactFactory(external_id="shop-user-42")
    contacts = Contact.objects.count()
    # The page of user 42, with the hash of user 43 (or one made up by editing the snippet).
    forged = signed("shop-user-43") | {"user_id": "shop-user-42"}
    website.pages["/"] = page_with_snippet(live_server.url, **forged)
    page = visit(website.url + "/")

    page.get_by_role("button", name="Messages", exact=True).click()

    messenger = page.frame_locator("iframe[title='Messages']")
    expect(messenger.get_by_role("heading", name="We could not verify who you are")).to_be_visible()
    expect(messenger.get_by_role("heading", name="Your messages")).to_have_count(0)
    assert Contact.objects.count() == contacts
    assert not Conversation.objects.filter(contact__external_id="shop-user-42").exists()


def test_anonymous_visitor_becomes_a_lead_when_writing(live_server, websites, visit):
    website, _ = websites
    website.pages["/"] = page_with_snippet(live_server.url)
    page = visit(website.url + "/")

    page.get_by_role("button", name="Messages", exact=True).click()
    messenger = page.frame_locator("iframe[title='Messages']")
    expect(messenger.get_by_role("heading", name="Write to us", level=1)).to_be_visible()
    assert not Contact.objects.filter(is_lead=True).exists()
    messenger.get_by_label("Your message:", exact=True).fill("Do you ship to Norway?")
    messenger.get_by_role("button", name="Send").click()

    expect(messenger.get_by_role("heading", name="Conversation")).to_be_visible()
    assert Conversation.objects.get().contact.is_lead


def test_a_website_that_is_not_allowed_cannot_frame_the_messenger(live_server, websites, visit):
    allowed, other = websites
    ConversationFactory(contact=ContactFactory(external_id="shop-user-42"), subject="My parcel is late")
    snippet = page_with_snippet(live_server.url, **signed("shop-user-42"))
    allowed.pages["/"] = other.pages["/"] = snippet
    frame_only = f'<!doctype html><title>Frame</title><iframe title="Messages" src="{live_server.url}/messenger/">'
    allowed.pages["/frame"] = other.pages["/frame"] = frame_only

    # Through the launcher: the identity is refused for the page's origin, and not even the refusal may show.
    page = visit(other.url + "/")
    with page.expect_response(lambda response: response.url == f"{live_server.url}/messenger/embed/") as opened:
        page.get_by_role("button", name="Messages", exact=True).click()
    assert opened.value.status == 403
    assert "frame-ancestors " + allowed.url in opened.value.headers["content-security-policy"]
    assert_not_shown(page, live_server.url)
    assert not Contact.objects.exclude(external_id="shop-user-42").exists()

    # A frame of the messenger itself, in a browser whose messenger session the allowed website opened: that website
    # shows it, the other one does not (CSP frame-ancestors).
    page = visit(allowed.url + "/")
    page.get_by_role("button", name="Messages", exact=True).click()
    expect(page.frame_locator("iframe[title='Messages']").get_by_role("heading", name="Your messages")).to_be_visible()
    page.goto(allowed.url + "/frame")
    expect(page.frame_locator("iframe").get_by_role("link", name="My parcel is late")).to_be_visible()
    with page.expect_response(f"{live_server.url}/messenger/") as framed:
        page.goto(other.url + "/frame")
    assert framed.value.status == 200  # served, but the browser refuses to show it in this page
    assert_not_shown(page, live_server.url)


def assert_not_shown(page, live_url: str) -> None:
    """The page's frame holds Chromium's error page, not a page of the help desk (CSP frame-ancestors)."""
    frame = page.locator("iframe").element_handle().content_frame()
    assert frame is not None
    frame.wait_for_load_state()
    assert frame.url == "chrome-error://chromewebdata/"
    assert frame.get_by_text("My parcel is late").count() == 0
    assert frame.get_by_text("not available on this website").count() == 0
