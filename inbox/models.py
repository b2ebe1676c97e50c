import secrets
from typing import Any, cast

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage, storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.functional import LazyObject


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    # A team's name is internal (customer pages never show who works a conversation); this one is chosen to be seen.
    email_name = models.CharField(
        "name on emails",
        max_length=100,
        blank=True,
        default="",
        db_default="",
        help_text='The From name customers see on this team\'s emails (e.g. "Acme Billing"). Empty: the help '
        "desk's name (MAIL_FROM_NAME).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# Who works the inbox: an active account with staff status. Only they reach teammate pages
# (helpdesk.http.teammate_required), and only they may be given a conversation or a ticket.
WORKING = Q(is_active=True, is_staff=True)


class TeammateAccess(models.TextChoices):
    FULL = "full", "Full: the inbox and every ticket"
    # Need-to-know (tickets/access.py): their teams' tickets and, through each, its linked conversation, read-only.
    BACK_OFFICE = "back_office", "Back office only: their teams' tickets and the conversations linked to them"


class Teammate(AbstractUser):
    """A staff user of the help desk; contacts (customers) are never teammates."""

    teams = models.ManyToManyField(Team, blank=True, related_name="members")
    access = models.CharField(
        max_length=16,
        choices=TeammateAccess,
        default=TeammateAccess.FULL,
        db_default=TeammateAccess.FULL,
        help_text="Back office only: never the inbox; only their teams' tickets and, read-only, the conversations "
        "those tickets are linked to.",
    )

    class Meta:
        ordering = ["first_name", "last_name", "username"]
        constraints = [
            models.CheckConstraint(name="teammate_access_valid", condition=Q(access__in=TeammateAccess.values)),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def back_office_only(self) -> bool:
        return self.access == TeammateAccess.BACK_OFFICE

    @property
    def display_name(self) -> str:
        return str(self)

    @property
    def is_working(self) -> bool:
        """Whether the account works the inbox (WORKING): active, with staff status."""
        return self.is_active and self.is_staff


LEAD_PREFIX = "lead:"


class Contact(models.Model):
    """A customer. Reaches only customer-facing pages, identified by `external_id` and a verified hash."""

    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    external_id = models.CharField(max_length=100, unique=True)
    attributes = models.JSONField(
        default=dict,
        blank=True,
        help_text="Custom data about the contact (plan, country, ...), for workflow conditions.",
    )
    # Signed into every messenger link and kept in every messenger session of this contact: "Sign out everywhere"
    # moves it on, and every earlier link and open session stops working (inbox.messenger). A database default too,
    # so that the historical models of earlier migrations can still insert contacts.
    session_version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    # Set when mail to `email` bounced (inbox.mail): nothing more is sent there until the address changes. A database
    # default too, as for session_version, so that the historical models of earlier migrations can insert contacts.
    email_failing_since = models.DateTimeField(null=True, blank=True)
    email_failure = models.CharField(max_length=500, blank=True, default="", db_default="")
    # When a messenger page of this contact last asked the server for anything (a page, a live region's poll), to
    # SEEN_WRITE_EVERY: a teammate's messenger reply is emailed to a contact not seen for MESSENGER_AWAY_AFTER.
    last_seen_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A visitor of the website's messenger who never said who they are (inbox.embed): remembered by a signed cookie,
    # its external_id is LEAD_PREFIX and a random token, so that no website user id can ever name one.
    is_lead = models.BooleanField(default=False, db_default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="contact_lead_iff_lead_id",
                condition=Q(is_lead=True, external_id__startswith=LEAD_PREFIX)
                | (Q(is_lead=False) & ~Q(external_id__startswith=LEAD_PREFIX)),
            ),
        ]

    def __str__(self) -> str:
        name = self.name or self.email or self.external_id
        return f"{name} (lead)" if self.is_lead else name


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


def new_messenger_secret() -> str:
    return secrets.token_hex(32)


def parse_origins(text: str) -> list[str]:
    """The origins of `MessengerInstallation.allowed_origins`, one a line, as the browser sends them
    (scheme://host[:port], lower case, no path). Raises ValidationError naming the first bad line."""
    origins = []
    for line in text.splitlines():
        origin = line.strip().rstrip("/").lower()
        if not origin:
            continue
        scheme, _, rest = origin.partition("://")
        if scheme not in ("http", "https") or not rest or any(c in rest for c in "/?#@ *'\";,"):
            raise ValidationError(
                f"{line.strip()!r} is not an origin: write scheme://host[:port], e.g. https://example.com."
            )
        origins.append(origin)
    return origins


class MessengerInstallation(models.Model):
    """The messenger on the company's website (inbox.embed): one row (id 1), made by migration 0006, edited in the
    admin ("Messenger installation") so that an admin changes it without a deploy."""

    # Signs the website's user ids (HMAC-SHA256): known to the help desk and the website's backend only, never to a
    # customer. Rotated by an admin action (inbox.embed_actions.rotate_messenger_secret).
    secret = models.CharField(max_length=64, default=new_messenger_secret, editable=False)
    secret_rotated_at = models.DateTimeField(auto_now_add=True)
    allowed_origins = models.TextField(
        blank=True,
        help_text="The websites that may show the messenger, one origin a line (https://www.example.com). "
        "Any other page cannot frame it; empty: the messenger cannot be embedded anywhere.",
    )
    verification_enforced = models.BooleanField(
        default=True,
        help_text="Refuse a user id without its hash. Off: a visitor whose page sends no hash is an anonymous "
        "visitor (a lead), never the user the id names. A wrong hash is refused either way.",
    )
    issued_at_required = models.BooleanField(
        default=True,
        help_text="Require the hash to cover an issue time (user_id:issued_at), so that a copied snippet stops "
        "working after the maximum age. Off: the plain hash of the user id is accepted too, and never expires.",
    )
    issued_at_max_age = models.PositiveIntegerField(
        "maximum age of an issue time (seconds)",
        default=300,
        validators=[MinValueValidator(30), MaxValueValidator(3600)],
        help_text="How long a hash with an issue time stays valid: between 30 seconds and an hour.",
    )

    class Meta:
        verbose_name = verbose_name_plural = "messenger installation"
        constraints = [
            models.CheckConstraint(name="messenger_installation_singleton", condition=Q(id=1)),
            models.CheckConstraint(
                name="messenger_installation_max_age_range",
                condition=Q(issued_at_max_age__gte=30, issued_at_max_age__lte=3600),
            ),
        ]

    def __str__(self) -> str:
        return "Messenger installation"

    def clean(self) -> None:
        try:
            parse_origins(self.allowed_origins)
        except ValidationError as error:
            raise ValidationError({"allowed_origins": error.messages}) from error

    @property
    def origins(self) -> list[str]:
        """The allowed origins; a line saved before validation existed, if bad, allows nothing."""
        try:
            return parse_origins(self.allowed_origins)
        except ValidationError:
            return []


class CurrentAttachmentStorage(LazyObject):
    """STORAGES["attachments"] (settings.py), looked up at each use rather than once when the models load: a
    FileField calls its storage callable once, at import, and a settings override (the tests' temporary folder)
    would otherwise never reach the field. `storages` keeps one instance per alias, so each use is a dict lookup."""

    def __getattribute__(self, name: str) -> Any:
        if name == "_wrapped":
            return storages["attachments"]
        return super().__getattribute__(name)

    def _setup(self) -> None:
        pass  # nothing to make: `_wrapped` is looked up at each use

    def __deepcopy__(self, memo: dict[int, Any]) -> "CurrentAttachmentStorage":
        return self  # a copy would keep today's storage


ATTACHMENT_STORAGE = CurrentAttachmentStorage()


def attachment_storage() -> Storage:
    """Where attachments are kept (the storage of the attachment models' FileField, named in their migrations)."""
    return cast(Storage, ATTACHMENT_STORAGE)


class StoredAttachment(models.Model):
    """A file attached to a timeline entry, as inbox/attachments.py checked and stored it: its name made safe, its
    type read from its bytes (never the name's or the sender's claim). The stored file's name is random; the name
    shown is `name`. Rows are never changed once written."""

    file = models.FileField(storage=attachment_storage, max_length=255)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        """Shown as a thumbnail: only allowed images are ever stored with an image type (inbox.attachments)."""
        return self.content_type.startswith("image/")


class Attachment(StoredAttachment):
    """A file on a conversation part. It reaches a customer only with its part (a customer message or a reply of
    their own conversation: inbox.selectors.get_customer_attachment)."""

    part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="attachments")


# The email channel's models live with its code; imported here, where Django and the rest of the code look for them.
from inbox.mail.models import DeliveryStatus, InboundEmail, InboundStatus, OutboundEmail, OutboundKind  # noqa: E402, F401, I001
from inbox.saved_replies.models import SavedReply, SavedReplyKind, StateEffect  # noqa: E402, F401, I001
