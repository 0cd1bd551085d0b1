"""Sign-in throttling: refused sign-ins are counted per username and per client address.

Litestar's RateLimitMiddleware counts every request; what matters here is failures, and every
web worker must see the same count, so each failure is a row (`login_failure`) on either
engine. After PINGLI_LOGIN_MAX_FAILURES for one username, or
PINGLI_LOGIN_MAX_FAILURES_PER_ADDRESS from one address, within PINGLI_LOGIN_WINDOW_MINUTES,
sign-in answers 429 with Retry-After, even with the right password, until enough failures have
aged out of the window. A successful sign-in clears the username's count (not the address's:
an attacker with one good account must not reset the count of the address it guesses from).
An attempt refused as throttled checks no password and counts nothing more.
"""

from __future__ import annotations

import math
from datetime import timedelta

from app import clock
from app.auth.tables import LoginFailure
from app.settings import get_settings


def _account(username: str) -> str:
    return "account:" + username.strip().casefold()[:64]


def _address(address: str | None) -> str | None:
    return "address:" + address[:100] if address else None


def _window() -> timedelta:
    return timedelta(minutes=get_settings().login_window_minutes)


async def retry_after(username: str, address: str | None) -> int | None:
    """Seconds until a sign-in as `username` from `address` may be tried again, or None."""
    settings = get_settings()
    stamp = clock.now()
    window = _window()
    waits = []
    for subject, limit in (
        (_account(username), settings.login_max_failures),
        (_address(address), settings.login_max_failures_per_address),
    ):
        if subject is None or limit <= 0:
            continue
        # the newest `limit` failures in the window: the pause lasts until the oldest of
        # them leaves the window
        rows = await (
            LoginFailure.select(LoginFailure.failed_at)
            .where(LoginFailure.subject == subject, LoginFailure.failed_at > stamp - window)
            .order_by(LoginFailure.failed_at, ascending=False)
            .limit(limit)
        )
        if len(rows) >= limit:
            waits.append((rows[-1]["failed_at"] + window - stamp).total_seconds())
    return max(1, math.ceil(max(waits))) if waits else None


async def record_failure(username: str, address: str | None) -> None:
    stamp = clock.now()
    rows = [LoginFailure(subject=_account(username), failed_at=stamp)]
    if subject := _address(address):
        rows.append(LoginFailure(subject=subject, failed_at=stamp))
    await LoginFailure.insert(*rows)


async def clear_account(username: str) -> None:
    await LoginFailure.delete().where(LoginFailure.subject == _account(username))


async def purge_old() -> int:
    """Scheduler job: forget failures that no longer count. Idempotent."""
    gone = await (
        LoginFailure.delete()
        .where(LoginFailure.failed_at <= clock.now() - _window())
        .returning(LoginFailure.id)
    )
    return len(gone)
