"""The customer side of tickets ("messenger"): a contact's tickets and the ticket forms sent to them.

Beside `inbox.messenger`, behind the same signed-in contact (`contact_required`). Every read goes through a
selector scoped to the contact, so another contact's ticket, form or conversation is a 404 exactly like one
that does not exist; and every page is built from customer-facing fields only (DESIGN.md rule 6, section 4):
a shared back-office ticket renders through the same template, from the same fields, as a customer ticket.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.views.decorators.http import require_http_methods, require_safe

from helpdesk.errors import DomainError
from helpdesk.http import HtmxRequest, add_domain_error, domain_errors
from helpdesk.regions import renders
from inbox.messenger import answer_if_unchanged, contact_required
from inbox.selectors import get_contact
from tickets import actions, selectors
from tickets.actions import MAX_TITLE_LENGTH
from tickets.forms import AttributeFieldsMixin, TicketsForm
from tickets.models import TicketAttribute
from tickets.selectors import CustomerForm

TICKET = "messenger/ticket.html"
TICKETS = "messenger/tickets.html"
FORM = "messenger/form.html"
# What a browser posts besides the form's own fields.
POSTED_BY_THE_PAGE = {"csrfmiddlewaretoken"}


class CustomerTicketForm(AttributeFieldsMixin, TicketsForm):
    """A ticket form as the customer fills it: a title, details, and the type's customer-visible attributes,
    required where `required_for_customers`. Anything else posted (a type, a conversation, "share", an
    internal attribute) is refused as a whole: the form, not the request, says what the ticket is."""

    title = forms.CharField(
        max_length=MAX_TITLE_LENGTH,
        label="Title",
        help_text="A few words about your request, such as “Refund for order 1042”.",
    )
    description = forms.CharField(
        required=False, label="Details", widget=forms.Textarea(attrs={"rows": 4}), help_text="Optional."
    )

    def __init__(self, *args, attributes: list[TicketAttribute], **kwargs):
        kwargs.setdefault("auto_id", "ticket-form-%s")
        super().__init__(*args, **kwargs)
        self.add_attribute_fields(attributes, audience="customer")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if set(self.data) - set(self.fields) - POSTED_BY_THE_PAGE:
            raise forms.ValidationError(
                "This form was changed outside this page: it sent fields the form does not have. "
                "Reload the page and fill it in again.",
                code="unknown_fields",
            )
        return cleaned

    def action_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"title": data["title"], "description": data["description"], "attributes": self.attribute_values()}


def tickets_context(contact_id: int, version: str, conversation_id: int | None = None) -> dict:
    """The tickets and the forms to fill (of one conversation, or all the contact's), with their `version` read
    before them: a change landing between the reads then shows at the next poll instead of going unseen."""
    return {
        "tickets": selectors.list_customer_tickets(contact_id=contact_id, conversation_id=conversation_id),
        "forms": selectors.list_pending_forms(contact_id=contact_id, conversation_id=conversation_id),
        "tickets_version": version,
    }


@require_safe
@contact_required
@domain_errors
def ticket_list(request: HtmxRequest, contact_id: int) -> HttpResponse:
    """The contact's tickets (customer tickets and shared back-office tickets alike) and the forms to fill. They
    poll themselves (`?v=`, 204 while nothing they show changed)."""
    version = selectors.get_customer_tickets_version(contact_id=contact_id)
    if request.htmx.target == "customer-tickets":
        if unchanged := answer_if_unchanged(request, version):
            return unchanged
        return render(request, f"{TICKETS}#customer-tickets", tickets_context(contact_id, version))
    context = tickets_context(contact_id, version) | {"contact": get_contact(contact_id=contact_id)}
    return render(request, TICKETS, context)


@require_safe
@contact_required
@domain_errors
def ticket(request: HtmxRequest, contact_id: int, ticket_id: int) -> HttpResponse:
    """One of the contact's tickets: title, customer-visible attributes, customer-facing state and its history.
    The state part polls itself (`?v=`, 204 while its label and history are unchanged), so a state change
    shows without a reload."""
    version = selectors.get_customer_ticket_status_version(contact_id=contact_id, ticket_id=ticket_id)
    if request.htmx.target == "ticket-status" and (unchanged := answer_if_unchanged(request, version)):
        return unchanged
    context = {
        "ticket": selectors.get_customer_ticket(contact_id=contact_id, ticket_id=ticket_id),
        "status_version": version,
    }
    if request.htmx.target == "ticket-status":
        return render(request, f"{TICKET}#ticket-status", context)
    context |= {
        "contact": get_contact(contact_id=contact_id),
        "conversation_id": selectors.get_customer_ticket_conversation_id(contact_id=contact_id, ticket_id=ticket_id),
    }
    return render(request, TICKET, context)


@require_safe
@contact_required
@domain_errors
def conversation_tickets(request: HtmxRequest, contact_id: int, conversation_id: int) -> HttpResponse:
    """The forms to fill and the tickets of one of the contact's conversations, polled by its page with their version
    `v` (204 while nothing they show changed)."""
    version = selectors.get_customer_tickets_version(contact_id=contact_id, conversation_id=conversation_id)
    if unchanged := answer_if_unchanged(request, version):
        return unchanged
    context = tickets_context(contact_id, version, conversation_id)
    return render(request, f"{TICKETS}#conversation-tickets", context | {"conversation_id": conversation_id})


@renders("messenger-conversation-tickets")
def conversation_tickets_region(request: HtmxRequest, *, contact_id: int, conversation_id: int) -> SafeString:
    """The forms and tickets of one of the contact's conversations, in its page's own response."""
    version = selectors.get_customer_tickets_version(contact_id=contact_id, conversation_id=conversation_id)
    context = tickets_context(contact_id, version, conversation_id) | {"conversation_id": conversation_id}
    return render_to_string(f"{TICKETS}#conversation-tickets", context, request)


@require_http_methods(["GET", "HEAD", "POST"])
@contact_required
@domain_errors
def ticket_form(request: HtmxRequest, contact_id: int, form_id: int) -> HttpResponse:
    """A ticket form sent to the contact: GET shows it (a submitted one leads to its ticket), POST submits it."""
    sent = selectors.get_customer_form(contact_id=contact_id, form_id=form_id)
    if request.method == "POST":
        return submit_form(request, contact_id, sent)
    if sent.ticket_id:
        return redirect("messenger-tickets:ticket", sent.ticket_id)
    form = CustomerTicketForm(attributes=sent.attributes)
    return render_form(request, contact_id, sent, form)


def submit_form(request: HtmxRequest, contact_id: int, sent: CustomerForm) -> HttpResponse:
    """Create the ticket through `submit_ticket_form`; any refusal comes back in the form, with what was typed."""
    form = CustomerTicketForm(request.POST, attributes=sent.attributes)
    if form.is_valid():
        try:
            ticket = actions.submit_ticket_form(contact_id=contact_id, form_id=sent.id, **form.action_kwargs())
        except DomainError as error:
            add_domain_error(form, form.field_error(error))
        else:
            messages.success(request, f"Thank you, we received your request. It is ticket #{ticket.pk}.")
            return redirect("messenger-tickets:ticket", ticket.pk)
    form.focus_first_error()
    return render_form(request, contact_id, sent, form, status=422)


def render_form(
    request: HtmxRequest, contact_id: int, sent: CustomerForm, form: CustomerTicketForm, *, status: int = 200
) -> HttpResponse:
    context = {"contact": get_contact(contact_id=contact_id), "sent": sent, "form": form}
    return render(request, FORM, context, status=status)
