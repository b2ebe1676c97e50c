"""The workflow admin in Chromium: each action shows only the fields of its kind, from the mapping Python holds."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from workflows.models import ACTION_FIELDS, ActionKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

OPTIONAL = ["ticket_type", "team", "teammate", "note", "snooze_minutes"]


def test_workflow_action_shows_only_the_fields_of_its_kind(open_as, admin_user):
    page = open_as(admin_user, reverse("admin:workflows_workflow_add"))
    page.get_by_text("Add another Workflow action").click()
    action = page.locator(".workflow-action .inline-related:not(.empty-form)").last

    for kind in (ActionKind.ADD_NOTE, ActionKind.SNOOZE, ActionKind.CREATE_TICKET, ActionKind.CLOSE):
        action.get_by_label("Kind").select_option(kind.value)
        for name in OPTIONAL:
            row = action.locator(f".field-{name}")
            if name in ACTION_FIELDS[kind]:
                expect(row).to_be_visible()
            else:
                expect(row).to_be_hidden()
