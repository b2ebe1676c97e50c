from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = "Tickets"

    def ready(self) -> None:
        from tickets import handlers  # noqa: F401  (its handlers subscribe to the events they follow up)
