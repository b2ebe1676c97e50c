from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from django_htmx.http import trigger_client_event

from helpdesk.http import latest_event_id
from inbox.selectors import list_inbox_nav
from tickets.selectors import list_ticket_nav


@require_safe
@login_required
def live(request: HttpRequest) -> HttpResponse:
    """Polled every second: 204 while nothing changed, else the poller with the new version and a
    `workspace-changed` event, on which each open pane fetches itself again."""
    version = latest_event_id()
    if request.GET.get("v") == str(version):
        return HttpResponse(status=204)
    response = render(request, "components/live.html", {"live_version": version})
    return trigger_client_event(response, "workspace-changed")


@require_safe
@login_required
def nav(request: HttpRequest) -> HttpResponse:
    """The left-hand views with their counts; `current` only marks which one is open."""
    inbox_views, team_views = list_inbox_nav(teammate=request.user)
    context = {
        "inbox_views": inbox_views,
        "team_views": team_views,
        "ticket_views": list_ticket_nav(teammate=request.user),
        "current": request.GET.get("current", ""),
    }
    return render(request, "components/nav.html", context)
