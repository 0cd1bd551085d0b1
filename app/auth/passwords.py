"""Password hashing (argon2) and the password policy: at least 8 characters, not among the
most common passwords (app/auth/common_passwords.txt, checked case-insensitively), not the
username."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.i18n import _

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified when the username is unknown, so both answers take the same time. Made at the
    first sign-in, not at import: hashing costs ~0.5 s of every start-up otherwise."""
    return _hasher.hash("pingli-timing-equaliser")


MIN_LENGTH = 8
_COMMON_FILE = Path(__file__).with_name("common_passwords.txt")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return (
            _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False


@cache
def common_passwords() -> frozenset[str]:
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str, username: str | None = None) -> str | None:
    """Why this password is refused, in the user's language, or None when it is fine."""
    if len(password) < MIN_LENGTH:
        return _("A password needs at least %(n)s characters.", n=MIN_LENGTH)
    folded = password.strip().casefold()
    if folded in common_passwords():
        return _("This password is among the most common ones. Choose another.")
    if username and folded == username.strip().casefold():
        return _("The password may not be the username.")
    return None
