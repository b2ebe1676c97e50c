"""Take the README's screenshots (1440x900 PNG) from the demo workspace.

    .venv/bin/python docs/screenshots/take_screenshots.py

Seeds a fresh SQLite file in /tmp with `manage.py seed_demo`, serves it with `runserver`, signs in through
the login form as a front-office teammate (the split view: a conversation with its back-office ticket
beside it; the search page, a conversation opened beside the results) and as back-office teammates (the
ticket view, with the linked conversation beside it; the Trackers view, with what the tracker links beside it).
Uses Debian's Chromium like the browser tests.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
DEMO_PASSWORD = "helpdesk-demo"  # printed by seed_demo
VIEWPORT = {"width": 1440, "height": 900}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed(env: dict) -> tuple[int, int, int]:
    """Migrate and seed; return a conversation of `tom` with an in-progress ticket, that ticket, and the tracker."""
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "seed_demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    pick = (
        "from django.db.models import Count;"
        "from tickets.models import Ticket;"
        "t = Ticket.objects.filter(category='back_office', state__category='in_progress',"
        " linked_conversation__assignee__username='tom', linked_conversation__state='open')"
        ".annotate(n=Count('linked_conversation__parts')).order_by('-n', 'pk').first();"
        "print(t.linked_conversation_id, t.pk, Ticket.objects.filter(category='tracker').first().pk)"
    )
    result = subprocess.run(
        [*manage, "shell", "-v0", "-c", pick], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    conversation_id, ticket_id, tracker_id = result.stdout.split()
    return int(conversation_id), int(ticket_id), int(tracker_id)


def sign_in(browser, base_url: str, username: str):
    from playwright.sync_api import expect

    page = browser.new_context(viewport=VIEWPORT, base_url=base_url).new_page()
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your inbox", exact=True)).to_be_visible()
    return page


def main() -> None:
    from playwright.sync_api import expect, sync_playwright

    workdir = Path(tempfile.mkdtemp(prefix="helpdesk-screenshots-"))
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir}/db.sqlite3",
        "CELERY_BROKER_URL": f"filesystem://{workdir}/queue",
        "DEBUG": "1",
        "SECRET_KEY": "screenshots-only",
    }
    conversation_id, ticket_id, tracker_id = seed(env)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as playwright:
            chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
            browser = playwright.chromium.launch(
                executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            wait_for_server(browser, base_url)

            page = sign_in(browser, base_url, "tom")
            page.goto(f"/inbox/mine/{conversation_id}/")
            expect(page.locator("#ticket-side #ticket-title")).to_contain_text(f"#{ticket_id}")
            page.mouse.move(0, VIEWPORT["height"] - 1)  # no hover highlight in the picture
            page.screenshot(path=OUT / "split-view.png")

            # Search: the results for a word in the middle pane, the same conversation opened beside them.
            page.goto(f"/search/?q=refund&open={conversation_id}")
            expect(page.locator("#search-results [aria-current='true']")).to_have_count(1)  # one of the results
            expect(page.locator("#ticket-side #ticket-title")).to_contain_text(f"#{ticket_id}")
            page.screenshot(path=OUT / "search.png")

            page = sign_in(browser, base_url, "ben")
            page.goto(f"/t/{ticket_id}/")
            expect(page.locator("#main #ticket-title")).to_contain_text(f"#{ticket_id}")
            expect(page.locator("#main #conversation-context")).to_be_visible()
            page.screenshot(path=OUT / "ticket-view.png")

            page = sign_in(browser, base_url, "raj")
            page.goto(f"/tickets/trackers/{tracker_id}/")
            expect(page.locator("#main #ticket-title")).to_contain_text(f"#{tracker_id}")
            expect(page.locator("#main #tracker-links")).to_contain_text("3 linked")
            page.screenshot(path=OUT / "trackers.png")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"Wrote {OUT / 'split-view.png'}, {OUT / 'search.png'}, {OUT / 'ticket-view.png'} and {OUT / 'trackers.png'}")


def wait_for_server(browser, base_url: str) -> None:
    page = browser.new_page()
    for _ in range(100):
        try:
            page.goto(f"{base_url}/login/")
            break
        except Exception:  # not listening yet
            page.wait_for_timeout(100)
    page.close()


if __name__ == "__main__":
    main()
