"""Logins as rows: a browser session (cookie) or an API bearer token.

The secret travels to the client once; the database keeps its SHA-256. A browser login lapses
after PINGLI_SESSION_IDLE_MINUTES without use or PINGLI_SESSION_MAX_HOURS after it began;
a token after PINGLI_API_TOKEN_DAYS. Signing out ends the user's browser logins; deactivation,
a change of role or area, and a password change or reset end every login of the user (the
one changing their own password gets a new one at once).

Each process keeps the actors it resolved, by the hash of their secret, for the life of the
login: a request then costs a dictionary look-up and one `stat` instead of a three-table join.
Whatever ends a login or changes what an actor holds (sign-out, deactivation, a change of
role, area, name or password, a boundary import) calls `forget_cached()`, which empties this
process's cache and appends a byte to `login-generation` in the data dir, after the change has
committed; every process compares that file's size and time with what it last saw before it
trusts its cache, and empties it when they differ. Lapses (idle, maximum age) are checked on
every request against the cached times; a login that looks lapsed is read again before it ends.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from app import clock, db
from app.auth.actor import Actor
from app.auth.tables import LoginSession, User
from app.settings import get_settings

SESSION_COOKIE = "pingli_session"
# Refresh last_seen_at at most this often: a write per request would cost SQLite dearly.
_TOUCH_EVERY = timedelta(minutes=1)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def now() -> datetime:
    return clock.now()


async def start(
    user_id: int,
    kind: str = "web",
    replace: str | None = None,
    lifetime: timedelta | None = None,
) -> str:
    """Create a login and return its secret. `replace` is the secret of a login this one
    supersedes (a fresh session id at every login: no fixation). `lifetime`: other than the
    settings' (an Open311 client's key lasts until revoked)."""
    settings = get_settings()
    if replace:
        await LoginSession.delete().where(LoginSession.token_hash == _hash(replace))
        forget_cached()
    secret = secrets.token_urlsafe(32)
    lifetime = lifetime or (
        timedelta(hours=settings.session_max_hours)
        if kind == "web"
        else timedelta(days=settings.api_token_days)
    )
    stamp = now()
    await LoginSession.insert(
        LoginSession(
            token_hash=_hash(secret),
            kind=kind,
            user=user_id,
            created_at=stamp,
            last_seen_at=stamp,
            expires_at=stamp + lifetime,
        )
    )
    return secret


async def end(secret: str) -> None:
    await LoginSession.delete().where(LoginSession.token_hash == _hash(secret))
    forget_cached()


async def end_all(user_id: int, kind: str | None = None) -> None:
    """End every login of the user (or every one of `kind`: 'web' for the browsers)."""
    where = LoginSession.user == user_id
    if kind is not None:
        where &= LoginSession.kind == kind
    await LoginSession.delete().where(where)
    forget_cached()


# -- the cache of resolved actors (see the module's docstring) -----------------------------------


@dataclass
class _Cached:
    actor: Actor
    session_id: int
    last_seen_at: datetime
    expires_at: datetime


_cache: dict[tuple[str, str], _Cached] = {}
_seen_generation: tuple[int, int, int] | None = None
_GENERATION_FILE = "login-generation"
_GENERATION_MAX = 64 * 1024  # bytes before the file starts again
_CACHE_MAX = 20_000  # logins kept per process


_paths: dict[str, str] = {}


def _generation_path() -> str:
    folder = str(get_settings().data_dir)
    path = _paths.get(folder)
    if path is None:
        path = _paths[folder] = os.path.join(folder, _GENERATION_FILE)
    return path


def _generation() -> tuple[int, int, int] | None:
    try:
        st = os.stat(_generation_path())
    except FileNotFoundError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def _bump() -> None:
    _cache.clear()
    path = Path(_generation_path())
    try:
        if path.stat().st_size >= _GENERATION_MAX:
            tmp = path.with_name(path.name + ".new")
            tmp.write_bytes(b".")
            os.replace(tmp, path)
            return
    except FileNotFoundError:
        pass
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, b".")
    finally:
        os.close(fd)


def forget_cached() -> None:
    """Every process forgets the actors it keeps: now, and again once the current transaction
    (if any) has committed, so that nobody keeps what it read before the commit."""
    _bump()
    db.after_commit(_bump)


def _fresh_cache() -> None:
    """Empty the cache when another process (or this one) said something changed."""
    global _seen_generation
    generation = _generation()
    if generation != _seen_generation:
        _cache.clear()
        _seen_generation = generation


def _lapsed(expires_at: datetime, last_seen_at: datetime, kind: str, stamp: datetime) -> bool:
    idle = timedelta(minutes=get_settings().session_idle_minutes)
    return expires_at <= stamp or (kind == "web" and last_seen_at + idle <= stamp)


_ACTOR_COLUMNS = (
    LoginSession.id,
    LoginSession.kind,
    LoginSession.last_seen_at,
    LoginSession.expires_at,
    LoginSession.user.id.as_alias("user_id"),
    LoginSession.user.username.as_alias("username"),
    LoginSession.user.display_name.as_alias("display_name"),
    LoginSession.user.role.as_alias("role"),
    LoginSession.user.active.as_alias("active"),
    LoginSession.user.must_change_password.as_alias("must_change_password"),
    LoginSession.user.jurisdiction.id.as_alias("jurisdiction_id"),
    LoginSession.user.jurisdiction.name.as_alias("jurisdiction_name"),
    LoginSession.user.jurisdiction.level.as_alias("level"),
    LoginSession.user.jurisdiction.county.as_alias("county_id"),
    LoginSession.user.jurisdiction.township.as_alias("township_id"),
    LoginSession.user.jurisdiction.village.as_alias("village_id"),
    LoginSession.user.jurisdiction.grid.as_alias("grid_id"),
)


async def resolve(secret: str, kind: str) -> Actor | None:
    """The actor behind a cookie or token secret, or None when it is unknown or lapsed."""
    key = (_hash(secret), kind)
    _fresh_cache()
    stamp = now()
    cached = _cache.get(key)
    if cached is not None:
        if not _lapsed(cached.expires_at, cached.last_seen_at, kind, stamp):
            if stamp - cached.last_seen_at > _TOUCH_EVERY:
                await LoginSession.update({LoginSession.last_seen_at: stamp}).where(
                    LoginSession.id == cached.session_id
                )
                cached.last_seen_at = stamp
            return cached.actor
        del _cache[key]  # lapsed by what this process knew: another may have seen it since
    generation = _seen_generation
    row = await (
        LoginSession.select(*_ACTOR_COLUMNS)
        .where((LoginSession.token_hash == key[0]) & (LoginSession.kind == kind))
        .first()
    )
    if row is None or not row["active"]:
        return None
    if _lapsed(row["expires_at"], row["last_seen_at"], kind, stamp):
        await LoginSession.delete().where(LoginSession.id == row["id"])
        return None
    last_seen = row["last_seen_at"]
    if stamp - last_seen > _TOUCH_EVERY:
        await LoginSession.update({LoginSession.last_seen_at: stamp}).where(
            LoginSession.id == row["id"]
        )
        last_seen = stamp
    actor = actor_from_row(row, session_id=row["id"], via_token=kind == "api")
    if _generation() == generation:  # nothing changed while it was read: keep it
        if len(_cache) >= _CACHE_MAX:  # lapsed logins are never asked again: start afresh
            _cache.clear()
        _cache[key] = _Cached(actor, row["id"], last_seen, row["expires_at"])
    return actor


def actor_from_row(row: dict, session_id: int | None = None, via_token: bool = False) -> Actor:
    return Actor(
        id=row["user_id"],
        username=row["username"],
        display_name=row["display_name"],
        role=row["role"],
        jurisdiction_id=row["jurisdiction_id"],
        jurisdiction_name=row["jurisdiction_name"],
        level=row["level"],
        county_id=row["county_id"],
        township_id=row["township_id"],
        village_id=row["village_id"],
        grid_id=row["grid_id"],
        must_change_password=row["must_change_password"],
        session_id=session_id,
        via_token=via_token,
    )


async def purge_expired() -> int:
    """Scheduler job: forget lapsed logins. Idempotent: a second run finds nothing."""
    stamp = now()
    idle_cutoff = stamp - timedelta(minutes=get_settings().session_idle_minutes)
    gone = await (
        LoginSession.delete()
        .where(
            (LoginSession.expires_at <= stamp)
            | ((LoginSession.kind == "web") & (LoginSession.last_seen_at <= idle_cutoff))
        )
        .returning(LoginSession.id)
    )
    return len(gone)


async def user_by_username(username: str) -> dict | None:
    return await User.select().where(User.username == username).first()
