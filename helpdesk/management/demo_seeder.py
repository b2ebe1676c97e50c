"""The demo workspace's writer (`manage.py seed_demo`): configuration written with the ORM, then every conversation
and ticket change through `inbox.actions` and `tickets.actions`, on a simulated clock, with the follow-ups they leave
in the outbox applied on the spot, as a worker would. The stories it plays are in demo_rule_stories."""

import random
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from unittest import mock

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import CommandError
from django.utils import timezone

from helpdesk import outbox
from helpdesk.management import demo_content as content
from helpdesk.management import demo_stories as stories
from helpdesk.models import ADMINS_GROUP
from inbox import actions as inbox_actions
from inbox.models import Contact, Conversation, SavedReply, Team, Teammate
from tickets import actions as ticket_actions
from tickets.models import StateCategory, TeamHours, Ticket, TicketAttribute, TicketState, TicketType

RANDOM_SEED = 20261125
AMOUNTS = ["19.90", "24.50", "49.00", "89.90", "129.00", "349.99"]
THANKS = ["Thanks a lot!", "Perfect, thank you.", "Great, that was quick!", "Thank you so much 🙏"]


class DemoClock:
    """Simulated time, so that timelines spread over days instead of one second.

    While installed it replaces `django.utils.timezone.now`, which `auto_now` fields and the actions read.
    Each reading moves a millisecond on, so timestamps stay strictly ordered; `at()` never sets it past
    `ceiling`, a little before the real now, so nothing is dated in the future.
    """

    def __init__(self, ceiling: datetime):
        self.ceiling = self.current = ceiling

    def at(self, moment: datetime) -> None:
        self.current = min(moment, self.ceiling)

    def now(self) -> datetime:
        self.current += timedelta(milliseconds=1)
        return self.current

    @contextmanager
    def installed(self) -> Iterator[None]:
        with mock.patch("django.utils.timezone.now", self.now):
            yield


class Seeder:
    """Writes the demo workspace; call `run()` inside a transaction so that a failure leaves nothing behind."""

    def __init__(self, *, real_now: datetime, log: Callable[[str], None]):
        self.real_now = real_now
        self.log = log
        self.rng = random.Random(RANDOM_SEED)
        self.clock = DemoClock(real_now - timedelta(minutes=2))
        self.teams: dict[str, Team] = {}
        self.people: dict[str, Teammate] = {}
        self.types: dict[str, TicketType] = {}
        self.states: dict[str, TicketState] = {}
        self.contacts: list[Contact] = []
        self.snoozes = 0
        self.form_customer: Contact | None = None

    def run(self) -> None:
        self.create_configuration()
        with self.clock.installed():
            self.create_contacts()
            self.play_stories()
        self.apply_pending_events()

    def play_stories(self) -> None:
        raise NotImplementedError("DemoSeeder (demo_rule_stories) plays the demo's stories.")

    # Configuration, written with the ORM.

    def create_configuration(self) -> None:
        for name in content.TEAMS:
            self.teams[name], _ = Team.objects.get_or_create(name=name)
        for name, (zone, weekdays, opens, closes) in content.TEAM_HOURS.items():
            hours = {"time_zone": zone, "weekdays": weekdays, "opens_at": opens, "closes_at": closes}
            TeamHours.objects.get_or_create(team=self.teams[name], defaults=hours)
        password = make_password(content.DEMO_PASSWORD)  # hashed once: hashing is slow on purpose
        for person in content.TEAMMATES:
            teammate, created = Teammate.objects.get_or_create(
                username=person.username,
                defaults={
                    "first_name": person.first_name,
                    "last_name": person.last_name,
                    "email": f"{person.username}@helpdesk.example",
                    "password": password,
                    "is_staff": True,
                    "is_superuser": person.superuser,
                    "access": person.access,
                },
            )
            if created:
                teammate.teams.set([self.teams[name] for name in person.teams])
                if person.superuser:  # the demo's admin is in the Admins group too, as a real admin would be
                    teammate.groups.add(Group.objects.get(name=ADMINS_GROUP))
            else:
                self.log(f"Teammate {person.username} already exists: kept as it is, with its own password.")
            self.people[person.username] = teammate
        for category in StateCategory:
            state = TicketState.objects.filter(category=category, archived=False).order_by("position", "pk").first()
            if state is None:
                raise CommandError(f"No live ticket state of category {category.label}; run the migrations first.")
            self.states[category] = state
        for spec in content.TICKET_TYPES:
            self.types[spec[0]] = self.create_ticket_type(*spec)
        for reply in content.SAVED_REPLIES:
            SavedReply.objects.get_or_create(
                name=reply.name,
                owner=self.people[reply.owner] if reply.owner else None,
                defaults={
                    "kind": reply.kind,
                    "body": reply.body,
                    "state_effect": reply.state_effect,
                    "assign_to_me": reply.assign_to_me,
                    "assign_team": self.teams[reply.assign_team] if reply.assign_team else None,
                },
            )

    def create_ticket_type(self, name, icon, category, policy, description, attributes) -> TicketType:
        first_action, resolution = content.TYPE_TARGETS.get(name, (None, None))
        ticket_type, created = TicketType.objects.get_or_create(
            name=name,
            defaults={
                "first_action_target": first_action,
                "resolution_target": resolution,
                "icon": icon,
                "category": category,
                "sharing_policy": policy,
                "description": description,
                "default_team": self.teams[content.TYPE_TEAMS[name]],
            },
        )
        if (ticket_type.category, ticket_type.sharing_policy) != (category, policy):
            raise CommandError(f"A ticket type “{name}” exists with another category or sharing policy.")
        if created:
            ticket_type.states.set(self.states.values())
        elif set(self.states.values()) - set(ticket_type.states.all()):
            raise CommandError(f"The ticket type “{name}” exists without the default states; the demo needs them.")
        for position, (key, label, kind, options, required, for_customers, customer_required) in enumerate(attributes):
            TicketAttribute.objects.get_or_create(
                ticket_type=ticket_type,
                key=key,
                defaults={
                    "name": label,
                    "kind": kind,
                    "options": options,
                    "required_to_create": required,
                    "visible_to_customers": for_customers,
                    "required_for_customers": customer_required,
                    "position": (position + 1) * 10,
                },
            )
        return ticket_type

    def create_contacts(self) -> None:
        last_names = content.LAST_NAMES[:]
        self.rng.shuffle(last_names)
        self.clock.at(self.real_now - timedelta(days=60))
        for number, (first, last) in enumerate(zip(content.FIRST_NAMES, last_names, strict=True), start=1):
            local_part = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore").decode()
            self.contacts.append(
                Contact.objects.create(
                    name=f"{first} {last}",
                    email=f"{local_part.replace(chr(39), '').lower()}@example.com",
                    external_id=f"demo-contact-{number:03d}",
                )
            )
            self.clock.at(self.clock.current + timedelta(hours=self.rng.uniform(2, 30)))
        assert self.contacts[0].external_id == content.MARKER_EXTERNAL_ID
        self.rng.shuffle(self.contacts)

    # The stories: every change through the domain actions.

    def handled_story(self, story: stories.Story, agent: Teammate, final: str) -> None:
        """A conversation a teammate picked up and answered, left open, snoozed or closed."""
        ago = {"closed": timedelta(days=self.rng.uniform(4, 14)), "open": timedelta(hours=self.rng.uniform(12, 36))}
        self.clock.at(self.real_now - ago.get(final, timedelta(hours=self.rng.uniform(20, 72))))
        conversation, ctx = self.start(story.subject, story.opening)
        if story.follow_up and self.rng.random() < 0.6:
            self.customer(conversation, story.follow_up, ctx, wait=(2, 15))
        self.assign(agent, conversation, team=story.team, wait=(5, 90))
        self.reply(agent, conversation, story.reply, ctx, wait=(1, 10))
        if story.note:
            self.act(inbox_actions.post_note, agent, conversation, body=story.note.format(**ctx), wait=(1, 5))
        if story.ticket:
            ticket = self.open_ticket(agent, conversation, story.ticket, ctx)
            self.work_ticket(ticket, story.ticket, ctx, resolve=final == "closed")
        if final == "closed":
            self.reply(agent, conversation, story.resolution, ctx, wait=(10, 120))
            if self.rng.random() < 0.5:
                self.customer(conversation, self.rng.choice(THANKS), ctx)
            self.act(inbox_actions.close_conversation, agent, conversation, wait=(1, 5))
        elif final == "open":
            self.customer(conversation, story.nudge, ctx, wait=(60, 240))
        else:
            self.snooze(agent, conversation, final)

    # Steps: each waits a little (simulated), calls one action and applies its follow-ups as a worker would.

    def act(
        self,
        action: Callable[..., Any],
        actor: Teammate | None,
        conversation: Conversation | None = None,
        *,
        wait: tuple[float, float] = (5, 60),
        **kwargs: Any,
    ) -> Any:
        self.clock.at(self.clock.current + timedelta(minutes=self.rng.uniform(*wait)))
        if conversation is not None:
            kwargs["conversation_id"] = conversation.pk
        result = action(actor=actor, **kwargs)
        self.apply_pending_events()
        return result

    def start(self, subject: str, body: str, *, wait: tuple[float, float] = (0, 0)) -> tuple[Conversation, dict]:
        contact, ctx = self.next_contact()
        self.clock.at(self.clock.current + timedelta(minutes=self.rng.uniform(*wait)))
        conversation = inbox_actions.start_conversation(
            contact_id=contact.pk, subject=subject.format(**ctx), body=body.format(**ctx)
        )
        self.apply_pending_events()
        return conversation, ctx

    def customer(
        self, conversation: Conversation, body: str, ctx: dict, *, wait: tuple[float, float] = (5, 60)
    ) -> None:
        self.clock.at(self.clock.current + timedelta(minutes=self.rng.uniform(*wait)))
        inbox_actions.record_customer_message(conversation_id=conversation.pk, body=body.format(**ctx))
        self.apply_pending_events()

    def reply(
        self, agent: Teammate, conversation: Conversation, body: str, ctx: dict, *, wait: tuple[float, float] = (5, 60)
    ) -> None:
        self.act(inbox_actions.post_reply, agent, conversation, body=body.format(**ctx), wait=wait)

    def assign(
        self, agent: Teammate, conversation: Conversation, *, team: str = "Support", wait: tuple[float, float] = (5, 60)
    ) -> None:
        """The teammate takes the conversation, in their team's inbox."""
        self.act(
            inbox_actions.assign_conversation,
            agent,
            conversation,
            assignee_id=agent.pk,
            team_id=self.teams[team].pk,
            wait=wait,
        )

    def snooze(self, agent: Teammate, conversation: Conversation, until: str) -> None:
        self.snoozes += 1
        self.act(inbox_actions.snooze_conversation, agent, conversation, until=self.snooze_until(until), wait=(1, 20))

    def open_ticket(
        self,
        agent: Teammate,
        conversation: Conversation | None,
        spec: stories.TicketSpec,
        ctx: dict,
        *,
        assignee: Teammate | None = None,
        customer_ticket: Ticket | None = None,
    ) -> Ticket:
        """The front-office teammate creates a back-office ticket for the team of `spec`."""
        assignee = assignee or self.people[content.BACK_OFFICE_LEADS[spec.team]]
        attributes = {key: value.format(**ctx) for key, value in spec.attributes.items()}
        if spec.type_name == "Bug report":
            attributes["affected_since"] = (self.clock.current - timedelta(days=2)).isoformat()
        return self.act(
            ticket_actions.create_back_office_ticket,
            agent,
            conversation,
            customer_ticket_id=customer_ticket.pk if customer_ticket else None,
            ticket_type_id=self.types[spec.type_name].pk,
            title=spec.title.format(**ctx),
            description=f"Opened from the customer's message: {conversation.subject}" if conversation else "",
            attributes=attributes,
            assignee_id=assignee.pk,
            team_id=self.teams[spec.team].pk,
            share=spec.share,
            wait=(2, 10),
        )

    def work_ticket(self, ticket: Ticket, spec: stories.TicketSpec, ctx: dict, *, resolve: bool) -> None:
        """The back-office assignee starts on the ticket with its first note, and with `resolve` finishes it."""
        self.move(ticket, StateCategory.IN_PROGRESS, wait=(20, 180))
        notes = [(body.format(**ctx), cross_post) for body, cross_post in spec.notes]
        assignee = ticket.assignee
        assert assignee is not None, "open_ticket() assigns every ticket"
        self.ticket_note(assignee, ticket, *notes[0])
        if resolve:
            for body, cross_post in notes[1:]:
                self.ticket_note(assignee, ticket, body, cross_post, wait=(60, 600))
            self.move(ticket, StateCategory.RESOLVED, wait=(5, 30))

    def move(
        self, ticket: Ticket, category: str, *, actor: Teammate | None = None, wait: tuple[float, float] = (5, 60)
    ) -> None:
        state_id = self.states[category].pk
        self.act(
            ticket_actions.change_ticket_state,
            actor or ticket.assignee,
            ticket_id=ticket.pk,
            state_id=state_id,
            wait=wait,
        )

    def ticket_note(
        self, actor: Teammate, ticket: Ticket, body: str, cross_post: bool, *, wait: tuple[float, float] = (10, 60)
    ) -> None:
        self.act(
            ticket_actions.post_ticket_note, actor, ticket_id=ticket.pk, body=body, cross_post=cross_post, wait=wait
        )

    def apply_pending_events(self) -> None:
        """Apply the outbox follow-ups now, and the follow-ups they record (they are also enqueued on commit; a second
        apply is a no-op)."""
        outbox.apply_with_follow_ups(outbox.pending_event_ids(older_than=timedelta(0)))
        if outbox.pending_event_ids(older_than=timedelta(0)):
            raise CommandError("Outbox events keep producing new events; giving up.")

    # Helpers.

    def next_contact(self) -> tuple[Contact, dict]:
        """The next contact, round-robin (some customers write more than once), and values for the story's text."""
        contact = self.contacts.pop(0)
        self.contacts.append(contact)
        ctx = {
            "first": contact.name.split()[0],
            "order": str(self.rng.randint(100_000, 999_999)),
            "amount": self.rng.choice(AMOUNTS),
        }
        return contact, ctx

    def snooze_until(self, when: str) -> datetime:
        local_now = timezone.localtime(self.real_now)
        if when == "today":
            end_of_day = local_now.replace(hour=23, minute=45, second=0, microsecond=0)
            later = local_now + timedelta(hours=2 + self.snoozes % 4)
            return max(min(later, end_of_day), local_now + timedelta(minutes=15))
        tomorrow = local_now.replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=1)
        return tomorrow + timedelta(minutes=30 * (self.snoozes % 6))
