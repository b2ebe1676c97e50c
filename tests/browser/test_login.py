"""Sign in through the real form in Chromium, under the real Content-Security-Policy."""

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.factories import ConversationFactory

PASSWORD = "correct horse battery staple"  # TeammateFactory's password


def _is_csp_violation(message: ConsoleMessage) -> bool:
    return "Content Security Policy" in message.text


# live_server makes this a transactional test; serialized_rollback keeps the flush after it from
# re-creating content types, which would break the next serialized transactional test (the worker tests).
@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_login_form_signs_in_and_shows_inbox(live_server, page: Page, teammate):
    conversation = ConversationFactory(assignee=teammate)
    console: list[ConsoleMessage] = []
    page.on("console", lambda message: console.append(message))

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(teammate.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(f"{live_server.url}/inbox/mine/")
    expect(page.get_by_role("heading", name="Your inbox", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=conversation.subject)).to_be_visible()
    # The script (deferred) loaded under the CSP; polled from here: wait_for_function evaluates strings, which the CSP
    # refuses.
    for _ in range(100):
        if page.evaluate("typeof htmx") == "object":
            break
        page.wait_for_timeout(50)
    assert page.evaluate("typeof htmx") == "object"
    assert [m.text for m in console if _is_csp_violation(m)] == []

    # Control: the check above would have seen a violation (an inline <style> is refused).
    with page.expect_console_message(_is_csp_violation):
        page.evaluate("document.head.appendChild(document.createElement('style')).textContent = 'body {}'")
