"""The scheduler's advisory lock (PostgreSQL): a scheduler whose lock connection is cut runs
no job from then on, a standby takes the lock over, and the first takes it back once free."""

from __future__ import annotations

import asyncpg
import pytest
from apscheduler.triggers.interval import IntervalTrigger

from app import db
from app import scheduler as sched
from tests.conftest import ENGINE

pytestmark = pytest.mark.skipif(
    ENGINE != "postgres", reason="the advisory lock exists on PostgreSQL only (SQLite: one process)"
)


async def test_a_scheduler_that_lost_its_lock_runs_nothing_and_a_standby_takes_over(app):
    runs: list[str] = []

    def wrapped(name: str, lock: sched.SchedulerLock):
        async def probe() -> None:
            runs.append(name)

        return sched._logged(sched.Job(f"probe-{name}", probe, IntervalTrigger(minutes=1)), lock)

    first, standby = sched.SchedulerLock(), sched.SchedulerLock()
    try:
        assert await first.acquire(wait=False)
        assert not await standby.acquire(wait=False)
        run_first, run_standby = wrapped("first", first), wrapped("standby", standby)
        await run_first()
        await run_standby()
        assert runs == ["first"]

        # an administrator (or a failover) cuts the lock's connection
        admin = await asyncpg.connect(db.engine().config["dsn"])
        try:
            pid = first._conn.get_server_pid()
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
        finally:
            await admin.close()

        assert await standby.acquire(wait=False)  # the standby's poll takes over
        await run_first()  # the first notices before running, and stands by
        await run_standby()
        assert runs == ["first", "standby"]
        assert not await first.held()

        await standby.release()  # the standby stops: the first takes the lock back
        await run_first()
        assert runs == ["first", "standby", "first"]
        assert await first.held()
    finally:
        await first.release()
        await standby.release()
