"""SQLite reads on the event loop's thread (app/db.py, issue #15): what a user would notice if
it went wrong — a long read that holds every other request, a case just saved missing from the
list read right after, a statement that writes slipping past the writer queue."""

from __future__ import annotations

import asyncio
import sqlite3
import time
import uuid

import pytest

from app import db, sqlite_engine
from app.disputes.tables import Dispute
from tests.conftest import ENGINE

pytestmark = pytest.mark.skipif(ENGINE != "sqlite", reason="the embedded engine's own reader")

# about a second of SQLite's work: far beyond the loop thread's budget
LONG_READ = (
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) "
    "SELECT count(*) AS c FROM n"
)


async def _heartbeat(beats: list[float], every: float) -> None:
    """What every other request on the process needs: the loop turning. Its times go in
    `beats`; a long gap between two is a time the loop was held."""
    while True:
        beats.append(time.perf_counter())
        await asyncio.sleep(every)


async def test_a_long_read_does_not_hold_the_other_requests(app):
    engine = db.engine()
    beats: list[float] = []

    ticker = asyncio.create_task(_heartbeat(beats, 0.005))
    try:
        started = time.perf_counter()
        rows = await engine.run_ddl(LONG_READ)
        took = time.perf_counter() - started
    finally:
        ticker.cancel()
    assert rows == [{"c": 3_000_000}]  # answered in full, elsewhere
    gaps = [b - a for a, b in zip(beats, beats[1:], strict=False)]
    assert took > 0.1 and len(beats) > 5  # it did take long, and the loop went on meanwhile
    assert max(gaps) < sqlite_engine.INLINE_BUDGET + 0.1
    # and it goes to a thread at once the next time (no budget spent on it again)
    assert LONG_READ in engine._reader().slow


async def test_a_case_saved_is_in_the_next_read_at_once(cast):
    # the write goes through a connection's thread and the writer queue, the read right after
    # on the loop's own read-only connection: it must see the commit
    for _ in range(5):
        case_id = str(uuid.uuid4())
        r = await cast.api["demo-grid"].post(
            "/api/v1/disputes",
            json={"id": case_id, "title": "刚登记的纠纷", "category": "neighbours"},
        )
        assert r.status_code == 201, r.text
        shown = await cast.api["demo-grid"].get(f"/api/v1/disputes/{case_id}")
        assert shown.status_code == 200
        listed = await cast.api["demo-grid"].get("/api/v1/disputes", params={"q": "刚登记"})
        assert case_id in [c["id"] for c in listed.json()["items"]]


async def test_a_statement_that_writes_never_runs_on_the_read_only_connection(app):
    engine = db.engine()
    marker = f"inline-{uuid.uuid4().hex[:8]}"
    newest = 'SELECT "id", "name" FROM "migration" ORDER BY "id" DESC LIMIT 1'
    (row,) = await engine.run_ddl(newest)
    # a statement that starts like a read but writes: refused read-only, it is written by a
    # thread's connection, and goes there at once from then on
    write = 'WITH t(v) AS (SELECT 1) UPDATE "migration" SET "name" = ? WHERE "id" = ?'
    try:
        await engine._run(write, [marker, row["id"]], write=False)
        assert (await engine.run_ddl(newest))[0]["name"] == marker
        assert write in engine._reader().slow
    finally:
        await engine._run(write, [row["name"], row["id"]], write=False)
    assert (await engine.run_ddl(newest))[0]["name"] == row["name"]
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        engine._reader().connection.execute('UPDATE "migration" SET "name" = "name" WHERE 0')


async def test_a_writer_in_another_process_is_waited_for_and_the_case_is_stored(cast):
    """A write transaction begins on the loop's thread only when SQLite's write lock is free;
    held by another process (the scheduler, a `pingli` command), the case waits its turn on a
    connection's thread — stored, not refused — and the other requests go on meanwhile."""
    other = sqlite3.connect(db.engine().path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process writing
    beats: list[float] = []

    async def release_later() -> None:
        await asyncio.sleep(0.4)
        other.execute("COMMIT")

    case_id = str(uuid.uuid4())
    ticker = asyncio.create_task(_heartbeat(beats, 0.005))
    releaser = asyncio.create_task(release_later())
    try:
        started = time.perf_counter()
        r = await cast.api["demo-grid"].post(
            "/api/v1/disputes",
            json={"id": case_id, "title": "等别人写完", "category": "neighbours"},
        )
        waited = time.perf_counter() - started
    finally:
        ticker.cancel()
        await releaser
        other.close()
    assert r.status_code == 201, r.text
    assert waited >= 0.35  # it did wait for the other writer
    gaps = [b - a for a, b in zip(beats, beats[1:], strict=False)]
    assert max(gaps) < 0.1  # and the loop went on meanwhile
    assert await Dispute.count().where(Dispute.id == uuid.UUID(case_id)) == 1


async def test_a_long_write_transaction_lets_the_other_requests_through(app):
    """An import writes thousands of rows in one transaction: its statements run on the loop's
    thread, but the loop turns at least every budget."""
    beats: list[float] = []

    ticker = asyncio.create_task(_heartbeat(beats, 0))
    await asyncio.sleep(0)
    try:
        started = time.perf_counter()
        async with db.transaction():
            for i in range(3000):
                await db.engine().run_ddl(
                    f'UPDATE "migration" SET "name" = "name" WHERE "id" = {-i}'
                )
        took = time.perf_counter() - started
    finally:
        ticker.cancel()
    inside = [b for b in beats if started <= b <= started + took]
    gaps = [b - a for a, b in zip(inside, inside[1:], strict=False)]
    assert took > 0.02 and len(inside) > 3
    assert max(gaps) < sqlite_engine.INLINE_BUDGET + 0.05


async def test_one_interrupted_read_that_runs_fast_elsewhere_stays_on_the_loop(app, monkeypatch):
    """An interruption may be the machine's hiccup (a pause of the whole process), not the
    statement: only a read that also takes longer than the budget on a thread is sent there
    from then on — otherwise one bad moment would cost every later request a thread trip."""
    engine = db.engine()
    reader = engine._reader()
    sql = 'SELECT "name" FROM "migration" ORDER BY "id" DESC LIMIT 1'
    hiccups = iter([True])

    def fetch_once_interrupted(statement, args):
        if statement == sql and next(hiccups, False):
            return None  # as if the budget ran out
        return sqlite_engine._fetch(reader.connection, statement, args)

    monkeypatch.setattr(reader, "fetch", fetch_once_interrupted)
    rows = await engine.run_ddl(sql)
    assert rows and "name" in rows[0]  # answered by a thread's connection
    assert sql not in reader.slow  # and not remembered as slow: it was quick there


async def test_a_read_that_waited_for_a_core_on_its_thread_is_not_sent_there_for_good(
    app, monkeypatch
):
    """Under load a thread's statement spends its wall time waiting (for a core, for the GIL),
    not reading: judged by the clock on the wall, a quick list statement was sent to a thread
    for the rest of the process's life. The time judged is the thread's own CPU time."""
    engine = db.engine()
    reader = engine._reader()
    sql = 'SELECT "id" FROM "migration" ORDER BY "id" LIMIT 1'
    real_fetch = sqlite_engine._fetch
    hiccups = iter([True])

    def interrupted_once(statement, args):
        if statement == sql and next(hiccups, False):
            return None  # the budget ran out on the loop's thread
        return real_fetch(reader.connection, statement, args)

    def waits_then_reads(raw, statement, args):
        if statement == sql and raw is not reader.connection:
            time.sleep(0.02)  # ten budgets of waiting, none of them reading
        return real_fetch(raw, statement, args)

    monkeypatch.setattr(reader, "fetch", interrupted_once)
    monkeypatch.setattr(sqlite_engine, "_fetch", waits_then_reads)
    rows = await engine.run_ddl(sql)
    assert rows and "id" in rows[0]
    assert sql not in reader.slow


async def test_a_read_sent_to_threads_is_tried_on_the_loop_again_and_kept_there_if_it_fits(
    app, monkeypatch
):
    """A busy minute can make a quick statement look long even by CPU time; sent to threads for
    good it would cost every later request a trip. So it is tried on the loop again now and then."""
    engine = db.engine()
    reader = engine._reader()
    sql = 'SELECT "id", "name" FROM "migration" ORDER BY "id" LIMIT 2'
    monkeypatch.setattr(sqlite_engine, "_RETRY_EVERY", 3)
    reader.remember_slow(sql)
    for _ in range(2):  # sent to a thread, still remembered
        assert await engine.run_ddl(sql)
        assert sql in reader.slow
    assert await engine.run_ddl(sql)  # the third time: tried here, and it fits
    assert sql not in reader.slow
