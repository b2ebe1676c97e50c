from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0006_email"),
    ]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="last_seen_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
    ]
