"""Trackers: what they link, and their replies to every linked customer."""

from django.db import models
from django.db.models import Q

from inbox.models import Conversation, Part, Teammate
from tickets.models.tickets import Ticket


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
