from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from helpdesk import live_views, notify_views, palette_views, search_views, views
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
    path("notifications/", notify_views.notifications, name="notifications"),
    path("notifications/count/", notify_views.bell_count, name="notification-count"),
    path("notifications/panel/", notify_views.bell_panel, name="notification-panel"),
    path("notifications/read/", notify_views.read_all, name="notifications-read"),
    path("notifications/digest/", notify_views.digest, name="notification-digest"),
    path("notifications/<int:notification_id>/open/", notify_views.open_notification, name="notification-open"),
    path("notifications/<int:notification_id>/read/", notify_views.read, name="notification-read"),
    path("search/", search_views.search, name="search"),
    path("palette/", palette_views.palette, name="palette"),
    path("messenger/tickets/", include("tickets.messenger_urls")),
    path("messenger/embed/", include("inbox.embed_urls")),
    path("messenger/", include("inbox.messenger_urls")),
    path("", include("tickets.urls")),
    path("", include("inbox.urls")),
]
