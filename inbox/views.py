from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from inbox.selectors import list_recent_conversations

RECENT_CONVERSATIONS = 25


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Placeholder inbox: the most recently updated conversations (the real inbox views come later)."""
    conversations = list_recent_conversations(limit=RECENT_CONVERSATIONS)
    return render(request, "inbox/home.html", {"conversations": conversations})
