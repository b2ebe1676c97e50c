"""The teammates' ways to give a customer a ticket from a conversation (rule 10): sending a ticket form, and turning
the conversation into a customer ticket. Each partial fills a disclosure of the conversation's actions bar."""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from helpdesk.errors import InvalidInput, RuleViolation
from helpdesk.http import TeammateRequest, add_domain_error, bad_query, domain_errors, teammate_required
from tickets import actions, selectors
from tickets.forms import (
    ConvertForm,
    CreateQueryForm,
    SendTicketFormForm,
    posted_type_id,
)

FORMS = "tickets/ticket_forms.html"


def send_form_context(conversation_id: int, form: SendTicketFormForm | None = None) -> dict:
    choices = selectors.list_form_type_choices(conversation_id=conversation_id)
    focus_type_id = next((choice.ticket_type.pk for choice in choices if not choice.refusal), None)
    context = {"conversation_id": conversation_id, "choices": choices, "focus_type_id": focus_type_id}
    return context | {"form": form or SendTicketFormForm()}


@require_safe
@teammate_required
@domain_errors
def ticket_form_new(request: TeammateRequest, conversation_id: int) -> HttpResponse:
    """The "Send ticket form" disclosure: the types rule 10 offers, those refused here disabled, with the reason."""
    return render(request, f"{FORMS}#send-form", send_form_context(conversation_id))


@require_POST
@teammate_required
@domain_errors
def ticket_form_send(request: TeammateRequest, conversation_id: int) -> HttpResponse:
    """Send the chosen type's form to the customer; the disclosure confirms it, and the timeline shows the event at
    the next live refresh. A type the action refuses here is a 422 with its reason, in the form."""
    form = SendTicketFormForm(request.POST)
    if form.is_valid():
        try:
            sent = actions.send_ticket_form(
                actor=request.user, conversation_id=conversation_id, ticket_type_id=form.cleaned_data["ticket_type"]
            )
        except (InvalidInput, RuleViolation) as error:
            add_domain_error(form, error)
        else:
            return render(request, f"{FORMS}#send-form", {"conversation_id": conversation_id, "sent": sent})
    return render(request, f"{FORMS}#send-form", send_form_context(conversation_id, form), status=422)


def convert_form(conversation_id: int, data=None, initial=None, ticket_type_id=None) -> tuple[ConvertForm, dict]:
    choices = selectors.get_convert_choices(conversation_id=conversation_id, ticket_type_id=ticket_type_id)
    initial = {"title": choices.subject} | (initial or {})
    type_url = reverse("tickets:convert-new", args=[conversation_id])
    form = ConvertForm(data, initial=initial, choices=choices, type_url=type_url)
    return form, {"form": form, "choices": choices, "conversation_id": conversation_id}


@require_safe
@teammate_required
@domain_errors
def convert_new(request: TeammateRequest, conversation_id: int) -> HttpResponse:
    """The "Convert to customer ticket" disclosure (`?ticket_type=` adds that type's attributes, keeping what
    was typed), or why this conversation cannot be converted."""
    query = CreateQueryForm(request.GET)
    if not query.is_valid():
        return bad_query(request, query)
    type_id = query.cleaned_data["ticket_type"]
    form, context = convert_form(conversation_id, initial=request.GET.dict(), ticket_type_id=type_id)
    form.fields["ticket_type"].widget.attrs["autofocus"] = True  # htmx focuses it once swapped in
    return render(request, f"{FORMS}#convert-form", context)


@require_POST
@teammate_required
@domain_errors
def convert(request: TeammateRequest, conversation_id: int) -> HttpResponse:
    """Turn the conversation into a customer ticket; the disclosure confirms it with a link. Bad input or a
    refusal re-renders the form with a 422."""
    form, context = convert_form(conversation_id, request.POST, ticket_type_id=posted_type_id(request.POST))
    if form.is_valid():
        try:
            ticket = actions.convert_to_customer_ticket(
                actor=request.user, conversation_id=conversation_id, **form.action_kwargs()
            )
        except (InvalidInput, RuleViolation) as error:
            add_domain_error(form, form.field_error(error))
        else:
            return render(request, f"{FORMS}#convert-form", {"conversation_id": conversation_id, "ticket": ticket})
    form.focus_first_error()
    return render(request, f"{FORMS}#convert-form", context, status=422)
