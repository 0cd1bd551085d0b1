"""Everything time-driven, in one list. Exactly one scheduler runs:

- `make run` / `pingli serve` with one worker: inside the web process (PINGLI_SCHEDULER=1);
- production: its own `pingli scheduler` process beside N web workers (PINGLI_SCHEDULER=0 there).

On PostgreSQL the scheduler first takes an advisory lock, so a second scheduler started by
mistake waits as a standby instead of running every job twice. The lock lives as long as its
connection: before every job run the scheduler checks that the connection is alive and still
holds the lock. When it has lost it (the connection was cut, the database restarted) it runs
nothing and tries to take the lock again at the next run; meanwhile a standby polling for the
lock takes over. Each job is still an idempotent claim over database state, so even a double
run changes nothing twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from app import db
from app.attachments import orphans as orphan_photos
from app.audit import retention as audit_retention
from app.auth import sessions, throttle
from app.disputes import jobs as dispute_jobs
from app.monitoring import jobs as monitoring_jobs
from app.notify import drain
from app.rules import calendar as holiday_calendar
from app.rules import recompute
from app.settings import get_settings

log = logging.getLogger("pingli.scheduler")

# pg_advisory_lock key: the ASCII of "pingli" squeezed into a bigint
ADVISORY_LOCK_KEY = 0x70696E676C69
CHINA = "Asia/Shanghai"


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[[], Awaitable[object]]
    trigger: BaseTrigger


def jobs() -> list[Job]:
    """The one list of scheduled jobs. Each lives in its domain's module."""
    return [
        Job("purge-expired-logins", sessions.purge_expired, IntervalTrigger(minutes=15)),
        Job(
            "purge-audit-log", audit_retention.purge, CronTrigger(hour=3, minute=30, timezone=CHINA)
        ),
        # sends what is due in the outbox: reminders, web push, SMS (claims make a rerun harmless)
        Job("drain-outbox", drain.run, IntervalTrigger(minutes=1)),
        Job("purge-old-login-failures", throttle.purge_old, IntervalTrigger(minutes=15)),
        Job(
            "sweep-deadlines",
            dispute_jobs.sweep_deadlines,
            IntervalTrigger(minutes=get_settings().deadline_sweep_minutes),
        ),
        # after a calendar year or the time limits changed (done at once by the admin page too)
        Job("recompute-deadlines", recompute.recompute, IntervalTrigger(minutes=10)),
        Job("refresh-figures", monitoring_jobs.refresh_figures, IntervalTrigger(minutes=5)),
        Job("raise-alerts", monitoring_jobs.raise_alerts, IntervalTrigger(minutes=10)),
        Job(
            "remind-sweeps",
            monitoring_jobs.remind_sweeps,
            CronTrigger(hour=9, minute=0, timezone=CHINA),
        ),
        # each issues the latest ended period if it is missing, so a run after downtime catches up
        Job(
            "daily-reports",
            monitoring_jobs.daily_reports,
            CronTrigger(hour=8, minute=0, timezone=CHINA),
        ),
        Job(
            "weekly-reports",
            monitoring_jobs.weekly_reports,
            CronTrigger(day_of_week="mon", hour=8, minute=5, timezone=CHINA),
        ),
        # photo files a crash left without their row, older than a day (idempotent)
        Job(
            "remove-orphan-photos",
            orphan_photos.remove_old,
            CronTrigger(hour=4, minute=15, timezone=CHINA),
        ),
        Job(
            "monthly-reports",
            monitoring_jobs.monthly_reports,
            CronTrigger(day=1, hour=8, minute=10, timezone=CHINA),
        ),
    ]


def build(lock: SchedulerLock | None = None) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="Asia/Shanghai")
    for job in jobs():
        scheduler.add_job(
            _logged(job, lock),
            job.trigger,
            id=job.name,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=300,
        )
    return scheduler


def _logged(job: Job, lock: SchedulerLock | None = None) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        if lock is not None and not await lock.ensure():
            log.warning("job %s not run: this scheduler does not hold the lock", job.name)
            return
        try:
            await holiday_calendar.ensure()  # the calendar every job counts days with
            result = await job.func()
            log.info("job %s done: %s", job.name, result)
        except Exception:  # a failing job must not stop the others
            log.exception("job %s failed", job.name)

    run.__name__ = job.name
    return run


class SchedulerLock:
    """Holds the PostgreSQL advisory lock on a dedicated connection (no-op on SQLite)."""

    def __init__(self) -> None:
        self._conn = None
        self._guard = asyncio.Lock()

    async def held(self) -> bool:
        """True while the lock's connection is alive and holds the advisory lock."""
        if not db.is_postgres():
            return True
        if self._conn is None or self._conn.is_closed():
            return False
        try:
            return bool(
                await asyncio.wait_for(
                    self._conn.fetchval(
                        "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
                        " AND pid = pg_backend_pid() AND granted"
                        " AND ((classid::bigint << 32) | objid::bigint) = $1)",
                        ADVISORY_LOCK_KEY,
                    ),
                    timeout=10,
                )
            )
        except Exception:  # the connection was cut: the lock went with it
            return False

    async def ensure(self) -> bool:
        """Before a job run: still the holder, or the holder again, or not (a standby now
        holds it; this scheduler runs nothing until it can take the lock back)."""
        async with self._guard:  # jobs due at the same moment check one after another
            if await self.held():
                return True
            log.error("the scheduler lost its advisory lock; trying to take it again")
            await self.release()
            try:
                return await self.acquire(wait=False)
            except Exception:
                log.exception("could not reconnect to take the scheduler lock")
                await self.release()
                return False

    async def acquire(self, wait: bool = True, poll_seconds: float = 10.0) -> bool:
        if not db.is_postgres():
            return True
        import asyncpg

        self._conn = await asyncpg.connect(db.engine().config["dsn"])
        while True:
            if await self._conn.fetchval("SELECT pg_try_advisory_lock($1)", ADVISORY_LOCK_KEY):
                return True
            if not wait:
                await self.release()
                return False
            log.info("another scheduler holds the lock; standing by")
            await asyncio.sleep(poll_seconds)

    async def release(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                await conn.close()  # closing the session releases the lock
            except Exception:
                conn.terminate()


async def run_forever() -> None:
    """`pingli scheduler`: take the lock, then run the jobs until stopped."""
    await db.start(pool_size=2)
    lock = SchedulerLock()
    await lock.acquire(wait=True)
    scheduler = build(lock)
    scheduler.start()
    log.info("scheduler running %d jobs", len(jobs()))
    try:
        await asyncio.Event().wait()
    finally:
        scheduler.shutdown(wait=False)
        await lock.release()
        await db.stop()
