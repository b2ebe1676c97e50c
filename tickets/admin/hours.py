"""Each team's business hours, which response targets count in (tickets/targets.py)."""

from django.contrib import admin

from tickets.models import (
    TeamHours,
)


@admin.register(TeamHours)
class TeamHoursAdmin(admin.ModelAdmin):
    """A team's business hours, in which its tickets' response targets count (tickets/targets.py)."""

    list_display = ["team", "time_zone", "weekdays", "opens_at", "closes_at"]
    autocomplete_fields = ["team"]
