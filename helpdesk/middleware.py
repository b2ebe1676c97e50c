"""Middleware of the whole site."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class PrivatePagesMiddleware:
    """`Cache-Control: max-age=0, no-cache, no-store, must-revalidate, private` on every response Django makes.

    Every page here is someone's: a teammate's inbox, tickets and admin, a customer's messenger, and the partials,
    204s and errors of each. A shared cache (a proxy, a CDN) must never hand one to someone else, and no browser
    may keep one on disk after sign-out; open pages follow their changes live, so nothing is gained by caching them.
    The sign-in page is included too (Django's LoginView already sends the same: it holds a CSRF token). Static files
    are not touched: WhiteNoise answers them before this middleware (it sits after WhiteNoise in MIDDLEWARE), with
    their own long-lived headers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
