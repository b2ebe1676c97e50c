"""The API's docs page works under the site's strict Content-Security-Policy: Swagger UI comes from this site's
static files and lists every operation of the OpenAPI description, with nothing refused by the browser."""

import pytest
from playwright.sync_api import expect

from helpdesk.api import mounted

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_api_docs_page_lists_the_operations_without_csp_refusals(page, live_server):
    refused = []
    page.on("console", lambda message: refused.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.get_by_role("heading", name="Help desk API")).to_be_visible()
    expect(page.locator(".opblock").filter(has_text="/api/v1/tickets/{ticket_id}/notes")).to_have_count(1)
    paths = mounted().get_openapi_schema()["paths"].values()
    expect(page.locator(".opblock")).to_have_count(sum(len(operations) for operations in paths))
    assert refused == []
