"""Response targets and the teams' business hours they count in (tickets/targets.py)."""

from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from inbox.models import Team


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
