from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = "Tickets"

    def ready(self) -> None:
        # handlers, live, notifications and notify subscribe to the events they follow up; messenger and side_views
        # render the regions of the inbox's pages that show tickets (helpdesk/regions.py); placeholders reads
        # {{ticket.…}} for the inbox's saved replies; webhooks queues the deliveries of its events.
        from tickets import handlers, live, messenger, notifications, notify, placeholders, side_views, webhooks  # noqa: F401
