"""Tickets and what each keeps: its timeline, counts, audit trail, files, followers, the forms that make them."""

from django.db import models
from django.db.models import F, Q

from inbox.models import Conversation, OwnerCount, StoredAttachment, Team, Teammate
from tickets.models.types import OWNED_CATEGORIES, SharingPolicy, TicketCategory, TicketState, TicketType


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


class TicketFollower(models.Model):
    """A teammate who asked to hear of a ticket's state changes (helpdesk/notify.py), as its creator always does."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="followers")
    teammate = models.ForeignKey(Teammate, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "teammate"], name="ticket_follower_once")]

    def __str__(self) -> str:
        return f"{self.teammate_id} follows #{self.ticket_id}"


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
