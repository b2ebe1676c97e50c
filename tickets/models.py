from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from helpdesk.icons import TicketIcon
from inbox.models import Conversation, OwnerCount, Part, StoredAttachment, Team, Teammate


class TicketCategory(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    BACK_OFFICE = "back_office", "Back-office"
    TRACKER = "tracker", "Tracker"


class SharingPolicy(models.TextChoices):
    NEVER = "never", "Never shared with the customer"
    OPTIONAL = "optional", "Teammate chooses at creation"
    ALWAYS = "always", "Always customer-visible"


class StateCategory(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    IN_PROGRESS = "in_progress", "In progress"
    WAITING_ON_CUSTOMER = "waiting_on_customer", "Waiting on customer"
    RESOLVED = "resolved", "Resolved"


class TicketState(models.Model):
    internal_label = models.CharField(max_length=80, unique=True)
    customer_label = models.CharField(max_length=80)
    category = models.CharField(max_length=24, choices=StateCategory)
    position = models.PositiveSmallIntegerField(default=0)
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(name="ticket_state_category_valid", condition=Q(category__in=StateCategory.values)),
        ]

    def __str__(self) -> str:
        return self.internal_label


# Which sharing policies each category of ticket type may have (rule 3: customer types are always
# customer-visible, tracker types never, back-office types never or optional).
POLICIES_BY_CATEGORY = {
    TicketCategory.CUSTOMER: [SharingPolicy.ALWAYS],
    TicketCategory.BACK_OFFICE: [SharingPolicy.NEVER, SharingPolicy.OPTIONAL],
    TicketCategory.TRACKER: [SharingPolicy.NEVER],
}


# Trackers and back-office tickets always belong to a team: nobody would see one without.
OWNED_CATEGORIES = [TicketCategory.BACK_OFFICE, TicketCategory.TRACKER]


class TicketType(models.Model):
    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    icon = models.CharField(max_length=32, choices=TicketIcon, default=TicketIcon.TICKET)
    category = models.CharField(max_length=16, choices=TicketCategory)
    sharing_policy = models.CharField(max_length=16, choices=SharingPolicy)
    default_team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="New tickets of this type go to this team unless the teammate or workflow chooses another. "
        "Required for back-office and tracker types.",
    )
    states = models.ManyToManyField(TicketState, related_name="ticket_types")
    # Response targets (tickets/targets.py), counted in the ticket's team's business hours, paused while waiting on
    # the customer. Back-office types only; empty: no target.
    first_action_target = models.DurationField(
        null=True,
        blank=True,
        help_text="How soon the team should first act on a new ticket (a note or a state change), in business hours: "
        "e.g. 4:00:00 for four hours. Empty: no target.",
    )
    resolution_target = models.DurationField(
        null=True,
        blank=True,
        help_text="How soon a ticket should be resolved, in business hours: e.g. 2 days, 0:00:00 for two "
        "(24-hour) days of business time. Empty: no target.",
    )
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="ticket_type_policy_fits_category",
                condition=Q(category=TicketCategory.CUSTOMER, sharing_policy=SharingPolicy.ALWAYS)
                | Q(
                    category=TicketCategory.BACK_OFFICE,
                    sharing_policy__in=[SharingPolicy.NEVER, SharingPolicy.OPTIONAL],
                )
                | Q(category=TicketCategory.TRACKER, sharing_policy=SharingPolicy.NEVER),
            ),
            models.CheckConstraint(
                name="ticket_type_owned_has_default_team",
                condition=~Q(category__in=OWNED_CATEGORIES) | Q(default_team__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AttributeKind(models.TextChoices):
    TEXT = "text", "Text (single line)"
    MULTILINE_TEXT = "multiline_text", "Text (multi-line)"
    INTEGER = "integer", "Integer"
    DECIMAL = "decimal", "Decimal"
    BOOLEAN = "boolean", "Yes / no"
    DATETIME = "datetime", "Date and time"
    LIST = "list", "List of options"


class TicketAttribute(models.Model):
    """A custom attribute of a ticket type; title and description are built into every ticket."""

    ticket_type = models.ForeignKey(TicketType, on_delete=models.PROTECT, related_name="attributes")
    key = models.SlugField(max_length=60, help_text="Stable identifier used in forms and the API.")
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=16, choices=AttributeKind)
    options = models.JSONField(default=list, blank=True, help_text="For lists: the options, one string each.")
    required_to_create = models.BooleanField(default=False, help_text="Teammates must fill it to create.")
    visible_on_create = models.BooleanField(default=True)
    visible_to_customers = models.BooleanField(default=False)
    required_for_customers = models.BooleanField(default=False)
    required_to_resolve = models.BooleanField(
        default=False,
        db_default=False,
        help_text="Must be filled to move the ticket to a resolved state; then sent to the linked conversation as "
        "the resolution card.",
    )
    archived = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["ticket_type", "key"], name="ticket_attribute_key_unique"),
            models.CheckConstraint(name="ticket_attribute_kind_valid", condition=Q(kind__in=AttributeKind.values)),
            models.CheckConstraint(
                name="ticket_attribute_required_is_visible",
                condition=Q(required_to_create=False) | Q(visible_on_create=True),
            ),
            models.CheckConstraint(
                name="ticket_attribute_customer_required_is_visible",
                condition=Q(required_for_customers=False) | Q(visible_to_customers=True),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Ticket(models.Model):
    """A ticket; its pk is the human number (#123).

    A customer ticket owns its customer thread (`thread`, a conversation). A back-office ticket is
    linked to exactly one conversation or customer ticket. A tracker links many through TrackerLink.
    `category` and `sharing_policy` are copied from the type at creation so the database can hold
    the sharing rules; a type's category and policy are read-only once it has tickets.
    """

    ticket_type = models.ForeignKey(TicketType, on_delete=models.PROTECT, related_name="tickets")
    category = models.CharField(max_length=16, choices=TicketCategory)
    sharing_policy = models.CharField(max_length=16, choices=SharingPolicy)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    state = models.ForeignKey(TicketState, on_delete=models.PROTECT, related_name="tickets")
    assignee = models.ForeignKey(
        Teammate, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_tickets"
    )
    # PROTECT: a team with tickets is not deleted under them (back-office and tracker tickets need one).
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets")
    created_by = models.ForeignKey(Teammate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    thread = models.OneToOneField(
        Conversation, null=True, blank=True, on_delete=models.PROTECT, related_name="customer_ticket"
    )
    linked_conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.PROTECT, related_name="back_office_tickets"
    )
    linked_ticket = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="back_office_tickets"
    )
    is_shared = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(name="ticket_category_valid", condition=Q(category__in=TicketCategory.values)),
            models.CheckConstraint(
                name="ticket_customer_iff_thread",
                condition=Q(category=TicketCategory.CUSTOMER, thread__isnull=False)
                | (~Q(category=TicketCategory.CUSTOMER) & Q(thread__isnull=True)),
            ),
            # Rule 2: a back-office ticket is linked to exactly one conversation or customer ticket;
            # other tickets have neither link.
            models.CheckConstraint(
                name="ticket_back_office_linked_once",
                condition=Q(
                    category=TicketCategory.BACK_OFFICE, linked_conversation__isnull=False, linked_ticket__isnull=True
                )
                | Q(category=TicketCategory.BACK_OFFICE, linked_conversation__isnull=True, linked_ticket__isnull=False)
                | (
                    ~Q(category=TicketCategory.BACK_OFFICE)
                    & Q(linked_conversation__isnull=True, linked_ticket__isnull=True)
                ),
            ),
            # Rules 3 and 5: only a back-office ticket of an `optional` type, linked to a conversation
            # (not to a customer ticket), can be shared.
            models.CheckConstraint(
                name="ticket_shared_only_when_allowed",
                condition=Q(is_shared=False)
                | Q(
                    category=TicketCategory.BACK_OFFICE,
                    sharing_policy=SharingPolicy.OPTIONAL,
                    linked_conversation__isnull=False,
                ),
            ),
            # Rule 4: at most one shared back-office ticket per conversation.
            models.UniqueConstraint(
                fields=["linked_conversation"], condition=Q(is_shared=True), name="ticket_one_shared_per_conversation"
            ),
            models.CheckConstraint(name="ticket_not_linked_to_itself", condition=~Q(linked_ticket=F("pk"))),
            models.CheckConstraint(
                name="ticket_owned_has_team", condition=~Q(category__in=OWNED_CATEGORIES) | Q(team__isnull=False)
            ),
        ]
        # The ticket views' orders (newest or oldest updated, then the pk) after each view's own column.
        indexes = [
            models.Index(fields=["assignee", "-updated_at", "-id"], name="ticket_assignee_updated_idx"),
            models.Index(fields=["team", "-updated_at", "-id"], name="ticket_team_updated_idx"),
            models.Index(fields=["category", "-updated_at", "-id"], name="ticket_category_updated_idx"),
            models.Index(fields=["-updated_at", "-id"], name="ticket_updated_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def number(self) -> int:
        return self.pk

    @property
    def is_back_office(self) -> bool:
        return self.category == TicketCategory.BACK_OFFICE


def validate_time_zone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"“{name}” is not a time zone: use a name such as Europe/Paris or UTC.") from None


class TeamHours(models.Model):
    """A team's business hours: the response targets of its tickets count only these (a team without them: every
    hour counts)."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, primary_key=True, related_name="business_hours")
    time_zone = models.CharField(
        max_length=64, default="UTC", validators=[validate_time_zone], help_text="e.g. Europe/Paris, America/New_York."
    )
    weekdays = models.CharField(
        max_length=7,
        default="12345",
        help_text="The days it works, as ISO weekday digits: 1 Monday … 7 Sunday (e.g. 12345 for Monday to Friday).",
    )
    opens_at = models.TimeField(default=time(9))
    closes_at = models.TimeField(default=time(17))

    class Meta:
        verbose_name = "business hours"
        verbose_name_plural = "business hours"
        constraints = [
            models.CheckConstraint(name="team_hours_open_before_close", condition=Q(opens_at__lt=F("closes_at"))),
            models.CheckConstraint(name="team_hours_weekdays_valid", condition=Q(weekdays__regex=r"^[1-7]{1,7}$")),
        ]

    def __str__(self) -> str:
        return f"{self.team}: {self.opens_at:%H:%M}-{self.closes_at:%H:%M} on {self.weekdays} ({self.time_zone})"


class TargetKind(models.TextChoices):
    FIRST_ACTION = "first_action", "First action"
    RESOLUTION = "resolution", "Resolution"


class ResponseTarget(models.Model):
    """One response target of one ticket (tickets/targets.py): when it is due, and whether it was met or missed.
    While the ticket waits on the customer it is paused, and its due time moves on by the pause when it resumes."""

    ticket = models.ForeignKey("Ticket", on_delete=models.CASCADE, related_name="targets")
    kind = models.CharField(max_length=16, choices=TargetKind)
    due_at = models.DateTimeField()
    paused_at = models.DateTimeField(null=True, blank=True)
    met_at = models.DateTimeField(null=True, blank=True)
    missed_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)  # when its assignee was told it is due soon

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "kind"], name="response_target_once_per_kind"),
            models.CheckConstraint(name="response_target_kind_valid", condition=Q(kind__in=TargetKind.values)),
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="response_target_running_idx",
                condition=Q(met_at__isnull=True, paused_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of #{self.ticket_id} due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def running(self) -> bool:
        return self.met_at is None and self.paused_at is None


class TicketFollower(models.Model):
    """A teammate who asked to hear of a ticket's state changes (helpdesk/notify.py), as its creator always does."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="followers")
    teammate = models.ForeignKey(Teammate, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "teammate"], name="ticket_follower_once")]

    def __str__(self) -> str:
        return f"{self.teammate_id} follows #{self.ticket_id}"


class TrackerLink(models.Model):
    """A tracker ticket's link to one conversation or one customer ticket."""

    tracker = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="tracker_links")
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.CASCADE, related_name="tracker_links"
    )
    customer_ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="tracked_by"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="tracker_link_exactly_one_target",
                condition=Q(conversation__isnull=False, customer_ticket__isnull=True)
                | Q(conversation__isnull=True, customer_ticket__isnull=False),
            ),
            models.UniqueConstraint(fields=["tracker", "conversation"], name="tracker_link_conversation_unique"),
            models.UniqueConstraint(fields=["tracker", "customer_ticket"], name="tracker_link_ticket_unique"),
        ]
        indexes = [models.Index(fields=["tracker", "-id"], name="tracker_link_list_idx")]

    def __str__(self) -> str:
        target = f"conversation #{self.conversation_id}" if self.conversation_id else f"#{self.customer_ticket_id}"
        return f"Tracker #{self.tracker_id} → {target}"

    @property
    def thread(self) -> Conversation:
        """The conversation the link reaches: the linked one, or the customer ticket's thread (select them)."""
        if self.conversation is not None:
            return self.conversation
        # tracker_link_exactly_one_target, then ticket_customer_iff_thread: a linked customer ticket has a thread
        assert self.customer_ticket is not None and self.customer_ticket.thread is not None
        return self.customer_ticket.thread


class TrackerReply(models.Model):
    """One customer-facing reply sent, once a tracker is resolved, to every conversation it links ("The outage is
    fixed"). Each linked conversation gets its copy through the outbox (TrackerReplyDelivery)."""

    tracker = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="tracker_replies")
    # The state change that resolved the tracker: one reply per resolution, whoever clicks at the same instant.
    resolution = models.OneToOneField("TicketPart", on_delete=models.PROTECT, related_name="tracker_reply")
    body = models.TextField()
    author = models.ForeignKey(Teammate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"Reply to the customers of tracker #{self.tracker_id}"


class TrackerReplyDelivery(models.Model):
    """A tracker reply's copy for one conversation; `part` is the reply it became, set when delivered."""

    reply = models.ForeignKey(TrackerReply, on_delete=models.CASCADE, related_name="deliveries")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    part = models.OneToOneField(Part, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["reply", "conversation"], name="tracker_reply_delivery_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.reply} in conversation #{self.conversation_id}"


class TicketPartKind(models.TextChoices):
    NOTE = "note", "Internal note"
    EVENT = "event", "Event"


class TicketCount(OwnerCount):
    """Tickets per team and per assignee by category and state (migration 0005), read by the nav."""

    category = models.CharField(max_length=16, choices=TicketCategory)
    state_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner_kind", "owner_id", "category", "state_id", "slot"], name="ticket_count_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.owner_kind} {self.owner_id}: {self.total} {self.category} in state {self.state_id}"


class TicketPart(models.Model):
    """One entry of a ticket's own timeline: internal notes and events (created, state changes, ...)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="parts")
    kind = models.CharField(max_length=8, choices=TicketPartKind)
    event_type = models.CharField(max_length=40, blank=True)
    body = models.TextField(blank=True)
    author = models.ForeignKey(Teammate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    cross_posted = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)
    # A cross-posted note's or a state change's outbox row that posts it into the linked conversations: pending,
    # delivered (done) or failed (tried, not done), shown beside it (tickets/delivery.py).
    delivery_event = models.ForeignKey(
        "helpdesk.OutboxEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(name="ticket_part_kind_valid", condition=Q(kind__in=TicketPartKind.values)),
        ]
        indexes = [models.Index(fields=["ticket", "created_at"], name="ticket_part_timeline_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on #{self.ticket_id}"

    @property
    def delivery_state(self) -> str:
        """How its delivery into the linked conversations is doing (tickets/delivery.py): "pending", "delivered",
        "failed" (tried, not done), or "" when it delivers nothing."""
        row = self.delivery_event
        if row is None:
            return ""
        return "delivered" if row.done_at else "failed" if row.attempts else "pending"

    @property
    def delivery_error(self) -> str:
        error = self.delivery_event.last_error if self.delivery_event else ""
        return error.splitlines()[0][:200] if error else ""


class AuditField(models.TextChoices):
    SHARED = "shared", "Shared with the customer"
    STATE = "state", "State"
    TITLE = "title", "Title"
    DESCRIPTION = "description", "Description"
    ATTRIBUTE = "attribute", "Attribute"


class TicketAudit(models.Model):
    """One change of what a ticket shows or to whom: its sharing, state, title, description or an attribute (who,
    when, from, to). Append-only: the database refuses to update or delete a row (migration tickets 0011), so the
    history holds whatever the code or an operator does. Who is kept by name too: a row outlives its teammate."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="audit")
    actor_id = models.BigIntegerField(null=True, blank=True)  # no foreign key: deleting a teammate updates nothing
    actor_name = models.CharField(max_length=200)
    field = models.CharField(max_length=16, choices=AuditField)
    attribute = models.CharField(max_length=100, blank=True)  # the attribute's name, for AuditField.ATTRIBUTE
    from_value = models.TextField(blank=True)
    to_value = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(name="ticket_audit_field_valid", condition=Q(field__in=AuditField.values))
        ]
        indexes = [models.Index(fields=["ticket", "created_at"], name="ticket_audit_idx")]

    def __str__(self) -> str:
        return f"{self.get_field_display()} of #{self.ticket_id}: {self.from_value} -> {self.to_value}"


class TicketAttachment(StoredAttachment):
    """A file on a ticket part (a note). Ticket parts are internal: these reach teammates only, and a cross-posted
    note's files reach its conversations as attachments of the cross-post (tickets.handlers), for teammates too."""

    part = models.ForeignKey(TicketPart, on_delete=models.CASCADE, related_name="attachments")


class TicketFormRequest(models.Model):
    """A ticket form sent into a conversation for its customer to fill (rule 10).

    Submitting it creates the ticket; `ticket` is set exactly when it has been submitted.
    """

    conversation = models.ForeignKey(Conversation, on_delete=models.PROTECT, related_name="ticket_forms")
    ticket_type = models.ForeignKey(TicketType, on_delete=models.PROTECT, related_name="form_requests")
    sent_by = models.ForeignKey(Teammate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The team the submitted ticket goes to (a workflow's "Send ticket form" names it).
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ticket = models.OneToOneField(Ticket, null=True, blank=True, on_delete=models.PROTECT, related_name="form_request")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="ticket_form_submitted_iff_ticket",
                condition=Q(submitted_at__isnull=True, ticket__isnull=True)
                | Q(submitted_at__isnull=False, ticket__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_type.name} form in conversation #{self.conversation_id}"
