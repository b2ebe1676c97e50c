from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "inbox"
    verbose_name = "Inbox"

    def ready(self) -> None:
        from anymail.signals import inbound

        from inbox import (
            live,  # noqa: F401  (it says which live topics the inbox's events touch)
            notify,  # noqa: F401  (it tells teammates what the inbox's events mean for them)
            webhooks,  # noqa: F401  (it queues the webhook deliveries of the inbox's events)
        )
        from inbox.mail import handlers  # noqa: F401  (email in and out follow the inbox's events)
        from inbox.mail.webhooks import receive_from_provider

        inbound.connect(receive_from_provider, dispatch_uid="inbox.mail.webhooks")
