"""Ticket types: their category and sharing policy, their states and their attributes."""

from django.db import models
from django.db.models import Q

from helpdesk.icons import TicketIcon
from inbox.models import Team


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
