"""Sign-in throttling: refused sign-ins are counted per (account, address), per address and per
account, so that nobody can lock somebody else out from afar and a shared office address is
not locked by a few colleagues' typos.

Litestar's RateLimitMiddleware counts every request; what matters here is failures, and every
web worker must see the same count, so each failure is a row (`login_failure`) on either
engine, under three subjects:

- **the pair** (this username from this address): after PINGLI_LOGIN_MAX_FAILURES within
  PINGLI_LOGIN_WINDOW_MINUTES, each further try waits a growing delay after the last failure
  (1 minute, then 2, 4, 8…, at most the window). Only this pair waits: the account signs in
  from any other address, and other accounts from this address.
- **the address**: after PINGLI_LOGIN_MAX_FAILURES_PER_ADDRESS (high: a township office shares
  one address) the address waits, with the same growing delay, whatever the username.
- **the account everywhere**: only at PINGLI_LOGIN_LOCK_FAILURES (much higher) is the account
  paused from every address until enough failures leave the window; its owner gets a notice
  (in the app, and by push where they turned it on).

While a wait runs, sign-in answers 429 with Retry-After, even with the right password; no
password is checked and nothing more is counted. A success clears the pair's count (not the
address's, nor the account's: an attacker with one good account must not reset the count of
the address it guesses from, and the owner's success must not reset a spray from elsewhere).
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

from app import clock
from app.auth.tables import LoginFailure, User
from app.i18n import N_
from app.settings import get_settings

FIRST_DELAY = timedelta(minutes=1)
LOCKED_MESSAGE = N_(
    "Your account was paused after many failed sign-ins from other devices. If that was not "
    "you, change your password once you are signed in."
)


def _username(username: str) -> str:
    return username.strip().casefold()[:64]


def _account(username: str) -> str:
    return "account:" + _username(username)


def _address(address: str | None) -> str | None:
    return "address:" + address[:100] if address else None


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _pair_prefix(username: str) -> str:
    return f"pair:{_digest(_username(username))}:"


def _pair(username: str, address: str | None) -> str:
    return _pair_prefix(username) + _digest(address or "")


def _window() -> timedelta:
    return timedelta(minutes=get_settings().login_window_minutes)


def growing_delay(excess: int) -> timedelta:
    """The wait after the `excess`-th failure over the limit (0: the one that reached it)."""
    return min(FIRST_DELAY * (2 ** min(excess, 20)), _window())


async def _recent(subject: str, stamp: datetime, limit: int | None = None) -> list[datetime]:
    query = (
        LoginFailure.select(LoginFailure.failed_at)
        .where(LoginFailure.subject == subject, LoginFailure.failed_at > stamp - _window())
        .order_by(LoginFailure.failed_at, ascending=False)
    )
    if limit is not None:
        query = query.limit(limit)
    return [row["failed_at"] for row in await query]


async def _growing_wait(subject: str | None, limit: int, stamp: datetime) -> float | None:
    if subject is None or limit <= 0:
        return None
    failures = await _recent(subject, stamp)
    if len(failures) < limit:
        return None
    wait = (failures[0] + growing_delay(len(failures) - limit) - stamp).total_seconds()
    return wait if wait > 0 else None


async def _lock_wait(username: str, limit: int, stamp: datetime) -> float | None:
    if limit <= 0:
        return None
    # the newest `limit` failures in the window: the pause lasts until the oldest leaves it
    failures = await _recent(_account(username), stamp, limit)
    if len(failures) < limit:
        return None
    return (failures[-1] + _window() - stamp).total_seconds()


async def retry_after(username: str, address: str | None) -> int | None:
    """Seconds until a sign-in as `username` from `address` may be tried again, or None."""
    settings = get_settings()
    stamp = clock.now()
    waits = [
        await _growing_wait(_pair(username, address), settings.login_max_failures, stamp),
        await _growing_wait(_address(address), settings.login_max_failures_per_address, stamp),
        await _lock_wait(username, settings.login_lock_failures, stamp),
    ]
    found = [w for w in waits if w is not None and w > 0]
    return max(1, math.ceil(max(found))) if found else None


async def record_failure(username: str, address: str | None) -> None:
    stamp = clock.now()
    rows = [
        LoginFailure(subject=_pair(username, address), failed_at=stamp),
        LoginFailure(subject=_account(username), failed_at=stamp),
    ]
    if subject := _address(address):
        rows.append(LoginFailure(subject=subject, failed_at=stamp))
    await LoginFailure.insert(*rows)
    if await _lock_wait(username, get_settings().login_lock_failures, stamp):
        await _tell_owner(username, stamp)


async def _tell_owner(username: str, stamp: datetime) -> None:
    """The account is paused everywhere: its owner hears of it (once an hour at most)."""
    from app.notify.outbox import Notice, send

    owner = await User.select(User.id).where(User.username == username.strip()).first()
    if owner is None:
        return
    notice = Notice(
        kind="account_locked",
        message=LOCKED_MESSAGE,
        link="/account/password",
        dedupe=f"account_locked:{owner['id']}:{stamp:%Y%m%d%H}",
    )
    await send(notice, [owner["id"]], stamp)


async def clear_pair(username: str, address: str | None) -> None:
    await LoginFailure.delete().where(LoginFailure.subject == _pair(username, address))


async def clear_account(username: str) -> None:
    """A password reset: the account and every pair of it start afresh."""
    await LoginFailure.delete().where(
        (LoginFailure.subject == _account(username))
        | LoginFailure.subject.like(_pair_prefix(username) + "%")
    )


async def purge_old() -> int:
    """Scheduler job: forget failures that no longer count. Idempotent."""
    gone = await (
        LoginFailure.delete()
        .where(LoginFailure.failed_at <= clock.now() - _window())
        .returning(LoginFailure.id)
    )
    return len(gone)
