"""Identity verification of the website's users, for the messenger on the company's website (inbox.embed).

The website's backend signs its user's id with the messenger secret, as Intercom does:
`HMAC-SHA256(secret, user_id)` in hex, or, covering an issue time (unix seconds), `HMAC-SHA256(secret,
f"{user_id}:{issued_at}")`, valid for the installation's maximum age only. The plain hash never changes, so a copied
snippet would name that user forever: `issued_at_required` (on by default) refuses it. A user id is never trusted
without its hash: with verification not enforced, a page that sends no hash is an anonymous visitor, not that user.
This module is the one place of that rule; it reads and writes nothing.
"""

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from inbox.models import LEAD_PREFIX, MessengerInstallation

MAX_USER_ID_LENGTH = 100  # Contact.external_id
MAX_NAME_LENGTH = 200  # Contact.name
# How far in the future an issue time may be: the website's clock and ours differ a little.
ISSUED_AT_SKEW = 60
HASH = re.compile(r"[0-9a-f]{64}")
ISSUED_AT = re.compile(r"[0-9]{1,12}")
FIELDS = ("user_id", "user_hash", "issued_at", "name", "email")


class Refusal(StrEnum):
    """Why the messenger refused the identity the page sent; the refusal page explains each."""

    MALFORMED = "malformed"  # 400
    HASH_MISSING = "hash_missing"
    ISSUED_AT_MISSING = "issued_at_missing"
    HASH_WRONG = "hash_wrong"  # also: a hash of another user id, or of another issue time
    EXPIRED = "expired"  # the issue time is older than the maximum age, or in the future


class IdentityRefused(Exception):
    def __init__(self, refusal: Refusal):
        super().__init__(refusal.value)
        self.refusal = refusal

    @property
    def status(self) -> int:
        return 400 if self.refusal == Refusal.MALFORMED else 403


@dataclass(frozen=True, slots=True)
class Identity:
    """Who opened the messenger: a verified user of the website (`user_id`), or an anonymous visitor (None). The
    name and email are the page's, unverified: only shown to the team, and only kept on a contact made now."""

    user_id: str | None
    name: str = ""
    email: str = ""


ANONYMOUS = Identity(user_id=None)


def user_hash(secret: str, user_id: str, issued_at: int | None = None) -> str:
    """The hash the website's backend computes for its user (README, "Messenger on your website")."""
    message = user_id if issued_at is None else f"{user_id}:{issued_at}"
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def single_values(data: Mapping) -> dict[str, str]:
    """The page's fields, each one string at most; a field sent twice, or not as a string, is malformed."""
    values = {}
    for field in FIELDS:
        given = data.getlist(field) if hasattr(data, "getlist") else ([data[field]] if field in data else [])
        if len(given) > 1 or (given and not isinstance(given[0], str)):
            raise IdentityRefused(Refusal.MALFORMED)
        values[field] = given[0] if given else ""
    return values


def read_identity(*, installation: MessengerInstallation, data: Mapping, now: float) -> Identity:
    """The identity the page sent (`data`: its form fields), verified at unix time `now`. Raises IdentityRefused."""
    values = single_values(data)
    user_id, given_hash, issued = values["user_id"], values["user_hash"].lower(), values["issued_at"]
    if not user_id:
        if given_hash or issued:
            raise IdentityRefused(Refusal.MALFORMED)  # a hash that names nobody
        return ANONYMOUS
    if (
        len(user_id) > MAX_USER_ID_LENGTH
        or user_id != user_id.strip()
        or not user_id.isprintable()
        or user_id.startswith(LEAD_PREFIX)  # the ids of leads (Contact.is_lead) are never a website user's
        or (given_hash and not HASH.fullmatch(given_hash))
        or (issued and not ISSUED_AT.fullmatch(issued))
    ):
        raise IdentityRefused(Refusal.MALFORMED)
    if not given_hash:
        if installation.verification_enforced:
            raise IdentityRefused(Refusal.HASH_MISSING)
        return ANONYMOUS  # the id is never believed without its hash
    if not issued and installation.issued_at_required:
        raise IdentityRefused(Refusal.ISSUED_AT_MISSING)
    issued_at = int(issued) if issued else None
    expected = user_hash(installation.secret, user_id, issued_at)
    if not installation.secret or not hmac.compare_digest(expected, given_hash):
        raise IdentityRefused(Refusal.HASH_WRONG)
    if issued_at is not None and not -ISSUED_AT_SKEW <= now - issued_at <= installation.issued_at_max_age:
        raise IdentityRefused(Refusal.EXPIRED)
    return Identity(user_id=user_id, name=values["name"].strip()[:MAX_NAME_LENGTH], email=valid_email(values["email"]))


def valid_email(value: str) -> str:
    """The address if it is one, else nothing: a display attribute never refuses the user it describes."""
    value = value.strip()
    try:
        validate_email(value)
    except ValidationError:
        return ""
    return value if len(value) <= 254 else ""
