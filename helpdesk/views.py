from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from helpdesk.http import TeammateRequest, teammate_required
from helpdesk.nav import NAV, nav_context


@require_safe
@teammate_required
def nav(request: TeammateRequest) -> HttpResponse:
    """The left-hand views with their counts, fetched again when a count changed while the tab was away (the page
    renders them in place, helpdesk/nav.py); `current` only marks which one is open."""
    current = request.GET.get("current", "")
    return render(request, NAV, nav_context(teammate=request.user, current=current, live_since=request.live_since))


def locked_out(
    request: TeammateRequest, response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """django-axes' answer to a sign-in refused for a lockout (AXES_LOCKOUT_CALLABLE): the login page again, with the
    reason and when to try again, as a 429. Nothing of the attempt is echoed back but the username."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    reason = (
        f"Too many failed sign-ins for this account or from this address. Try again in {minutes} minutes, "
        "or ask an admin to unlock it."
    )
    form = AuthenticationForm(request, initial={"username": (credentials or {}).get("username", "")})
    context = {"form": form, "locked_out": reason, "next": request.POST.get("next", "")}
    return render(request, "registration/login.html", context, status=429)
