import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from inbox.mail.smtp import smtp_server


class Command(BaseCommand):
    help = "Receive email over SMTP on SMTP_HOST:SMTP_PORT (127.0.0.1:2525): each message opens or continues a thread."

    def handle(self, *args, **options) -> None:
        server = smtp_server()
        server.start()
        self.stdout.write(f"== receiving email on smtp://{settings.SMTP_HOST}:{settings.SMTP_PORT}/")
        stopped = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopped.set())
        try:
            stopped.wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
