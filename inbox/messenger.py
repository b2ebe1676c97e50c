"""The customer side ("messenger"): a contact's own conversations, separate from the teammates' inbox.

A contact is identified by a signed, expiring link (`messenger_link`), never by a guessable id; opening
it puts the contact's id in the session under its own key, so a teammate's sign-in is never involved.
"""

from collections.abc import Callable
from functools import wraps

from django import forms
from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from helpdesk.errors import DomainError
from helpdesk.http import add_domain_error, domain_errors
from inbox import actions
from inbox.actions import MAX_BODY_LENGTH
from inbox.models import Contact
from inbox.selectors import (
    get_contact,
    get_contact_conversation,
    list_contact_conversations,
    list_customer_visible_parts,
)

SESSION_KEY = "messenger_contact_id"
SALT = "helpdesk.messenger.contact"


def messenger_link(contact: Contact) -> str:
    """The path that signs this contact in to the messenger; it expires after MESSENGER_LINK_MAX_AGE."""
    token = signing.dumps({"contact": contact.pk}, salt=SALT, compress=True)
    return reverse("messenger:enter", args=[token])


def contact_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Pass the signed-in contact's id to the view; without one, a 403 that says how to get in."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        contact_id = request.session.get(SESSION_KEY)
        if contact_id is None:
            return render(request, "messenger/signed_out.html", status=403)
        return view(request, contact_id, *args, **kwargs)

    return wrapper


class MessageForm(forms.Form):
    body = forms.CharField(max_length=MAX_BODY_LENGTH, label="Your message", widget=forms.Textarea(attrs={"rows": 4}))


class NewConversationForm(MessageForm):
    subject = forms.CharField(max_length=200, required=False, label="Subject (optional)")


@require_safe
def enter(request: HttpRequest, token: str) -> HttpResponse:
    """Open the messenger from a signed link."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.MESSENGER_LINK_MAX_AGE)
    except signing.SignatureExpired:
        return render(request, "messenger/signed_out.html", {"reason": "expired"}, status=403)
    except signing.BadSignature:
        return render(request, "messenger/signed_out.html", {"reason": "invalid"}, status=403)
    if not Contact.objects.filter(pk=data.get("contact")).exists():
        return render(request, "messenger/signed_out.html", {"reason": "invalid"}, status=403)
    request.session.cycle_key()
    request.session[SESSION_KEY] = data["contact"]
    return redirect("messenger:home")


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    return render(request, "messenger/signed_out.html", {"reason": "left"})


@require_safe
@contact_required
@domain_errors
def home(request: HttpRequest, contact_id: int) -> HttpResponse:
    context = {
        "contact": get_contact(contact_id=contact_id),
        "conversations": list_contact_conversations(contact_id=contact_id),
        "form": NewConversationForm(),
    }
    return render(request, "messenger/home.html", context)


@require_POST
@contact_required
@domain_errors
def start(request: HttpRequest, contact_id: int) -> HttpResponse:
    form = NewConversationForm(request.POST)
    if form.is_valid():
        try:
            conversation = actions.start_conversation(
                contact_id=contact_id, body=form.cleaned_data["body"], subject=form.cleaned_data["subject"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("messenger:conversation", conversation.pk)
    context = {
        "contact": get_contact(contact_id=contact_id),
        "conversations": list_contact_conversations(contact_id=contact_id),
        "form": form,
    }
    return render(request, "messenger/home.html", context, status=422)


def conversation_context(contact_id: int, conversation_id: int, form: MessageForm | None = None) -> dict:
    conversation = get_contact_conversation(contact_id=contact_id, conversation_id=conversation_id)
    return {
        "contact": get_contact(contact_id=contact_id),
        "conversation": conversation,
        "parts": list_customer_visible_parts(conversation_id=conversation.pk),
        "form": form or MessageForm(),
    }


@require_safe
@contact_required
@domain_errors
def conversation(request: HttpRequest, contact_id: int, conversation_id: int) -> HttpResponse:
    context = conversation_context(contact_id, conversation_id)
    if request.htmx.target == "messenger-thread":
        return render(request, "messenger/conversation.html#messenger-thread", context)
    return render(request, "messenger/conversation.html", context)


@require_POST
@contact_required
@domain_errors
def write(request: HttpRequest, contact_id: int, conversation_id: int) -> HttpResponse:
    """The contact writes in one of their conversations."""
    get_contact_conversation(contact_id=contact_id, conversation_id=conversation_id)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            actions.record_customer_message(conversation_id=conversation_id, body=form.cleaned_data["body"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("messenger:conversation", conversation_id)
    context = conversation_context(contact_id, conversation_id, form)
    return render(request, "messenger/conversation.html", context, status=422)
