"""The assignee and team pickers (helpdesk.forms.PickerField): the JSON options they search, and the forms that carry
only the current choice yet take any teammate or team the options offer."""

import json
import re

import pytest
from django.urls import reverse

from inbox.selectors import OPTIONS_SHOWN
from tests.factories import ConversationFactory, TeamFactory, TeammateFactory
from tests.inbox.pages import HTMX, htmx_target, view_url

pytestmark = pytest.mark.django_db

# Session, teammate, the options.
OPTIONS_QUERIES = 3


def options(response) -> list[tuple[int, str]]:
    return [(row["value"], row["text"]) for row in json.loads(response.content)["results"]]


def teammate_options(client, q: str | None = None):
    return client.get(reverse("inbox:teammate-options"), {"q": q} if q is not None else {})


def test_teammate_options_lists_active_teammates_by_name(teammate_client, teammate):
    ada = TeammateFactory(first_name="Ada", last_name="Lovelace")
    grace = TeammateFactory(first_name="Grace", last_name="Hopper")

    response = teammate_options(teammate_client)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    found = options(response)
    assert (ada.pk, "Ada Lovelace") in found and (grace.pk, "Grace Hopper") in found
    assert [text for _pk, text in found] == sorted(text for _pk, text in found)


def test_teammate_options_search_every_word_of_the_name(teammate_client):
    ada = TeammateFactory(first_name="Ada", last_name="Lovelace")
    TeammateFactory(first_name="Ada", last_name="Byron")
    TeammateFactory(first_name="Alan", last_name="Lovelock")

    assert options(teammate_options(teammate_client, "ada love")) == [(ada.pk, "Ada Lovelace")]
    assert options(teammate_options(teammate_client, "LOVELACE")) == [(ada.pk, "Ada Lovelace")]


def test_teammate_options_name_a_teammate_without_a_name_by_username(teammate_client):
    nameless = TeammateFactory(first_name="", last_name="", username="ops-robot")

    assert options(teammate_options(teammate_client, "robot")) == [(nameless.pk, "ops-robot")]


@pytest.mark.parametrize("account", [{"is_active": False}, {"is_staff": False}])
def test_teammate_options_leave_out_accounts_that_do_not_work_the_inbox(teammate_client, account):
    TeammateFactory(first_name="Gone", last_name="Away", **account)

    assert options(teammate_options(teammate_client, "gone")) == []


def test_teammate_options_are_at_most_a_screenful(teammate_client):
    TeammateFactory.create_batch(OPTIONS_SHOWN + 5, first_name="Sam")

    assert len(options(teammate_options(teammate_client, "sam"))) == OPTIONS_SHOWN


@pytest.mark.parametrize("n", [3, 40])
def test_teammate_options_query_count_does_not_grow(teammate_client, django_assert_num_queries, n):
    TeammateFactory.create_batch(n)

    with django_assert_num_queries(OPTIONS_QUERIES):
        assert teammate_options(teammate_client, "a").status_code == 200


def test_teammate_options_escape_markup_in_names(teammate_client):
    TeammateFactory(first_name="<b>Bold</b>", last_name="&Co")

    response = teammate_options(teammate_client, "bold")

    body = response.content.decode()
    assert "<" not in body and ">" not in body and "&" not in body
    assert options(response)[0][1] == "<b>Bold</b> &Co"  # the same text once parsed: the picker shows it as text


def test_teammate_options_refuse_a_search_too_long(teammate_client):
    response = teammate_options(teammate_client, "x" * 101)

    assert response.status_code == 400
    assert "error" in json.loads(response.content)


def test_team_options_search_teams_by_name(teammate_client):
    billing = TeamFactory(name="Billing EU")
    TeamFactory(name="Logistics")

    response = teammate_client.get(reverse("inbox:team-options"), {"q": "bill"})

    assert options(response) == [(billing.pk, "Billing EU")]


@pytest.mark.parametrize("name", ["inbox:teammate-options", "inbox:team-options"])
def test_options_send_anonymous_visitors_to_sign_in(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["inbox:teammate-options", "inbox:team-options"])
def test_options_refuse_a_signed_in_user_who_is_not_a_teammate(client, name):
    client.force_login(TeammateFactory(is_staff=False))

    assert client.get(reverse(name)).status_code == 403


# --- The forms ---


def assign_select(response, name: str) -> str:
    return re.search(rf'<select name="{name}"[^>]*>.*?</select>', response.content.decode(), re.S).group(0)


def test_assign_form_carries_only_the_current_assignee_and_team(teammate_client, teammate):
    TeammateFactory.create_batch(5)
    billing = TeamFactory(name="Billing")
    TeamFactory(name="Logistics")
    conversation = ConversationFactory(assignee=teammate, team=billing)

    response = teammate_client.get(view_url(conversation=conversation), headers=htmx_target("main"))

    assignee = assign_select(response, "assignee")
    assert re.findall(r"<option[^>]*>([^<]*)</option>", assignee) == ["Unassigned", teammate.display_name]
    assert f'<option value="{teammate.pk}" selected>' in assignee
    assert f'data-picker="{reverse("inbox:teammate-options")}"' in assignee
    assert re.findall(r"<option[^>]*>([^<]*)</option>", assign_select(response, "team")) == ["No team", "Billing"]


def test_assign_takes_a_teammate_the_page_did_not_carry(teammate_client, conversation):
    someone = TeammateFactory()

    response = teammate_client.post(
        reverse("inbox:conversation-assign", args=[conversation.pk]), {"assignee": someone.pk}, headers=HTMX
    )

    conversation.refresh_from_db()
    assert response.status_code == 200
    assert conversation.assignee == someone
    assert f'<option value="{someone.pk}" selected>' in assign_select(response, "assignee")


@pytest.mark.parametrize("value", ["nobody", "99999999", str(2**64), "-1"])
def test_assign_refuses_an_id_no_picker_offers_in_the_form(teammate_client, conversation, value):
    response = teammate_client.post(
        reverse("inbox:conversation-assign", args=[conversation.pk]), {"assignee": value}, headers=HTMX
    )

    assert response.status_code == 422
    assert "Select a valid choice." in response.content.decode()
