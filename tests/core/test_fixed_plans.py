"""Statements planned once per connection (app/db.py, `run_fixed`; issue #15).

On PostgreSQL, statements that find rows by key and the lists nobody filtered run on a second
pool whose connections keep PostgreSQL's default plan cache; lists filtered by what a person
chose stay on the main pool, planned for their values every time. A case is created in a
transaction on that second pool: it must still commit or roll back whole, and give its
connection back. On SQLite there is one engine and all of it is the same path."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from piccolo.querystring import QueryString

from app import db
from app.disputes import ledger
from app.disputes.tables import CaseEvent, Dispute
from app.notify.tables import Notification


def db_pool_size() -> int:
    return 10  # what tests/conftest.py starts the pool with


_MODE = QueryString("SELECT current_setting('plan_cache_mode') AS mode")


async def _mode_fixed() -> str:
    return (await db.run_fixed(_MODE))[0]["mode"]


async def _mode_main() -> str:
    return (await db.engine().run_querystring(_MODE))[0]["mode"]


async def test_by_key_statements_and_transactions_plan_once_lists_by_values(app, engine_name):
    if engine_name != "postgres":
        pytest.skip("plan caching is PostgreSQL's")
    assert await _mode_fixed() == "auto"
    assert await _mode_main() == "force_custom_plan"
    async with db.transaction(by_key=True):
        # in a transaction everything runs on its connection, whichever way it is asked
        assert await _mode_fixed() == "auto" and await _mode_main() == "auto"
    async with db.transaction():
        assert await _mode_fixed() == "force_custom_plan"


async def test_a_queue_plans_once_and_a_search_for_its_values(cast, engine_name, monkeypatch):
    if engine_name != "postgres":
        pytest.skip("plan caching is PostgreSQL's")
    fixed: list[str] = []

    class Spy:
        def __init__(self, pool):
            self._pool = pool

        async def fetch(self, sql, *args):
            fixed.append(sql)
            return await self._pool.fetch(sql, *args)

        def __getattr__(self, name):
            return getattr(self._pool, name)

    monkeypatch.setattr(db, "_fixed_pool", Spy(db._fixed_pool))
    api = cast.api["demo-village"]
    assert (await api.get("/api/v1/disputes", params={"queue": "to_accept"})).status_code == 200
    assert any('FROM "dispute"' in sql for sql in fixed), "a queue is planned once"
    fixed.clear()
    r = await api.get("/api/v1/disputes", params={"q": "排水", "status": "logged"})
    assert r.status_code == 200
    assert not any('FROM "dispute"' in sql for sql in fixed), "a search is planned for its values"


async def test_a_create_that_fails_leaves_nothing_and_gives_its_connection_back(cast, monkeypatch):
    async def broken(*args, **kwargs):
        raise RuntimeError("the ledger is down")

    monkeypatch.setattr(ledger, "append", broken)
    # more failures than the pool has connections (app/db.py: half the main pool's)
    failed = [str(uuid.uuid4()) for _ in range(db_pool_size() // 2 + 1)]
    for case_id in failed:
        # a create waiting for a connection no one gave back would wait for ever
        r = await asyncio.wait_for(
            cast.api["demo-grid"].post(
                "/api/v1/disputes", json={"id": case_id, "title": "写到一半", "category": "debt"}
            ),
            timeout=30,
        )
        assert r.status_code == 500
    monkeypatch.undo()
    assert not await Dispute.exists().where(Dispute.id.is_in(failed))
    assert not await CaseEvent.exists().where(CaseEvent.dispute.is_in(failed))
    assert not await Notification.exists().where(Notification.payload.like(f"%{failed[0]}%"))
    # then more creates than either pool has connections: none waits for good on a
    # connection a failed create kept
    many = [cast.log_case("demo-grid", title=f"连接归还{i}") for i in range(24)]
    cases = await asyncio.wait_for(asyncio.gather(*many), timeout=60)
    assert len({c["case_no"] for c in cases}) == 24
