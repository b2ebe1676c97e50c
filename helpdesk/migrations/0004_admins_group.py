"""The "Admins" group: teammates who configure the help desk in the Django admin without being superusers.

They configure teams, teammates, contacts, ticket types with their attributes, ticket states and workflows; they
browse conversations, tickets, workflow runs, the outbox and sign-in attempts, and unlock a sign-in (delete an
access attempt). What a superuser alone may do is kept by the admin itself (inbox.admin.TeammateAdmin: no
superuser flag, permissions or groups, and no change to a superuser).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADMINS_GROUP = "Admins"  # helpdesk.models.ADMINS_GROUP, written out: a migration does not import the app's code
CONFIGURE = ["add", "change", "view"]
PERMISSIONS = {
    "inbox": {"team": CONFIGURE, "teammate": CONFIGURE, "contact": CONFIGURE, "conversation": ["view"]},
    "tickets": {"tickettype": CONFIGURE, "ticketattribute": CONFIGURE, "ticketstate": CONFIGURE, "ticket": ["view"]},
    "workflows": {
        "workflow": [*CONFIGURE, "delete"],
        "workflowcondition": [*CONFIGURE, "delete"],
        "workflowaction": [*CONFIGURE, "delete"],
        "workflowrun": ["view"],
    },
    "helpdesk": {"outboxevent": ["view"]},
    "axes": {"accessattempt": ["view", "delete"], "accesslog": ["view"], "accessfailurelog": ["view"]},
}


def create_admins_group(apps, schema_editor):
    # Permissions are made after the last migration (post_migrate); on a new database they do not exist yet here.
    for label in PERMISSIONS:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=ADMINS_GROUP)
    for label, models in PERMISSIONS.items():
        for model, verbs in models.items():
            for verb in verbs:
                # .get(): a permission that is missing (a model renamed) fails the migration instead of a silent gap.
                permission = Permission.objects.get(content_type__app_label=label, codename=f"{verb}_{model}")
                group.permissions.add(permission)


def remove_admins_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=ADMINS_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("helpdesk", "0003_cache_table"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("inbox", "0004_conversationcount"),
        ("tickets", "0008_owned_tickets_have_a_team"),
        ("workflows", "0001_initial"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [
        migrations.RunPython(create_admins_group, remove_admins_group),
    ]
