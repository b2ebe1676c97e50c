"""Who is in the help desk: teams, teammates (and their access), contacts (the customers)."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    # A team's name is internal (customer pages never show who works a conversation); this one is chosen to be seen.
    email_name = models.CharField(
        "name on emails",
        max_length=100,
        blank=True,
        default="",
        db_default="",
        help_text='The From name customers see on this team\'s emails (e.g. "Acme Billing"). Empty: the help '
        "desk's name (MAIL_FROM_NAME).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# Who works the inbox: an active account with staff status. Only they reach teammate pages
# (helpdesk.http.teammate_required), and only they may be given a conversation or a ticket.
WORKING = Q(is_active=True, is_staff=True)


class TeammateAccess(models.TextChoices):
    FULL = "full", "Full: the inbox and every ticket"
    # Need-to-know (tickets/access.py): their teams' tickets and, through each, its linked conversation, read-only.
    BACK_OFFICE = "back_office", "Back office only: their teams' tickets and the conversations linked to them"


class Teammate(AbstractUser):
    """A staff user of the help desk; contacts (customers) are never teammates."""

    teams = models.ManyToManyField(Team, blank=True, related_name="members")
    access = models.CharField(
        max_length=16,
        choices=TeammateAccess,
        default=TeammateAccess.FULL,
        db_default=TeammateAccess.FULL,
        help_text="Back office only: never the inbox; only their teams' tickets and, read-only, the conversations "
        "those tickets are linked to.",
    )

    class Meta:
        ordering = ["first_name", "last_name", "username"]
        constraints = [
            models.CheckConstraint(name="teammate_access_valid", condition=Q(access__in=TeammateAccess.values)),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def back_office_only(self) -> bool:
        return self.access == TeammateAccess.BACK_OFFICE

    @property
    def display_name(self) -> str:
        return str(self)

    @property
    def is_working(self) -> bool:
        """Whether the account works the inbox (WORKING): active, with staff status."""
        return self.is_active and self.is_staff


LEAD_PREFIX = "lead:"


class Contact(models.Model):
    """A customer. Reaches only customer-facing pages, identified by `external_id` and a verified hash."""

    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    external_id = models.CharField(max_length=100, unique=True)
    attributes = models.JSONField(
        default=dict,
        blank=True,
        help_text="Custom data about the contact (plan, country, ...), for workflow conditions.",
    )
    # Signed into every messenger link and kept in every messenger session of this contact: "Sign out everywhere"
    # moves it on, and every earlier link and open session stops working (inbox.messenger). A database default too,
    # so that the historical models of earlier migrations can still insert contacts.
    session_version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    # Set when mail to `email` bounced (inbox.mail): nothing more is sent there until the address changes. A database
    # default too, as for session_version, so that the historical models of earlier migrations can insert contacts.
    email_failing_since = models.DateTimeField(null=True, blank=True)
    email_failure = models.CharField(max_length=500, blank=True, default="", db_default="")
    # When a messenger page of this contact last asked the server for anything (a page, a live region's poll), to
    # SEEN_WRITE_EVERY: a teammate's messenger reply is emailed to a contact not seen for MESSENGER_AWAY_AFTER.
    last_seen_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A visitor of the website's messenger who never said who they are (inbox.embed): remembered by a signed cookie,
    # its external_id is LEAD_PREFIX and a random token, so that no website user id can ever name one.
    is_lead = models.BooleanField(default=False, db_default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="contact_lead_iff_lead_id",
                condition=Q(is_lead=True, external_id__startswith=LEAD_PREFIX)
                | (Q(is_lead=False) & ~Q(external_id__startswith=LEAD_PREFIX)),
            ),
        ]

    def __str__(self) -> str:
        name = self.name or self.email or self.external_id
        return f"{name} (lead)" if self.is_lead else name
