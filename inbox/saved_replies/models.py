"""The saved reply (macro) row: a named text with placeholders, a reply or a note, personal or shared, and the effects
it applies when the message written from it is sent."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from inbox.models.people import Team, Teammate  # from its module: inbox.models exports these models too


class SavedReplyKind(models.TextChoices):
    REPLY = "reply", "Reply to the customer"
    NOTE = "note", "Internal note"


class StateEffect(models.TextChoices):
    NONE = "", "Leave the state as it is"
    CLOSE = "close", "Close the conversation"
    SNOOZE_HOUR = "snooze_1h", "Snooze it for 1 hour"
    SNOOZE_TOMORROW = "snooze_tomorrow", "Snooze it until tomorrow, 9:00"


# What the composer's chip says each effect will do ("Will also: close · assign to me").
STATE_EFFECT_LABELS = {
    StateEffect.CLOSE: "close",
    StateEffect.SNOOZE_HOUR: "snooze 1 h",
    StateEffect.SNOOZE_TOMORROW: "snooze until tomorrow 9:00",
}


class SavedReply(models.Model):
    """A saved reply. `owner` set: personal, seen and used by that teammate only; empty: shared with every teammate,
    created and changed only by those with the `inbox.change_savedreply` permission (the Admins group)."""

    name = models.CharField(max_length=100, help_text="What you type after “/” to find it, e.g. “Refund approved”.")
    body = models.TextField(
        max_length=10_000,
        help_text="The text inserted into the composer. Placeholders: {{contact.first_name}}, {{contact.name}}, "
        "{{contact.email}}, {{teammate.first_name}}, {{teammate.name}}, {{ticket.number}}, {{ticket.title}}, and "
        "{{ticket.KEY}} for the value of the ticket's attribute KEY, e.g. {{ticket.order_number}}.",
    )
    kind = models.CharField(max_length=8, choices=SavedReplyKind, default=SavedReplyKind.REPLY)
    owner = models.ForeignKey(
        Teammate,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="saved_replies",
        help_text="Empty: shared with every teammate. Set: only this teammate sees and uses it.",
    )
    state_effect = models.CharField(
        "conversation state", max_length=16, choices=StateEffect, default=StateEffect.NONE, blank=True
    )
    assign_to_me = models.BooleanField(default=False, help_text="Assign the conversation to whoever sends the message.")
    # SET_NULL: a teammate or team deleted later only drops that effect.
    assign_teammate = models.ForeignKey(
        Teammate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="assign to teammate"
    )
    assign_team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="move to team"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name_plural = "saved replies"
        constraints = [
            models.CheckConstraint(name="saved_reply_kind_valid", condition=Q(kind__in=SavedReplyKind.values)),
            models.CheckConstraint(
                name="saved_reply_state_effect_valid", condition=Q(state_effect__in=StateEffect.values)
            ),
            models.CheckConstraint(name="saved_reply_has_name", condition=~Q(name="")),
            models.CheckConstraint(name="saved_reply_has_body", condition=~Q(body="")),
            models.CheckConstraint(
                name="saved_reply_one_assignee", condition=Q(assign_to_me=False) | Q(assign_teammate__isnull=True)
            ),
            # Found by name: one name per teammate's own, and one among the shared ones (whatever the case).
            models.UniqueConstraint(
                Lower("name"),
                "owner",
                name="saved_reply_name_unique_per_owner",
                violation_error_message="You already have a saved reply with this name.",
            ),
            models.UniqueConstraint(
                Lower("name"),
                condition=Q(owner__isnull=True),
                name="saved_reply_shared_name_unique",
                violation_error_message="A shared saved reply already has this name.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from inbox.saved_replies.placeholders import check_placeholders  # it reads the tickets' attribute keys

        if self.assign_to_me and self.assign_teammate_id:
            raise ValidationError({"assign_teammate": "Choose “assign to me” or a teammate, not both."})
        if self.body:
            try:
                check_placeholders(self.body)
            except ValidationError as error:
                raise ValidationError({"body": error.messages}) from error

    @property
    def is_shared(self) -> bool:
        return self.owner_id is None

    def editable_by(self, teammate: Teammate) -> bool:
        """Its owner changes a personal one; a shared one needs the permission to change saved replies."""
        if self.owner_id is not None:
            return self.owner_id == teammate.pk
        return teammate.has_perm("inbox.change_savedreply")

    def effect_labels(self) -> list[str]:
        """What sending a message written from it also does, in the order it is done (select the teammate and team)."""
        labels = []
        if self.assign_to_me:
            labels.append("assign to me")
        elif self.assign_teammate is not None:
            labels.append(f"assign to {self.assign_teammate}")
        if self.assign_team is not None:
            labels.append(f"move to team {self.assign_team}")
        if self.state_effect:
            labels.append(STATE_EFFECT_LABELS[StateEffect(self.state_effect)])
        return labels

    @property
    def effects_label(self) -> str:
        return " · ".join(self.effect_labels())
