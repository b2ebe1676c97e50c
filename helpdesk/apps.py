from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    name = "helpdesk"
    verbose_name = "Help desk core"

    def ready(self) -> None:
        from helpdesk import (
            nav,  # noqa: F401  (it renders every teammate page's nav region)
            webhooks,  # noqa: F401  (it sends the deliveries the apps' webhook subscribers queue)
        )
