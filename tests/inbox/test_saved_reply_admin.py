"""The saved replies' admin: admins keep the shared ones and their own, never see another teammate's, and its form
checks the placeholders and the unique names."""

import pytest
from django.contrib.auth.models import Group

from inbox.models import SavedReply
from tests.admin_pages import url as admin_url
from tests.factories import SavedReplyFactory, TeammateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admins_client(client):
    member = TeammateFactory()
    member.groups.add(Group.objects.get(name="Admins"))
    client.force_login(member)
    return client, member


def admin_data(**fields) -> dict:
    return {"name": "Refund approved", "kind": "reply", "body": "Hi {{contact.name}}", "state_effect": "", **fields}


def test_admin_creates_a_shared_saved_reply(admins_client):
    client, _ = admins_client

    response = client.post(admin_url(SavedReply, "add"), admin_data(shared="on"))

    assert response.status_code == 302
    assert SavedReply.objects.get().owner is None


def test_admin_keeps_an_unshared_one_as_its_own(admins_client):
    client, member = admins_client

    client.post(admin_url(SavedReply, "add"), admin_data())

    assert SavedReply.objects.get().owner == member


def test_admin_form_names_an_unknown_placeholder(admins_client):
    client, _ = admins_client

    response = client.post(admin_url(SavedReply, "add"), admin_data(shared="on", body="{{ticket.iban}}"))

    assert response.status_code == 200
    assert "Unknown placeholder: {{ticket.iban}}" in response.context["adminform"].form.errors["body"][0]


def test_admin_form_refuses_a_shared_name_taken(admins_client):
    client, _ = admins_client
    SavedReplyFactory(name="Refund approved")

    response = client.post(admin_url(SavedReply, "add"), admin_data(shared="on"))

    assert response.status_code == 200
    assert SavedReply.objects.count() == 1


def test_admin_lists_shared_and_own_never_anothers_personal(admins_client, other_teammate):
    client, member = admins_client
    shared, own = SavedReplyFactory(), SavedReplyFactory(owner=member)
    SavedReplyFactory(owner=other_teammate)

    response = client.get(admin_url(SavedReply, "changelist"))

    assert set(response.context["cl"].result_list) == {shared, own}


def test_teammate_outside_admins_gets_no_saved_reply_admin(teammate_client):
    assert teammate_client.get(admin_url(SavedReply, "changelist")).status_code == 403


def test_admin_changes_a_shared_saved_reply(admins_client):
    client, _ = admins_client
    shared = SavedReplyFactory(name="Old")

    response = client.post(admin_url(SavedReply, "change", shared.pk), admin_data(name="New", shared="on"))

    shared.refresh_from_db()
    assert response.status_code == 302 and (shared.name, shared.owner) == ("New", None)


def test_admin_deletes_a_shared_saved_reply(admins_client):
    client, _ = admins_client
    shared = SavedReplyFactory()

    response = client.post(admin_url(SavedReply, "delete", shared.pk), {"post": "yes"})

    assert response.status_code == 302 and not SavedReply.objects.exists()
