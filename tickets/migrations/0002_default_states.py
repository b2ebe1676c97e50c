from django.db import migrations

DEFAULT_STATES = [
    ("Submitted", "Submitted", "submitted", 10),
    ("In progress", "In progress", "in_progress", 20),
    ("Waiting on customer", "Waiting on you", "waiting_on_customer", 30),
    ("Resolved", "Resolved", "resolved", 40),
]


def create_default_states(apps, schema_editor):
    TicketState = apps.get_model("tickets", "TicketState")
    for internal_label, customer_label, category, position in DEFAULT_STATES:
        TicketState.objects.get_or_create(
            internal_label=internal_label,
            defaults={"customer_label": customer_label, "category": category, "position": position},
        )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(create_default_states, migrations.RunPython.noop)]
