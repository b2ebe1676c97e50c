"""Attachments end to end, in two browsers: a customer attaches a photo in the messenger, the teammate sees its
thumbnail in the inbox timeline and opens it; the teammate answers with a PDF (sent with Ctrl+Enter), and the
customer downloads it from their conversation."""

import re

import pytest
from playwright.sync_api import expect

from inbox.messenger import messenger_link
from inbox.models import Attachment
from tests.browser.conftest import VIEWPORT
from tests.factories import ConversationFactory, PartFactory
from tests.files import pdf_bytes, png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHOTO = png_bytes(40, 30)
INVOICE = pdf_bytes("Invoice 1042")


def test_files_go_both_ways_between_the_messenger_and_the_inbox(open_as, new_context, live_server, teammate, contact):
    conversation = ConversationFactory(contact=contact, subject="Broken lamp")
    PartFactory(conversation=conversation, body="My lamp arrived broken.")

    # The customer attaches a photo to a message, from the keyboard-usable, labelled file input.
    customer_context = new_context(viewport=VIEWPORT, base_url=live_server.url, accept_downloads=True)
    customer_context.set_default_timeout(5_000)
    customer = customer_context.new_page()
    customer.goto(messenger_link(contact))
    customer.goto(f"/messenger/conversations/{conversation.pk}/")
    customer.get_by_label("Your message").fill("Here is a photo.")
    customer.get_by_label("Attach files").set_input_files(
        [{"name": "lamp.png", "mimeType": "image/png", "buffer": PHOTO}]
    )
    customer.get_by_role("button", name="Send").click()
    thread = customer.locator("#messenger-thread")
    expect(thread.get_by_role("link", name=re.compile(r"lamp\.png"))).to_be_visible()

    # The teammate sees its thumbnail in the timeline, drawn from the authorised URL, and opens it.
    photo = Attachment.objects.get(name="lamp.png")
    page = open_as(teammate, f"/inbox/all/{conversation.pk}/")
    timeline = page.locator("#conversation-timeline")
    thumbnail = timeline.locator(f'img.attachment-thumb[src="/attachments/{photo.pk}/"]')
    expect(thumbnail).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth === 40", arg=thumbnail.element_handle())
    with page.context.expect_page() as opened:
        timeline.get_by_role("link", name=re.compile(r"lamp\.png")).click()
    shown = opened.value
    shown.wait_for_load_state()
    assert shown.url.endswith(f"/attachments/{photo.pk}/")
    assert shown.evaluate("document.contentType") == "image/png"

    # The teammate answers with a PDF, sent with Ctrl+Enter from the composer.
    composer = page.locator("#composer")
    composer.get_by_label("Attach files").set_input_files(
        [{"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": INVOICE}]
    )
    message = composer.get_by_label("Message")
    message.fill("Your invoice, refunded.")
    message.press("Control+Enter")
    expect(page.locator("#conversation-timeline")).to_contain_text("invoice.pdf")
    assert page.evaluate("window.__same_document") is True  # an HTMX swap, not a page load

    # The customer's thread shows it (it polls), and the customer downloads it.
    link = thread.get_by_role("link", name=re.compile(r"invoice\.pdf"))
    expect(link).to_be_visible(timeout=6_000)
    with customer.expect_download() as downloading:
        link.click()
    download = downloading.value
    assert download.suggested_filename == "invoice.pdf"
    with open(download.path(), "rb") as file:
        assert file.read() == INVOICE
