"""The messenger's installation on the company's website (inbox.embed)."""

import secrets

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


def new_messenger_secret() -> str:
    return secrets.token_hex(32)


def parse_origins(text: str) -> list[str]:
    """The origins of `MessengerInstallation.allowed_origins`, one a line, as the browser sends them
    (scheme://host[:port], lower case, no path). Raises ValidationError naming the first bad line."""
    origins = []
    for line in text.splitlines():
        origin = line.strip().rstrip("/").lower()
        if not origin:
            continue
        scheme, _, rest = origin.partition("://")
        if scheme not in ("http", "https") or not rest or any(c in rest for c in "/?#@ *'\";,"):
            raise ValidationError(
                f"{line.strip()!r} is not an origin: write scheme://host[:port], e.g. https://example.com."
            )
        origins.append(origin)
    return origins


class MessengerInstallation(models.Model):
    """The messenger on the company's website (inbox.embed): one row (id 1), made by migration 0006, edited in the
    admin ("Messenger installation") so that an admin changes it without a deploy."""

    # Signs the website's user ids (HMAC-SHA256): known to the help desk and the website's backend only, never to a
    # customer. Rotated by an admin action (inbox.embed_actions.rotate_messenger_secret).
    secret = models.CharField(max_length=64, default=new_messenger_secret, editable=False)
    secret_rotated_at = models.DateTimeField(auto_now_add=True)
    allowed_origins = models.TextField(
        blank=True,
        help_text="The websites that may show the messenger, one origin a line (https://www.example.com). "
        "Any other page cannot frame it; empty: the messenger cannot be embedded anywhere.",
    )
    verification_enforced = models.BooleanField(
        default=True,
        help_text="Refuse a user id without its hash. Off: a visitor whose page sends no hash is an anonymous "
        "visitor (a lead), never the user the id names. A wrong hash is refused either way.",
    )
    issued_at_required = models.BooleanField(
        default=True,
        help_text="Require the hash to cover an issue time (user_id:issued_at), so that a copied snippet stops "
        "working after the maximum age. Off: the plain hash of the user id is accepted too, and never expires.",
    )
    issued_at_max_age = models.PositiveIntegerField(
        "maximum age of an issue time (seconds)",
        default=300,
        validators=[MinValueValidator(30), MaxValueValidator(3600)],
        help_text="How long a hash with an issue time stays valid: between 30 seconds and an hour.",
    )

    class Meta:
        verbose_name = verbose_name_plural = "messenger installation"
        constraints = [
            models.CheckConstraint(name="messenger_installation_singleton", condition=Q(id=1)),
            models.CheckConstraint(
                name="messenger_installation_max_age_range",
                condition=Q(issued_at_max_age__gte=30, issued_at_max_age__lte=3600),
            ),
        ]

    def __str__(self) -> str:
        return "Messenger installation"

    def clean(self) -> None:
        try:
            parse_origins(self.allowed_origins)
        except ValidationError as error:
            raise ValidationError({"allowed_origins": error.messages}) from error

    @property
    def origins(self) -> list[str]:
        """The allowed origins; a line saved before validation existed, if bad, allows nothing."""
        try:
            return parse_origins(self.allowed_origins)
        except ValidationError:
            return []
