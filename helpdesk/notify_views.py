"""The bell (helpdesk/notify.py): its count in every teammate page's top bar, its panel of the latest notifications,
the notifications page (all of them, paginated, and the email digest's setting), and marking them read."""

from django import forms
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from helpdesk.http import TeammateRequest, bad_query, domain_errors, teammate_required
from helpdesk.models import DigestFrequency
from helpdesk.notify import (
    KEYS,
    count_unread,
    get_digest_settings,
    list_notifications,
    mark_all_read,
    mark_read,
    set_email_digest,
)
from helpdesk.pagination import CURSOR_MAX_LENGTH, clean_page_link
from helpdesk.regions import render_region

PAGE = "notifications/notifications.html"


class NotificationListForm(forms.Form):
    unread = forms.BooleanField(required=False)
    after = forms.CharField(max_length=CURSOR_MAX_LENGTH, required=False)
    before = forms.CharField(max_length=CURSOR_MAX_LENGTH, required=False)

    def clean(self) -> dict:
        data = super().clean() or {}
        self.cursor = clean_page_link(self, keys=KEYS)
        return data


class DigestForm(forms.Form):
    email_digest = forms.ChoiceField(choices=DigestFrequency.choices, label="Email digest of unread notifications")


def bell_context(request: TeammateRequest) -> dict:
    return {"unread_count": count_unread(teammate=request.user)}


@require_safe
@teammate_required
def bell_count(request: TeammateRequest) -> HttpResponse:
    """The bell's count, fetched again when the teammate's notifications change (live topic notifications-<id>)."""
    return render(request, f"{PAGE}#bell-count", bell_context(request))


@require_safe
@teammate_required
def bell_panel(request: TeammateRequest) -> HttpResponse:
    """The bell's panel: the latest notifications, with a way to each and to the page of all of them."""
    return render_bell_panel(request)


def render_bell_panel(request: TeammateRequest) -> HttpResponse:
    page = list_notifications(teammate=request.user)
    return render(request, f"{PAGE}#bell-panel-body", {"page": page} | bell_context(request))


@require_safe
@teammate_required
def notifications(request: TeammateRequest) -> HttpResponse:
    form = NotificationListForm(request.GET)
    if not form.is_valid():
        return bad_query(request, form)
    unread_only = form.cleaned_data["unread"]
    page = list_notifications(teammate=request.user, unread_only=unread_only, cursor=form.cursor)
    digest = get_digest_settings(teammate=request.user)
    context = {
        "page": page,
        "unread_only": unread_only,
        "digest_form": DigestForm(initial={"email_digest": digest.email_digest}),
        "nav_current": "notifications",
        "nav": render_region("nav", request, current="notifications"),
    } | bell_context(request)
    return render(request, PAGE, context)


def back(request: TeammateRequest) -> HttpResponse:
    """After a change: the bell's panel again when it asked (htmx), else the page it was made from."""
    if request.htmx:
        return render_bell_panel(request)
    return redirect(reverse("notifications"))


@require_POST
@teammate_required
@domain_errors
def open_notification(request: TeammateRequest, notification_id: int) -> HttpResponse:
    """Mark it read and go where it points."""
    notification = mark_read(actor=request.user, notification_id=notification_id)
    return redirect(notification.url)


@require_POST
@teammate_required
@domain_errors
def read(request: TeammateRequest, notification_id: int) -> HttpResponse:
    mark_read(actor=request.user, notification_id=notification_id)
    return back(request)


@require_POST
@teammate_required
def read_all(request: TeammateRequest) -> HttpResponse:
    mark_all_read(actor=request.user)
    return back(request)


@require_POST
@teammate_required
def digest(request: TeammateRequest) -> HttpResponse:
    form = DigestForm(request.POST)
    if not form.is_valid():
        return bad_query(request, form)
    set_email_digest(actor=request.user, frequency=DigestFrequency(form.cleaned_data["email_digest"]))
    return redirect(reverse("notifications") + "?digest=saved")
