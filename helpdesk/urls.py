from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from helpdesk import live_views, palette_views, search_views, views
from helpdesk.api import mounted

urlpatterns = [
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Providers' inbound webhooks (e.g. /anymail/mailgun/inbound/), signature checked by django-anymail.
    path("anymail/", include("inbox.mail.webhooks")),
    path("api/v1/", mounted().urls),
    path("live/poll/", live_views.poll, name="live-poll"),
    path("live/stream/", live_views.stream, name="live-stream"),
    path("nav/", views.nav, name="nav"),
    path("search/", search_views.search, name="search"),
    path("palette/", palette_views.palette, name="palette"),
    path("messenger/tickets/", include("tickets.messenger_urls")),
    path("messenger/embed/", include("inbox.embed_urls")),
    path("messenger/", include("inbox.messenger_urls")),
    path("", include("tickets.urls")),
    path("", include("inbox.urls")),
]
