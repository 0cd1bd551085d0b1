"""The baseline for the create benchmark: a bare Litestar endpoint doing one INSERT into the
same database through the same Piccolo engine, with no auth, validation or ledger."""

from __future__ import annotations

import uuid

from litestar import Litestar, get, post

from app import db
from app.disputes.tables import Dispute


@post("/bare")
async def bare(data: dict) -> dict:
    row_id = str(data.get("id") or uuid.uuid4())
    await Dispute.raw("INSERT INTO bench_bare (id, body) VALUES ({}, {})", row_id, "x")
    return {"id": row_id}


@get("/healthz")
async def healthz() -> dict:
    return {"status": "ok"}


async def _startup() -> None:
    await db.start(pool_size=10)
    await db.engine().run_ddl(
        "CREATE TABLE IF NOT EXISTS bench_bare (id VARCHAR(36) PRIMARY KEY, body TEXT)"
    )


app = Litestar([bare, healthz], on_startup=[_startup], on_shutdown=[db.stop])
