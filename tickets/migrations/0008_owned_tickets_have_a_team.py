import importlib

from django.db import migrations, models

from helpdesk.counters import RestoreCounterTriggers

# SQLite adds a check constraint by copying the table, which loses its triggers: the nav's counters among them.
TICKET_COUNTS = importlib.import_module("tickets.migrations.0005_ticketcount").COUNTS


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0007_fill_owners_and_icons"),
    ]

    operations = [
        RestoreCounterTriggers(TICKET_COUNTS),  # for the way back, which removes the constraints after it
        migrations.AddConstraint(
            model_name="ticket",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("category__in", ["back_office", "tracker"]), _negated=True),
                    ("team__isnull", False),
                    _connector="OR",
                ),
                name="ticket_owned_has_team",
            ),
        ),
        migrations.AddConstraint(
            model_name="tickettype",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("category__in", ["back_office", "tracker"]), _negated=True),
                    ("default_team__isnull", False),
                    _connector="OR",
                ),
                name="ticket_type_owned_has_default_team",
            ),
        ),
        RestoreCounterTriggers(TICKET_COUNTS),
    ]
