from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = "Tickets"

    def ready(self) -> None:
        from tickets import (  # noqa: F401  (they subscribe to the events they follow up)
            handlers,
            live,
            views,  # noqa: F401  (it renders the ticket side of the inbox page: helpdesk/regions.py)
        )
