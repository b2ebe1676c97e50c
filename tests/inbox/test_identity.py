"""Identity verification of the website's users (inbox.identity): the rule alone, without HTTP."""

import hashlib
import hmac
import time

import pytest
from django.http import QueryDict

from inbox.identity import ANONYMOUS, Identity, IdentityRefused, Refusal, read_identity, user_hash
from inbox.models import MessengerInstallation

SECRET = "s3cret" * 8
NOW = 1_767_355_200


def installation(**fields) -> MessengerInstallation:
    return MessengerInstallation(**{"secret": SECRET, "allowed_origins": "https://example.com", **fields})


def refusal(data, **fields) -> Refusal:
    with pytest.raises(IdentityRefused) as refused:
        read_identity(installation=installation(**fields), data=data, now=NOW)
    return refused.value.refusal


def signed(user_id: str, issued_at: int | None = NOW, secret: str = SECRET, **extra) -> dict:
    data = {"user_id": user_id, "user_hash": user_hash(secret, user_id, issued_at), **extra}
    return data | ({"issued_at": str(issued_at)} if issued_at is not None else {})


def test_user_hash_is_hmac_sha256_of_the_id_and_issue_time():
    assert user_hash("key", "42", 1_767_355_200) == hmac.new(b"key", b"42:1767355200", hashlib.sha256).hexdigest()
    assert user_hash("key", "42") == hmac.new(b"key", b"42", hashlib.sha256).hexdigest()
    assert user_hash("key", "42") != user_hash("key", "42", 1_767_355_200)


def test_read_identity_accepts_a_fresh_hash_with_its_display_attributes():
    identity = read_identity(
        installation=installation(), data=signed("42", name=" Ada ", email="ada@example.com"), now=NOW + 10
    )

    assert identity == Identity(user_id="42", name="Ada", email="ada@example.com")


def test_read_identity_accepts_an_uppercase_hash():
    data = signed("42")
    data["user_hash"] = data["user_hash"].upper()

    assert read_identity(installation=installation(), data=data, now=NOW).user_id == "42"


def test_read_identity_drops_an_invalid_email_without_refusing_the_user():
    identity = read_identity(installation=installation(), data=signed("42", email="not an email"), now=NOW)

    assert identity.user_id == "42" and identity.email == ""


def test_read_identity_without_a_user_id_is_an_anonymous_visitor():
    assert read_identity(installation=installation(), data={}, now=NOW) == ANONYMOUS


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (signed("42", secret="another secret" * 4), Refusal.HASH_WRONG),
        (signed("43") | {"user_id": "42"}, Refusal.HASH_WRONG),  # an HMAC for another user
        (signed("42") | {"issued_at": str(NOW + 1)}, Refusal.HASH_WRONG),  # a later issue time under an old hash
        ({"user_id": "42"}, Refusal.HASH_MISSING),
        (signed("42", issued_at=None), Refusal.ISSUED_AT_MISSING),
        (signed("42", issued_at=NOW - 301), Refusal.EXPIRED),
        (signed("42", issued_at=NOW + 61), Refusal.EXPIRED),  # from the future, beyond the clocks' skew
    ],
    ids=["other-secret", "other-user", "other-time", "no-hash", "no-issue-time", "expired", "future"],
)
def test_read_identity_refuses(data, expected):
    assert refusal(data) == expected


@pytest.mark.parametrize(
    "data",
    [
        {"user_id": 42, "user_hash": "0" * 64},  # not a string
        signed("x" * 101),  # longer than an external_id
        signed("42") | {"user_hash": "z" * 64},  # not hex
        signed("42") | {"user_hash": "ab" * 16},  # too short
        signed("42") | {"issued_at": "soon"},
        signed("42") | {"issued_at": "1" * 13},
        signed(" 42"),
        signed("4\n2"),
        signed("lead:abc"),  # the form of a lead's id
        {"user_hash": "0" * 64},  # a hash for nobody
    ],
    ids=["int", "huge", "bad-hex", "short-hash", "word-time", "huge-time", "spaces", "newline", "lead-id", "no-id"],
)
def test_read_identity_refuses_malformed_input(data):
    assert refusal(data) == Refusal.MALFORMED


def test_read_identity_refuses_a_field_sent_twice():
    data = QueryDict(mutable=True)
    data.update(signed("42"))
    data.appendlist("user_id", "43")

    assert refusal(data) == Refusal.MALFORMED


def test_read_identity_refuses_everyone_without_a_secret():
    assert refusal(signed("42", secret=""), secret="") == Refusal.HASH_WRONG


def test_read_identity_accepts_a_plain_hash_only_when_the_issue_time_is_not_required():
    plain = signed("42", issued_at=None)

    assert refusal(plain) == Refusal.ISSUED_AT_MISSING
    assert read_identity(installation=installation(issued_at_required=False), data=plain, now=NOW).user_id == "42"


def test_read_identity_still_checks_an_issue_time_that_is_not_required():
    stale = signed("42", issued_at=NOW - 3600)

    assert refusal(stale, issued_at_required=False) == Refusal.EXPIRED


def test_read_identity_follows_the_configured_max_age():
    data = signed("42", issued_at=NOW - 100)

    assert refusal(data, issued_at_max_age=60) == Refusal.EXPIRED
    assert read_identity(installation=installation(issued_at_max_age=120), data=data, now=NOW).user_id == "42"


def test_read_identity_without_enforcement_never_believes_an_id_without_its_hash():
    identity = read_identity(installation=installation(verification_enforced=False), data={"user_id": "42"}, now=NOW)

    assert identity == ANONYMOUS


def test_read_identity_without_enforcement_still_refuses_a_wrong_hash():
    data = signed("43") | {"user_id": "42"}

    assert refusal(data, verification_enforced=False) == Refusal.HASH_WRONG


def test_user_hash_of_the_readme_python_example_matches():
    """The admin page's Python example computes what the messenger checks."""
    from inbox.admin import PYTHON_EXAMPLE

    namespace: dict = {}
    exec(PYTHON_EXAMPLE.replace('"…"', repr(SECRET)), namespace)  # noqa: S102  (our own example)
    identity = namespace["messenger_identity"]("42")

    data = {key: str(value) for key, value in identity.items()}
    assert read_identity(installation=installation(), data=data, now=time.time()).user_id == "42"
