from django.urls import path

from inbox import messenger

app_name = "messenger"
urlpatterns = [
    path("", messenger.home, name="home"),
    path("enter/<str:token>/", messenger.enter, name="enter"),
    path("leave/", messenger.leave, name="leave"),
    path("conversations/new/", messenger.start, name="start"),
    path("conversations/<int:conversation_id>/", messenger.conversation, name="conversation"),
    path("conversations/<int:conversation_id>/messages/", messenger.write, name="write"),
    path("attachments/<int:attachment_id>/", messenger.attachment, name="attachment"),
]
