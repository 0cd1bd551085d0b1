"""Personal numbers at rest: the one place that encrypts and decrypts them.

Phones and ID numbers (of parties, jurors, users, SMS recipients) are stored as Fernet tokens
(AES-128-CBC with an HMAC-SHA256, from `cryptography`). PINGLI_DATA_KEY lists the keys, newest
first: the first encrypts, all of them decrypt (MultiFernet), so a new key can be put in front
while rows written with the old one are still read; `pingli rotate-keys` then rewrites every
row with the first key, and the old key can go.

Where the app must compare numbers without reading them (the same applicant again, for the
repeat-case figure), it compares `lookup()`: an HMAC under PINGLI_LOOKUP_KEY, which is not
rotated with the data key, so the comparisons survive a rotation.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

# Every Fernet token starts with its version byte 0x80, base64url-encoded: "gAAAAA".
TOKEN_PREFIX = "gAAAAA"


def _key_file(data_dir: Path, name: str, make: Callable[[], str]) -> str:
    """A key generated once into the data dir (mode 0600), so `make run` needs no setup."""
    path = data_dir / name
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(key)
    return key


def data_keys(data_dir: Path) -> list[str]:
    explicit = os.environ.get("PINGLI_DATA_KEY", "").strip()
    raw = explicit or _key_file(data_dir, "data_key", lambda: Fernet.generate_key().decode())
    return [k.strip() for k in raw.split(",") if k.strip()]


def lookup_key(data_dir: Path) -> str:
    explicit = os.environ.get("PINGLI_LOOKUP_KEY", "").strip()
    return explicit or _key_file(data_dir, "lookup_key", lambda: os.urandom(32).hex())


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    from app.settings import get_settings

    keys = get_settings().data_keys
    if not keys:
        raise RuntimeError("PINGLI_DATA_KEY holds no key")
    return MultiFernet([Fernet(k.encode()) for k in keys])


@lru_cache(maxsize=1)
def _lookup_key() -> bytes:
    from app.settings import get_settings

    return get_settings().lookup_key.encode()


def reset() -> None:
    """Forget the keys read so far (tests and key rotation change the settings)."""
    _fernet.cache_clear()
    _lookup_key.cache_clear()


def check() -> None:
    """Fail at start-up, not at the first case, when PINGLI_DATA_KEY is not a usable key list."""
    problem = "PINGLI_DATA_KEY must be Fernet keys (urlsafe base64 of 32 bytes), comma-separated"
    try:
        works = decrypt(encrypt("0")) == "0"
    except Exception as exc:
        raise RuntimeError(problem) from exc
    if not works:
        raise RuntimeError(problem)


def is_token(value: str | None) -> bool:
    return bool(value) and value is not None and value.startswith(TOKEN_PREFIX)


def encrypt(value: str | None) -> str | None:
    """The token of a number; None and '' stay as they are (nothing to hide)."""
    if not value:
        return value
    return _fernet().encrypt(value.encode()).decode()


def decrypt(value: str | None) -> str | None:
    """The number behind a token. A value that is not a token is a row from before encryption
    (see `pingli rotate-keys`); it is returned as it is rather than hidden from its holder."""
    if not value or not is_token(value):
        return value
    try:
        return _fernet().decrypt(value.encode()).decode()
    except InvalidToken as exc:
        raise RuntimeError(
            "a personal number cannot be decrypted: is its key in PINGLI_DATA_KEY?"
        ) from exc


def rotate(value: str | None) -> str | None:
    """The value encrypted with the first key: a token re-encrypted, plaintext encrypted."""
    if not value:
        return value
    if is_token(value):
        return _fernet().rotate(value.encode()).decode()
    return encrypt(value)


def lookup(*parts: str) -> str:
    """A keyed, non-reversible fingerprint for equality only (32 hex characters)."""
    message = "|".join(parts).encode()
    return hmac.new(_lookup_key(), message, hashlib.sha256).hexdigest()[:32]
