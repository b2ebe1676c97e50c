"""Conversations, their timelines (parts), and the open counts the database keeps for the nav."""

from django.db import models
from django.db.models import Q

from inbox.models.people import Contact, Team, Teammate


class ConversationState(models.TextChoices):
    OPEN = "open", "Open"
    SNOOZED = "snoozed", "Snoozed"
    CLOSED = "closed", "Closed"


# The "waiting longest" list order after the view's own columns (inbox.selectors.ORDERINGS).
# An ascending index keeps NULLs last, as "waiting longest" sorts them (SQLite refuses NULLS LAST in an index).
WAITING_ORDER = ["state", "waiting_since", "updated_at", "id"]


class Channel(models.TextChoices):
    MESSENGER = "messenger", "Messenger"
    EMAIL = "email", "Email"


class Conversation(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="conversations")
    # Where the customer wrote in: an email conversation's replies are sent by email (inbox.mail).
    channel = models.CharField(max_length=16, choices=Channel, default=Channel.MESSENGER, db_default=Channel.MESSENGER)
    # The per-conversation reply address `reply+<token>@MAIL_DOMAIN`: how a customer's reply finds its conversation.
    reply_token = models.CharField(max_length=32, null=True, blank=True, unique=True, editable=False)
    subject = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=16, choices=ConversationState, default=ConversationState.OPEN)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    # Snoozed until this ticket (its number) moves: its state changes or it cross-posts (tickets.actions.snooze_until_
    # ticket_moves); `snoozed_until` is then the latest it sleeps. A number, not a foreign key: tickets build on the
    # inbox, not the other way round.
    wake_on_ticket_id = models.PositiveBigIntegerField(null=True, blank=True)
    assignee = models.ForeignKey(
        Teammate, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_conversations"
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="conversations")
    # When the customer's oldest unanswered message arrived; empty once a teammate has replied.
    waiting_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(name="conversation_state_valid", condition=Q(state__in=ConversationState.values)),
            models.CheckConstraint(
                name="conversation_snooze_iff_deadline",
                condition=Q(state=ConversationState.SNOOZED, snoozed_until__isnull=False)
                | (~Q(state=ConversationState.SNOOZED) & Q(snoozed_until__isnull=True)),
            ),
            models.CheckConstraint(
                name="conversation_wake_on_ticket_only_snoozed",
                condition=Q(wake_on_ticket_id__isnull=True) | Q(state=ConversationState.SNOOZED),
            ),
        ]
        indexes = [
            models.Index(fields=["state", "-updated_at"], name="conversation_state_idx"),
            # Search's walk over every state, newest first (helpdesk/search.py).
            models.Index(fields=["-updated_at", "-id"], name="conversation_updated_idx"),
            models.Index(fields=["assignee", "state", "-updated_at"], name="conversation_assignee_idx"),
            models.Index(fields=["team", "state", "-updated_at"], name="conversation_team_idx"),
            # "Waiting longest" first: without these, each view sorted all its open conversations
            # (about 65 ms at 1M conversations, bench/).
            models.Index(fields=WAITING_ORDER, name="conversation_waiting_idx"),
            models.Index(fields=["assignee", *WAITING_ORDER], name="conversation_assignee_wait_idx"),
            models.Index(fields=["team", *WAITING_ORDER], name="conversation_team_wait_idx"),
            models.Index(
                fields=["snoozed_until"], name="conversation_snoozed_idx", condition=Q(state=ConversationState.SNOOZED)
            ),
        ]

    def __str__(self) -> str:
        return f"Conversation #{self.pk}: {self.subject}" if self.subject else f"Conversation #{self.pk}"


class OwnerKind(models.TextChoices):
    TEAM = "team", "Team"
    ASSIGNEE = "assignee", "Assignee"


class OwnerCount(models.Model):
    """A counter row kept by database triggers (helpdesk/counters.py): rows of the counted table owned by one
    team or one teammate (owner 0: no team / unassigned), one of SLOTS rows whose totals add up."""

    owner_kind = models.CharField(max_length=8, choices=OwnerKind)
    owner_id = models.BigIntegerField()
    slot = models.SmallIntegerField()
    total = models.IntegerField()

    class Meta:
        abstract = True


class ConversationCount(OwnerCount):
    """Conversations per team and per assignee in each state (migration 0004), read by the nav."""

    state = models.CharField(max_length=16, choices=ConversationState)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner_kind", "owner_id", "state", "slot"], name="conversation_count_key")
        ]

    def __str__(self) -> str:
        return f"{self.owner_kind} {self.owner_id}: {self.total} {self.state} (slot {self.slot})"


class PartKind(models.TextChoices):
    CUSTOMER_MESSAGE = "customer_message", "Customer message"
    REPLY = "reply", "Reply"
    NOTE = "note", "Internal note"
    EVENT = "event", "Event"
    CROSS_POST = "cross_post", "Cross-posted note"


CUSTOMER_VISIBLE_PART_KINDS = (PartKind.CUSTOMER_MESSAGE, PartKind.REPLY)


class Part(models.Model):
    """One entry of a conversation's timeline. Only customer messages and replies reach a customer."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="parts")
    kind = models.CharField(max_length=20, choices=PartKind)
    body = models.TextField(blank=True)
    author = models.ForeignKey(Teammate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # For events: what happened ("assigned", "snoozed", "ticket_state_changed", ...) and its details;
    # for cross-posts: the ticket it came from.
    event_type = models.CharField(max_length=40, blank=True)
    data = models.JSONField(default=dict, blank=True)
    # Set by asynchronous deliveries: a redelivered task finds its part already there.
    source_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    # The email's Message-ID (a customer's mail, or the mail that carried a reply): how replies thread (inbox.mail).
    email_message_id = models.CharField(max_length=998, blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(name="part_kind_valid", condition=Q(kind__in=PartKind.values)),
            models.CheckConstraint(name="part_event_has_type", condition=~Q(kind=PartKind.EVENT) | ~Q(event_type="")),
        ]
        indexes = [
            models.Index(fields=["conversation", "created_at"], name="part_timeline_idx"),
            models.Index(fields=["email_message_id"], name="part_email_idx", condition=~Q(email_message_id="")),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} in #{self.conversation_id}"

    @property
    def is_customer_visible(self) -> bool:
        return self.kind in CUSTOMER_VISIBLE_PART_KINDS
