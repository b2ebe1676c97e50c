from django.urls import path

from tickets import form_views, side_views, tracker_views, views

app_name = "tickets"
urlpatterns = [
    path("conversations/<int:conversation_id>/tickets/", side_views.conversation_tickets, name="conversation-tickets"),
    path("conversations/<int:conversation_id>/tickets/new/", side_views.create, name="create"),
    path(
        "conversations/<int:conversation_id>/tickets/<int:ticket_id>/snooze-until-moves/",
        side_views.snooze_until_moves,
        name="snooze-until-moves",
    ),
    path("conversations/<int:conversation_id>/ticket-forms/new/", form_views.ticket_form_new, name="ticket-form-new"),
    path("conversations/<int:conversation_id>/ticket-forms/", form_views.ticket_form_send, name="ticket-form-send"),
    path("conversations/<int:conversation_id>/customer-ticket/new/", form_views.convert_new, name="convert-new"),
    path("conversations/<int:conversation_id>/customer-ticket/", form_views.convert, name="convert"),
    path("conversations/<int:conversation_id>/trackers/new/", side_views.create_tracker, name="tracker-create"),
    path("conversations/<int:conversation_id>/trackers/", tracker_views.picker, name="tracker-picker"),
    path("conversations/<int:conversation_id>/trackers/link/", tracker_views.link, name="tracker-link"),
    path(
        "trackers/<int:ticket_id>/conversations/<int:conversation_id>/unlink/",
        tracker_views.unlink,
        name="tracker-unlink",
    ),
    path("trackers/<int:ticket_id>/links/", tracker_views.links, name="tracker-links"),
    path("trackers/<int:ticket_id>/reply/", tracker_views.reply, name="tracker-reply"),
    path(
        "trackers/<int:ticket_id>/reply/status/",
        tracker_views.reply_part,
        {"part": "status"},
        name="tracker-reply-status",
    ),
    path("trackers/<int:ticket_id>/reply/form/", tracker_views.reply_part, {"part": "form"}, name="tracker-reply-form"),
    path("tickets/<int:ticket_id>/pane/", views.pane, name="pane"),
    path("tickets/<int:ticket_id>/audit/", views.audit, name="audit"),
    path("tickets/<int:ticket_id>/deliveries/<int:part_id>/", views.delivery, name="delivery"),
    path("tickets/<int:ticket_id>/follow/", views.follow, name="follow"),
    path("tickets/<int:ticket_id>/share/preview/", views.share_preview, name="share-preview"),
    path("tickets/<int:ticket_id>/share/", views.share, name="share"),
    path("tickets/<int:ticket_id>/pane/part/", views.pane_part, name="pane-part"),
    path("tickets/<int:ticket_id>/notes/", views.note, name="note"),
    path("tickets/<int:ticket_id>/state/", views.state, name="state"),
    path("tickets/<int:ticket_id>/assign/", views.assign, name="assign"),
    path("tickets/<int:ticket_id>/attributes/", views.attributes, name="attributes"),
    path("ticket-attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("tickets/due-soon/", views.due_soon, name="due-soon"),
    path("tickets/<slug:view>/", views.ticket_list, name="list"),
    path("tickets/<slug:view>/<int:ticket_id>/", views.ticket, name="ticket"),
    path("t/<int:ticket_id>/", views.open_ticket, name="open"),
    path("c/<int:conversation_id>/", views.open_conversation, name="open-conversation"),
]
