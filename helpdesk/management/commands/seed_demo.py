"""`manage.py seed_demo`: a believable workspace to try the help desk with; running it again changes nothing.

Configuration rows (teams, teammates, contacts, ticket types, attributes) are written directly; every
conversation and ticket change goes through `inbox.actions` and `tickets.actions`, and the follow-ups
they leave in the outbox (cross-posts, state events, un-snoozes) are applied on the spot, as a worker would.
"""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from helpdesk.management import demo_content as content
from helpdesk.management.demo_rule_stories import DemoSeeder
from inbox.messenger import messenger_url
from inbox.models import Contact, Conversation
from tickets.models import Ticket, TicketFormRequest


class Command(BaseCommand):
    help = "Create a demo workspace (teams, teammates, ticket types, conversations, tickets). Safe to run twice."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Seed even with DEBUG off (the demo logins share a known password)."
        )

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates logins with a known password; run it with DEBUG=1, or pass --force.")
        if Contact.objects.filter(external_id=content.MARKER_EXTERNAL_ID).exists():
            self.stdout.write("The demo workspace is already seeded; nothing changed.")
        else:
            started = time.monotonic()
            with transaction.atomic():
                DemoSeeder(real_now=timezone.now(), log=self.stdout.write).run()
            self.stdout.write(self.style.SUCCESS(f"Seeded the demo workspace in {time.monotonic() - started:.1f} s."))
        self.print_summary()
        self.print_logins()
        self.print_messenger_link()

    def print_summary(self) -> None:
        states = dict(Conversation.objects.values_list("state").annotate(n=Count("pk")).order_by())
        tickets = Ticket.objects.values_list("category").annotate(n=Count("pk")).order_by()
        self.stdout.write(
            f"Conversations: {sum(states.values())} ({', '.join(f'{n} {s}' for s, n in sorted(states.items()))}); "
            f"tickets: {', '.join(f'{n} {c}' for c, n in sorted(tickets))}, "
            f"{Ticket.objects.filter(is_shared=True).count()} shared with the customer."
        )

    def print_logins(self) -> None:
        self.stdout.write("\nDemo logins (inbox at /, Django admin at /admin/):")
        self.stdout.write(f"  {'username':<10} {'password':<15} role")
        for person in content.TEAMMATES:
            self.stdout.write(f"  {person.username:<10} {content.DEMO_PASSWORD:<15} {person.role}")

    def print_messenger_link(self) -> None:
        """The signed link of the demo customer who has a form to fill (a fresh one each run: links expire)."""
        form = (
            TicketFormRequest.objects.filter(conversation__contact__external_id__startswith="demo-contact-")
            .select_related("conversation__contact")
            .order_by("pk")
            .first()
        )
        if form is None:
            return
        contact = form.conversation.contact
        days = settings.MESSENGER_LINK_MAX_AGE.days
        self.stdout.write(f"\nThe customer side (messenger), as {contact.name}; the link is valid for {days} days:")
        self.stdout.write(f"  {messenger_url(contact)}")  # on SITE_URL: `make run`'s address, PORT included
