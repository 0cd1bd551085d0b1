"""Time limits of a case. due_at is always derived from these, never typed in."""

from __future__ import annotations

from datetime import datetime, timedelta

ACCEPT_WITHIN_DAYS = 3


def accept_due(logged_at: datetime) -> datetime:
    return logged_at + timedelta(days=ACCEPT_WITHIN_DAYS)
