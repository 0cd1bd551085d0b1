"""Retention of the audit log: entries older than PINGLI_AUDIT_RETENTION_DAYS are deleted,
daily, by the scheduler. This is the only delete the database lets through (the triggers of
migrations/…07_19_26: never an edit, never an entry younger than 180 days, and on PostgreSQL
only from a transaction that says it is this purge)."""

from __future__ import annotations

from datetime import datetime, timedelta

from app import clock, db
from app.audit.tables import AuditLog
from app.settings import get_settings


async def purge(now: datetime | None = None) -> int:
    """Delete the expired entries; answers how many went. Idempotent."""
    days = get_settings().audit_retention_days
    cutoff = (now or clock.now()) - timedelta(days=days)
    async with db.transaction():
        if db.is_postgres():
            await AuditLog.raw("SET LOCAL pingli.audit_purge = 'on'")
        gone = await AuditLog.delete().where(AuditLog.created_at < cutoff).returning(AuditLog.id)
    return len(gone)
