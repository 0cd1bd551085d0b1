"""The one clock the domain reads. Tests replace `now` to travel in time (reminders, holds)."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
