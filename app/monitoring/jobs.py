"""Monitoring's scheduled jobs (listed in app/scheduler.py). Each is idempotent: the facts
refresh adds differences once, alert rules claim their cases, reminders and reports have
unique keys. Each takes `now` so tests (and a catch-up by hand) can set the clock."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.monitoring import alerts, facts, reports, sweeps


async def refresh_figures(now: datetime | None = None) -> dict[str, Any]:
    return await facts.refresh(now)


async def raise_alerts(now: datetime | None = None) -> dict[str, int]:
    return await alerts.run_rules(now)


async def remind_sweeps(now: datetime | None = None) -> dict[str, int]:
    return await sweeps.remind_missing(now)


async def daily_reports(now: datetime | None = None) -> dict[str, int]:
    return await reports.issue("daily", now)


async def weekly_reports(now: datetime | None = None) -> dict[str, int]:
    return await reports.issue("weekly", now)


async def monthly_reports(now: datetime | None = None) -> dict[str, int]:
    return await reports.issue("monthly", now)
