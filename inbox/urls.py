from django.urls import path

from inbox import views
from inbox.mail import views as mail_views
from inbox.saved_replies import views as saved_reply_views

app_name = "inbox"
urlpatterns = [
    path("", views.home, name="home"),
    path("inbox/<slug:view>/", views.inbox_page, name="view"),
    path("inbox/<slug:view>/<int:conversation_id>/", views.inbox_page, name="conversation"),
    path("conversations/<int:conversation_id>/header/", views.conversation_header, name="conversation-header"),
    path("conversations/<int:conversation_id>/timeline/", views.conversation_timeline, name="conversation-timeline"),
    path("conversations/<int:conversation_id>/context/", views.conversation_context, name="conversation-context"),
    path("conversations/<int:conversation_id>/contact-link/", views.contact_link, name="contact-link"),
    path("conversations/<int:conversation_id>/messages/", views.post_message, name="conversation-message"),
    path("conversations/<int:conversation_id>/assign/", views.assign, name="conversation-assign"),
    path("conversations/<int:conversation_id>/snooze/", views.snooze, name="conversation-snooze"),
    path("conversations/<int:conversation_id>/close/", views.close, name="conversation-close"),
    path("conversations/<int:conversation_id>/reopen/", views.reopen, name="conversation-reopen"),
    path(
        "conversations/<int:conversation_id>/emails/<int:outbound_email_id>/resend/",
        views.resend_email,
        name="email-resend",
    ),
    path("emails/<int:inbound_email_id>/raw/", mail_views.raw_email, name="email-raw"),
    path("attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("options/teammates/", views.teammate_options, name="teammate-options"),
    path("options/teams/", views.team_options, name="team-options"),
    path("options/mentions/", views.mention_options, name="mention-options"),
    path("saved-replies/", saved_reply_views.saved_replies, name="saved-replies"),
    path("saved-replies/options/", saved_reply_views.options, name="saved-reply-options"),
    path("saved-replies/<int:saved_reply_id>/", saved_reply_views.saved_reply, name="saved-reply"),
    path("saved-replies/<int:saved_reply_id>/render/", saved_reply_views.render_reply, name="saved-reply-render"),
    path("saved-replies/<int:saved_reply_id>/delete/", saved_reply_views.delete, name="saved-reply-delete"),
]
