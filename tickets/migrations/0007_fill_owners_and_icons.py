"""Every back-office and tracker type gets a default team, every such ticket without a team gets its type's,
and every type's emoji icon becomes the shipped icon closest to it (TicketIcon)."""

from django.db import migrations
from django.db.models import Count

OWNED_CATEGORIES = ["back_office", "tracker"]
FALLBACK_TEAM = "Back office"

# The emoji the first release suggested and people commonly chose, without variation selectors.
ICON_FOR_EMOJI = {
    "🎫": "ticket",
    "🎟": "ticket",
    "🐞": "bug",
    "🐛": "bug",
    "💸": "banknote",
    "💰": "banknote",
    "💶": "banknote",
    "💵": "banknote",
    "🧾": "receipt",
    "💳": "credit-card",
    "🕵": "shield-alert",
    "🛡": "shield-alert",
    "🚨": "shield-alert",
    "🔒": "lock",
    "🔐": "lock",
    "📦": "package",
    "🚚": "truck",
    "🔥": "flame",
    "⚠": "triangle-alert",
    "❗": "triangle-alert",
    "🖥": "server",
    "💻": "server",
    "🔧": "wrench",
    "🛠": "wrench",
    "👤": "user",
    "📧": "mail",
    "✉": "mail",
    "💬": "message-circle",
    "⭐": "star",
    "⏰": "clock",
    "🕐": "clock",
    "📄": "file-text",
    "📝": "file-text",
    "🌐": "globe",
    "🌍": "globe",
}


def fill_icons(apps, schema_editor):
    TicketType = apps.get_model("tickets", "TicketType")
    known = {choice for choice, _label in TicketType._meta.get_field("icon").choices}
    for ticket_type in TicketType.objects.exclude(icon__in=known):
        emoji = ticket_type.icon.replace("\ufe0f", "").strip()
        ticket_type.icon = ICON_FOR_EMOJI.get(emoji, "ticket")
        ticket_type.save(update_fields=["icon"])


def fill_owners(apps, schema_editor):
    Team = apps.get_model("inbox", "Team")
    Ticket = apps.get_model("tickets", "Ticket")
    TicketType = apps.get_model("tickets", "TicketType")
    for ticket_type in TicketType.objects.filter(category__in=OWNED_CATEGORIES, default_team__isnull=True):
        # The team that already works most of its tickets, else the first team, else a new one.
        busiest = (
            Ticket.objects.filter(ticket_type=ticket_type, team__isnull=False)
            .values("team")
            .annotate(n=Count("pk"))
            .order_by("-n", "team")
            .first()
        )
        team = Team.objects.filter(pk=busiest["team"]).first() if busiest else Team.objects.order_by("name").first()
        ticket_type.default_team = team or Team.objects.get_or_create(name=FALLBACK_TEAM)[0]
        ticket_type.save(update_fields=["default_team"])
    for ticket_type in TicketType.objects.filter(category__in=OWNED_CATEGORIES):
        Ticket.objects.filter(ticket_type=ticket_type, team__isnull=True).update(team=ticket_type.default_team_id)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0006_owners_icons_tracker_replies"),
    ]

    operations = [
        migrations.RunPython(fill_icons, migrations.RunPython.noop),
        migrations.RunPython(fill_owners, migrations.RunPython.noop),
    ]
