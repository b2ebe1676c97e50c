"""Parsing the ticket pages' input. The forms catch what a form can (types, choices, required fields);
the actions stay the judge of the rules, and their refusals are shown in the same form."""

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import QueryDict

from helpdesk.errors import DomainError, InvalidInput
from helpdesk.forms import AttachmentsField, choice_field, picker_field
from helpdesk.pagination import CURSOR_MAX_LENGTH, Cursor, clean_page_link
from inbox.actions import MAX_BODY_LENGTH
from inbox.forms import LiveVersionForm, option, team_picker, teammate_picker
from tickets.actions import MAX_TITLE_LENGTH
from tickets.attributes import Audience, form_field, form_initial, form_value
from tickets.models import OWNED_CATEGORIES, Ticket, TicketAttribute, TicketCategory, TicketState, TicketType
from tickets.selectors import (
    LINK_ORDER,
    ConvertChoices,
    TicketCreateChoices,
    TicketSort,
    TicketStatus,
    ticket_list_keys,
)

ATTRIBUTE_PREFIX = "attr_"


def posted_type_id(data: QueryDict) -> int | None:
    """The ticket type a posted form names, to build its attribute fields; anything but an id fails the form's type
    field, which says so."""
    value = data.get("ticket_type", "")
    return int(value) if value.isdecimal() and len(value) < 19 else None


class AttributeFieldsMixin:
    """Adds a field per custom attribute, named `attr_<key>` so a key never clashes with a built-in field."""

    fields: dict[str, forms.Field]

    attributes: dict[str, TicketAttribute]

    def add_attribute_fields(self, attributes: list[TicketAttribute], *, audience: Audience = "teammate") -> None:
        """A field per attribute, required as the audience must fill it (`required_to_create` for teammates)."""
        self.attributes = {attribute.key: attribute for attribute in attributes}
        for attribute in attributes:
            required = attribute.required_to_create if audience == "teammate" else attribute.required_for_customers
            self.fields[ATTRIBUTE_PREFIX + attribute.key] = form_field(attribute, required=required)

    def attribute_fields(self) -> list:
        return [self[name] for name in self.fields if name.startswith(ATTRIBUTE_PREFIX)]  # type: ignore[index]

    def attribute_values(self) -> dict[str, Any]:
        data = self.cleaned_data  # type: ignore[attr-defined]
        return {
            key: form_value(attribute, data[ATTRIBUTE_PREFIX + key])
            for key, attribute in self.attributes.items()
            if data.get(ATTRIBUTE_PREFIX + key) not in (None, "")
        }

    def field_error(self, error: DomainError) -> DomainError:
        """The action's error with attribute keys renamed to this form's field names."""
        if not isinstance(error, InvalidInput):
            return error
        renamed = {
            (ATTRIBUTE_PREFIX + key if ATTRIBUTE_PREFIX + key in self.fields else key): messages
            for key, messages in error.errors.items()
        }
        return InvalidInput(error.message, renamed)

    def focus_first_error(self) -> None:
        """Put the keyboard on the first field that needs fixing when the form comes back."""
        for name in self.fields:
            if name in self.errors:  # type: ignore[attr-defined]
                self.fields[name].widget.attrs.update({"autofocus": True, "data-focus-after-swap": ""})
                return


class TicketsForm(forms.Form):
    """Labels without Django's trailing colon, as the rest of the app writes them; required ones marked."""

    required_css_class = "required"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def default_team_label(ticket_type: TicketType | None) -> str:
    """The empty choice of a ticket form's team: the chosen type's default team, which the action fills in."""
    if ticket_type is not None and ticket_type.default_team is not None:
        return f"{ticket_type.default_team.name} (the type's team)"
    return "The type's team"


class TicketCreateForm(AttributeFieldsMixin, TicketsForm):
    """A new back-office ticket (with its sharing choice) or tracker ticket, made from a conversation."""

    ticket_type = forms.TypedChoiceField(coerce=int, label="Type")
    title = forms.CharField(max_length=MAX_TITLE_LENGTH)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    team = team_picker()
    assignee = teammate_picker()
    share = forms.BooleanField(required=False, label="Share with customer")

    def __init__(
        self,
        *args: Any,
        choices: TicketCreateChoices,
        share_refusal: str | None,
        type_url: str,
        **kwargs: Any,
    ) -> None:
        # Its own ids: the conversation's assign form beside it also has team and assignee fields.
        kwargs.setdefault("auto_id", "new-ticket-%s")
        super().__init__(*args, **kwargs)
        offer_types(choice_field(self, "ticket_type"), choices.ticket_types, type_url=type_url, target="#ticket-create")
        picker_field(self, "team").empty_label = default_team_label(choices.ticket_type)
        if not self.is_bound:  # a form shown again for another type keeps the team and assignee it had
            for name in ("team", "assignee"):
                picker_field(self, name).offer_id(self.initial.get(name))
        if choices.category == TicketCategory.TRACKER:
            del self.fields["share"]  # never shared
        elif share_refusal:
            # Not `disabled` in Django's sense: a forged "share" must still reach the action, which refuses it.
            self.fields["share"].widget.attrs["disabled"] = True
            self.fields["share"].help_text = share_refusal
        else:
            self.fields[
                "share"
            ].help_text = (
                "The customer will see its title, customer-visible attributes and state, like a customer ticket."
            )
        self.add_attribute_fields(choices.attributes)
        self.order_fields(["ticket_type", "title", "description"])

    def action_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "ticket_type_id": data["ticket_type"],
            "title": data["title"],
            "description": data["description"],
            "attributes": self.attribute_values(),
            "team_id": data["team"],
            "assignee_id": data["assignee"],
        } | ({"share": data["share"]} if "share" in self.fields else {})


CHOOSE_FORM = "Choose a ticket type from the list."


class SendTicketFormForm(TicketsForm):
    """The type of ticket form to send. Any id parses: `send_ticket_form` judges what rule 10 offers in this
    conversation and says why it refuses one, where a choice field would only say "not one of the choices"."""

    ticket_type = forms.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        error_messages={
            "required": "Choose the form to send.",
            "invalid": CHOOSE_FORM,
            "min_value": CHOOSE_FORM,
            "max_value": CHOOSE_FORM,
        },
    )


class ConvertForm(AttributeFieldsMixin, TicketsForm):
    """Turning a conversation into a customer ticket: a live customer type, the title (the subject, unless
    changed), a description and the chosen type's attributes, built as the create form builds them."""

    ticket_type = forms.TypedChoiceField(
        coerce=int, label="Type", error_messages={"invalid_choice": "Choose a customer ticket type from the list."}
    )
    title = forms.CharField(max_length=MAX_TITLE_LENGTH)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    team = team_picker()

    def __init__(self, *args: Any, choices: ConvertChoices, type_url: str, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "convert-%s")  # beside the conversation's and the ticket side's forms
        super().__init__(*args, **kwargs)
        offer_types(choice_field(self, "ticket_type"), choices.ticket_types, type_url=type_url, target="#convert-form")
        team = choices.ticket_type.default_team if choices.ticket_type else None
        picker_field(self, "team").empty_label = f"{team.name} (the type's team)" if team else "The conversation's team"
        if not self.is_bound:  # a form shown again for another type keeps the team it had
            picker_field(self, "team").offer_id(self.initial.get("team"))
        self.add_attribute_fields(choices.attributes)
        self.order_fields(["ticket_type", "title", "description"])

    def action_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "ticket_type_id": data["ticket_type"],
            "title": data["title"],
            "description": data["description"],
            "attributes": self.attribute_values(),
            "team_id": data["team"],
        }


class TicketEditForm(AttributeFieldsMixin, TicketsForm):
    title = forms.CharField(max_length=MAX_TITLE_LENGTH)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, attributes: list[TicketAttribute], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "ticket-edit-%s")
        super().__init__(*args, **kwargs)
        self.add_attribute_fields(attributes)


def edit_initial(ticket: Ticket, attributes: list[TicketAttribute]) -> dict[str, Any]:
    initial = {"title": ticket.title, "description": ticket.description}
    for attribute in attributes:
        if attribute.key in ticket.attributes:
            initial[ATTRIBUTE_PREFIX + attribute.key] = form_initial(attribute, ticket.attributes[attribute.key])
    return initial


class NoteForm(TicketsForm):
    # Not required here: a note may be files alone, which the action decides (inbox.actions.clean_body).
    body = forms.CharField(
        max_length=MAX_BODY_LENGTH,
        required=False,
        label="Internal note",
        widget=forms.Textarea(
            attrs={"rows": 3, "data-composer": "", "placeholder": "Write an internal note… (/ inserts a saved note)"}
        ),
    )
    # The two submit buttons share this name: "0" posts the note, "1" also cross-posts it (rule 7).
    cross_post = forms.TypedChoiceField(
        choices=[("0", "Post note"), ("1", "Post and cross-post")],
        coerce=lambda value: value == "1",
        required=False,
        empty_value=False,  # type: ignore[arg-type]  # django-stubs say `str | None`; Django takes any value
    )
    attachments = AttachmentsField()

    def __init__(self, *args: Any, focus: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "ticket-note-%s")
        super().__init__(*args, **kwargs)
        if focus:
            self.fields["body"].widget.attrs.update({"autofocus": True, "data-focus-after-swap": ""})


class StateForm(TicketsForm):
    state = forms.TypedChoiceField(coerce=int)

    def __init__(self, *args: Any, states: list[TicketState], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "ticket-%s")
        super().__init__(*args, **kwargs)
        choice_field(self, "state").choices = [(state.pk, state.internal_label) for state in states]


class AssignForm(TicketsForm):
    """The ticket's assignee and team; unbound, it shows the ticket's own."""

    assignee = teammate_picker()
    team = team_picker()

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "ticket-%s")
        super().__init__(*args, **kwargs)
        if ticket.category in OWNED_CATEGORIES:
            # Back-office and tracker tickets always belong to a team: "No team" is not offered (the action refuses it).
            picker_field(self, "team").empty_label = None
        if not self.is_bound:
            self.initial.update({"assignee": ticket.assignee_id, "team": ticket.team_id})
            picker_field(self, "assignee").offer(option(ticket.assignee))
            picker_field(self, "team").offer(option(ticket.team))


class TicketListFilterForm(TicketsForm):
    """The ticket list's filters, from the query string; anything else is a 400 with the message."""

    status = forms.ChoiceField(choices=TicketStatus.CHOICES, required=False)
    sort = forms.ChoiceField(choices=TicketSort.CHOICES, required=False)
    # A page link: the cursor of the row the page starts after, or ends before (helpdesk.pagination).
    after = forms.CharField(max_length=CURSOR_MAX_LENGTH, required=False)
    before = forms.CharField(max_length=CURSOR_MAX_LENGTH, required=False)
    cursor: Cursor | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "ticket-filter-%s")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "status" in data and "sort" in data:  # a cursor is read for its list's order
            status, sort = data["status"] or TicketStatus.OPEN, data["sort"] or TicketSort.NEWEST
            self.cursor = clean_page_link(self, keys=ticket_list_keys(status=status, sort=sort))
        return data

    def values(self) -> dict[str, Any]:
        """What the list selector takes."""
        data = self.cleaned_data
        return {
            "status": data["status"] or TicketStatus.OPEN,
            "sort": data["sort"] or TicketSort.NEWEST,
            "cursor": self.cursor,
        }

    def query_string(self, **changes: Any) -> str:
        """The filters as given (defaults left out), with `changes`; "" when there is nothing to say."""
        params = {name: value for name, value in self.cleaned_data.items() if value} | changes
        params = {name: value for name, value in params.items() if value}
        return "?" + urlencode(params) if params else ""


class SideQueryForm(forms.Form):
    """The ticket side's query string: which linked ticket is open, and the version of a live part."""

    ticket = forms.IntegerField(min_value=1, required=False)
    part = forms.ChoiceField(
        choices=[("", "The whole side"), ("switcher", "The switcher"), ("forms", "The ticket forms")], required=False
    )
    v = forms.CharField(max_length=64, required=False)


class PanePartQueryForm(LiveVersionForm):
    part = forms.ChoiceField(choices=[("header", "The header"), ("timeline", "The timeline")])


class CreateQueryForm(forms.Form):
    """The create and convert forms' query string: the type whose attributes to show."""

    ticket_type = forms.IntegerField(min_value=1, required=False)


def offer_types(field: forms.ChoiceField, ticket_types: list[TicketType], *, type_url: str, target: str) -> None:
    """The type select of a ticket form: choosing a type re-renders the form (`target`) with that type's
    attributes, keeping what was typed."""
    field.choices = [("", "Choose a type…")] + [(t.pk, str(t)) for t in ticket_types]
    field.widget.attrs.update(
        {
            "hx-get": type_url,
            "hx-trigger": "change",
            "hx-target": target,
            "hx-swap": "outerHTML",
            "hx-include": "closest form",
        }
    )


class TrackerSearchForm(forms.Form):
    """The tracker picker's search box: words of a tracker's title, or its number."""

    q = forms.CharField(max_length=200, required=False, label="Search open trackers")


class TrackerLinkForm(TicketsForm):
    tracker = forms.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        error_messages={"required": "Choose a tracker to link.", "invalid": "Choose a tracker from the list."},
    )


class TrackerReplyForm(TicketsForm):
    body = forms.CharField(
        max_length=MAX_BODY_LENGTH,
        label="Your reply to the customers",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "The issue is fixed: …"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "tracker-reply-%s")  # beside the conversation's composer
        super().__init__(*args, **kwargs)


class TrackerLinksQueryForm(LiveVersionForm):
    """A tracker's links list: a page link, and the version of the live list."""

    after = forms.CharField(max_length=CURSOR_MAX_LENGTH, required=False)
    before = forms.CharField(max_length=CURSOR_MAX_LENGTH, required=False)
    cursor: Cursor | None = None

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        self.cursor = clean_page_link(self, keys=LINK_ORDER)
        return data


class FollowForm(forms.Form):
    """Follow a ticket (1) or stop (0)."""

    follow = forms.BooleanField(required=False)
