"""Password hashing (argon2) and the password policy."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.i18n import _

_hasher = PasswordHasher()
# Verified when the username is unknown, so both answers take the same time.
_DUMMY_HASH = _hasher.hash("pingli-timing-equaliser")

MIN_LENGTH = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """Why this password is refused, in the user's language, or None when it is fine."""
    if len(password) < MIN_LENGTH:
        return _("A password needs at least %(n)s characters.", n=MIN_LENGTH)
    return None
