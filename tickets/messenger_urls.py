from django.urls import path

from tickets import messenger

app_name = "messenger-tickets"
urlpatterns = [
    path("", messenger.ticket_list, name="list"),
    path("<int:ticket_id>/", messenger.ticket, name="ticket"),
    path("forms/<int:form_id>/", messenger.ticket_form, name="form"),
    path("conversations/<int:conversation_id>/", messenger.conversation_tickets, name="conversation-tickets"),
]
