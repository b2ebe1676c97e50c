from django.urls import path

from inbox import embed

app_name = "messenger-embed"
urlpatterns = [
    path("", embed.open_messenger, name="open"),
    path("welcome/", embed.welcome, name="welcome"),
    path("welcome/start/", embed.start, name="start"),
    path("email/", embed.leave_email, name="email"),
]
