import mailbox

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print the mail `make run` sent (the maildir under var/mail), newest last."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--last", type=int, default=10, help="How many messages (default 10).")

    def handle(self, *args, last: int, **options) -> None:
        box = mailbox.Maildir(settings.MAIL_SINK_DIR, create=True)
        messages = sorted(box, key=lambda message: message.get_date())[-last:]
        if not messages:
            self.stdout.write(f"No mail sent yet ({settings.MAIL_SINK_DIR}).")
        for message in messages:
            self.stdout.write(message.as_string() + "\n" + "=" * 72)
