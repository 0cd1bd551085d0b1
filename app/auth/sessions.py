"""Logins as rows: a browser session (cookie) or an API bearer token.

The secret travels to the client once; the database keeps its SHA-256. A browser login lapses
after PINGLI_SESSION_IDLE_MINUTES without use or PINGLI_SESSION_MAX_HOURS after it began;
a token after PINGLI_API_TOKEN_DAYS. Signing out ends the user's browser logins; deactivation,
a change of role or area, and a password change or reset end every login of the user (the
one changing their own password gets a new one at once).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from app import clock
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


async def end_all(user_id: int, kind: str | None = None) -> None:
    """End every login of the user (or every one of `kind`: 'web' for the browsers)."""
    where = LoginSession.user == user_id
    if kind is not None:
        where &= LoginSession.kind == kind
    await LoginSession.delete().where(where)


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
    row = await (
        LoginSession.select(*_ACTOR_COLUMNS)
        .where((LoginSession.token_hash == _hash(secret)) & (LoginSession.kind == kind))
        .first()
    )
    if row is None or not row["active"]:
        return None
    stamp = now()
    idle = timedelta(minutes=get_settings().session_idle_minutes)
    if row["expires_at"] <= stamp or (kind == "web" and row["last_seen_at"] + idle <= stamp):
        await LoginSession.delete().where(LoginSession.id == row["id"])
        return None
    if stamp - row["last_seen_at"] > _TOUCH_EVERY:
        await LoginSession.update({LoginSession.last_seen_at: stamp}).where(
            LoginSession.id == row["id"]
        )
    return actor_from_row(row, session_id=row["id"], via_token=kind == "api")


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
