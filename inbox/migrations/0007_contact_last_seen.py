from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0006_email"),
    ]

    operations = [
        # The historical models of earlier migrations (tests/tickets/test_migrations.py) insert contacts without it.
        migrations.AlterField(
            model_name="contact",
            name="email_failure",
            field=models.CharField(blank=True, db_default="", default="", max_length=500),
        ),
        migrations.AddField(
            model_name="contact",
            name="last_seen_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
    ]
