"""The stories `seed_demo` plays: customers' conversations handled by the front office, and the stories that show
each rule of the back-office tickets at work (DESIGN.md section 3)."""

from datetime import timedelta

from helpdesk.management import demo_stories as stories
from helpdesk.management.demo_seeder import Seeder
from inbox import actions as inbox_actions
from inbox.models import Conversation
from tickets import actions as ticket_actions
from tickets.models import StateCategory


class DemoSeeder(Seeder):
    """The demo workspace: Seeder's configuration and steps, and the stories below."""

    def play_stories(self) -> None:
        finals = ["closed"] * 18 + ["today"] * 5 + ["tomorrow"] * 5 + ["open"] * 5
        self.rng.shuffle(finals)
        support = [self.people[name] for name in ("maya", "tom", "lucia")]
        for index, final in enumerate(finals):
            story = stories.STORIES[index % len(stories.STORIES)]
            agent = self.people["ben"] if story.team == "Billing" else support[index % len(support)]
            self.handled_story(story, agent, final)
        self.same_assignee_stays_snoozed()
        self.ticket_update_wakes_conversation()
        self.customer_reply_resumes_ticket()
        self.two_teams_at_once()
        self.outage()
        self.order_problem()
        for subject, body in stories.NEW_CONVERSATIONS:
            self.clock.at(self.real_now - timedelta(minutes=self.rng.uniform(5, 180)))
            self.start(subject, body)
        for team, subject, body in stories.TEAM_QUEUE:
            self.clock.at(self.real_now - timedelta(hours=self.rng.uniform(1, 6)))
            conversation, _ = self.start(subject, body)
            team_id = self.teams[team].pk  # an assignment rule (the system) routes it to the team's inbox
            self.act(inbox_actions.assign_conversation, None, conversation, assignee_id=None, team_id=team_id)
        self.form_to_fill()

    def same_assignee_stays_snoozed(self) -> None:
        """Rule 9: a note cross-posted into a snoozed conversation with the ticket's assignee leaves it snoozed."""
        ben, spec = self.people["ben"], stories.CANCELLED_ORDER_REFUND
        self.clock.at(self.real_now - timedelta(hours=26))
        conversation, ctx = self.start(
            "Charged for a cancelled order", "I cancelled order {order} within the hour but was charged €{amount}."
        )
        self.assign(ben, conversation, team="Billing")
        self.reply(ben, conversation, "I'll refund it myself, {first}.", ctx)
        ticket = self.open_ticket(ben, conversation, spec, ctx, assignee=ben)
        self.snooze(ben, conversation, "tomorrow")
        self.ticket_note(ben, ticket, *spec.notes[0])

    def ticket_update_wakes_conversation(self) -> None:
        """Rule 9: a ticket's state change cross-posted into a snoozed conversation wakes it."""
        maya, spec = self.people["maya"], stories.LOGIN_CHECK
        self.clock.at(self.real_now - timedelta(hours=30))
        conversation, ctx = self.start(
            "Suspicious login alert", "I got a 'new login from Lisbon' email. I've never been to Lisbon!"
        )
        self.assign(maya, conversation)
        self.reply(maya, conversation, "Our security team will check, {first}.", ctx)
        ticket = self.open_ticket(maya, conversation, spec, ctx)
        self.snooze(maya, conversation, "tomorrow")
        self.work_ticket(ticket, spec, ctx, resolve=False)

    def customer_reply_resumes_ticket(self) -> None:
        """A customer's reply moves the shared ticket that was waiting on them back to in progress."""
        tom, spec = self.people["tom"], stories.WRONG_ITEM_REFUND
        self.clock.at(self.real_now - timedelta(hours=40))
        conversation, ctx = self.start(
            "Wrong item in order {order}", "I ordered a desk lamp and received a toaster. Order {order}."
        )
        self.form_customer = conversation.contact
        self.assign(tom, conversation)
        self.reply(tom, conversation, "Oops! Billing will refund you, {first}.", ctx)
        ticket = self.open_ticket(tom, conversation, spec, ctx)
        self.work_ticket(ticket, spec, ctx, resolve=False)
        self.move(ticket, StateCategory.WAITING_ON_CUSTOMER, wait=(5, 20))
        self.reply(tom, conversation, "Could you send us a photo of the shipping label, {first}?", ctx)
        self.customer(conversation, "Here it is: label.jpg. It has my name but another address.", ctx)

    def two_teams_at_once(self) -> None:
        """Two back-office tickets on one conversation: a shared refund and a never-shared investigation."""
        lucia = self.people["lucia"]
        self.clock.at(self.real_now - timedelta(hours=50))
        conversation, ctx = self.start(
            "Unknown charges and a refund", "There are three charges I don't recognise, and I'm still owed a refund."
        )
        self.assign(lucia, conversation)
        self.reply(lucia, conversation, "I'm looping in two teams, {first}.", ctx)
        for spec in (stories.OUTSTANDING_REFUND, stories.UNKNOWN_CHARGES):
            self.work_ticket(self.open_ticket(lucia, conversation, spec, ctx), spec, ctx, resolve=False)
        self.snooze(lucia, conversation, "today")

    def outage(self) -> None:
        """One tracker ticket linked to the conversation of everybody who wrote about the outage."""
        raj = self.people["raj"]
        self.clock.at(self.real_now - timedelta(hours=3))
        agents = [self.people[name] for name in ("maya", "tom", "lucia")]
        conversations = []
        for agent, (subject, body) in zip(agents, stories.OUTAGE_CONVERSATIONS, strict=True):
            conversation, ctx = self.start(subject, body, wait=(1, 8))
            self.assign(agent, conversation, wait=(1, 5))
            self.reply(
                agent,
                conversation,
                "Sorry, {first}: checkout has a problem; our engineers are on it.",
                ctx,
                wait=(1, 5),
            )
            conversations.append((agent, conversation))
        tracker = self.act(
            ticket_actions.create_tracker_ticket,
            raj,
            ticket_type_id=self.types["Outage"].pk,
            title="Checkout returns 502 errors",
            attributes={"affected_service": "Checkout", "status_page": "https://status.example.com/checkout-502"},
            assignee_id=raj.pk,
            team_id=self.teams["Engineering"].pk,
            wait=(5, 15),
        )
        for agent, conversation in conversations:
            self.act(ticket_actions.link_to_tracker, agent, conversation, tracker_id=tracker.pk, wait=(1, 5))
        self.move(tracker, StateCategory.IN_PROGRESS, wait=(5, 15))
        self.ticket_note(raj, tracker, stories.OUTAGE_NOTE, True, wait=(10, 30))

    def order_problem(self) -> None:
        """A customer ticket, with a refund ticket linked to it that cannot be shared (rule 5)."""
        lucia, spec = self.people["lucia"], stories.BROKEN_LAMP_REFUND
        self.clock.at(self.real_now - timedelta(hours=45))
        contact, ctx = self.next_contact()
        ticket = self.act(
            ticket_actions.create_customer_ticket,
            lucia,
            ticket_type_id=self.types["Order problem"].pk,
            contact_id=contact.pk,
            title="Lamp arrived broken (order {order})".format(**ctx),
            description="Reported by phone; the customer follows this ticket in the messenger.",
            attributes={"order_number": ctx["order"], "item_arrived": "yes"},
            assignee_id=lucia.pk,
            team_id=self.teams["Support"].pk,
        )
        thread = Conversation.objects.get(pk=ticket.thread_id)
        self.customer(thread, "The box was crushed and the lamp base is snapped in two.", ctx, wait=(5, 30))
        body = "So sorry, {first}! You'll get a refund; our billing team is on it.".format(**ctx)
        self.act(ticket_actions.post_ticket_reply, lucia, ticket_id=ticket.pk, body=body, wait=(5, 30))
        self.move(ticket, StateCategory.IN_PROGRESS, actor=lucia)
        refund = self.open_ticket(lucia, None, spec, ctx, customer_ticket=ticket)
        self.work_ticket(refund, spec, ctx, resolve=False)

    def form_to_fill(self) -> None:
        """The customer of the wrong-item refund writes again, and gets the Refund request form to fill in the
        messenger (rule 10). Not in the conversation of the first refund: that one already has its shared ticket."""
        tom, contact = self.people["tom"], self.form_customer
        assert contact is not None, "customer_reply_resumes_ticket() picks the customer"
        ctx = {"first": contact.name.split()[0], "order": str(self.rng.randint(100_000, 999_999))}
        self.clock.at(self.real_now - timedelta(minutes=40))
        conversation = inbox_actions.start_conversation(
            contact_id=contact.pk,
            subject="Return of order {order}".format(**ctx),
            body="I sent order {order} back last week. When do I get my money back?".format(**ctx),
        )
        self.apply_pending_events()
        self.assign(tom, conversation, wait=(2, 10))
        self.act(
            ticket_actions.send_ticket_form,
            tom,
            conversation,
            ticket_type_id=self.types["Refund request"].pk,
            team_id=self.teams["Billing"].pk,
            wait=(1, 5),
        )
        body = "Sorry for the wait, {first}! Could you fill in the refund form I just sent you?"
        self.reply(tom, conversation, body, ctx, wait=(0, 1))
