"""A contact's sessions and when they were last seen."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from helpdesk.errors import NotFound
from inbox.models import (
    Contact,
    Teammate,
)


@transaction.atomic
def sign_out_contact_everywhere(*, actor: Teammate, contact_id: int) -> Contact:
    """End every messenger link and session of the contact: its session version moves on, and the messenger refuses
    a link or a session made with an earlier one. Locks the contact row. Raises NotFound."""
    contact = Contact.objects.select_for_update().filter(pk=contact_id).first()
    if contact is None:
        raise NotFound("That contact does not exist.")
    contact.session_version += 1
    contact.save(update_fields=["session_version"])
    return contact


# How often a contact's last_seen_at is written at most: a messenger page polls every few seconds, and a write at
# each poll would be a row update per open tab every few seconds for a value only read to the minute.
SEEN_WRITE_EVERY = timedelta(minutes=1)


def mark_contact_seen(*, contact_id: int, now: datetime | None = None) -> bool:
    """The contact has a messenger page open now. One conditional UPDATE, and only when last_seen_at is older than
    SEEN_WRITE_EVERY (so concurrent requests write it once). No lock held past the statement; no event. Returns
    whether it was written."""
    now = now or timezone.now()
    stale = Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=now - SEEN_WRITE_EVERY)
    return bool(Contact.objects.filter(stale, pk=contact_id).update(last_seen_at=now))
