"""Baselines served by a bare Litestar app on the same database as Pingli:

- `POST /bare`: one INSERT through the same Piccolo engine, no auth, validation or ledger
  (bench/foundation.py's create baseline).
- `GET /pk/{id}`: one case row by primary key, the cheapest read the framework and the
  database allow: the standard `sqlite3` module on a connection kept per thread (a sync
  handler in Litestar's thread pool), or one asyncpg pool on PostgreSQL (bench/http.py).
- `POST /create`: a case row and a ledger row inserted in one transaction, with the same
  durability as Pingli's (WAL with SQLite's default `synchronous`; PostgreSQL's default
  `synchronous_commit`) (bench/http.py's create baseline).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import uuid
from datetime import UTC, datetime

from litestar import Litestar, get, post

from app import db
from app.disputes.tables import Dispute

URL = os.environ.get("PINGLI_DATABASE_URL", "")
IS_PG = URL.startswith(("postgres://", "postgresql://"))

BARE_TABLES = (
    "CREATE TABLE IF NOT EXISTS bench_case (id VARCHAR(36) PRIMARY KEY, title TEXT NOT NULL,"
    " category TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS bench_ledger (id VARCHAR(36) PRIMARY KEY,"
    " case_id VARCHAR(36) NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL, at TEXT NOT NULL)",
)
PK_SQL = 'SELECT * FROM "dispute" WHERE "id" = {}'
INSERT_CASE = "INSERT INTO bench_case (id, title, category, status, created_at) VALUES ({})"
INSERT_LEDGER = "INSERT INTO bench_ledger (id, case_id, kind, payload, at) VALUES ({})"


@post("/bare")
async def bare(data: dict) -> dict:
    row_id = str(data.get("id") or uuid.uuid4())
    await Dispute.raw("INSERT INTO bench_bare (id, body) VALUES ({}, {})", row_id, "x")
    return {"id": row_id}


@get("/healthz")
async def healthz() -> dict:
    return {"status": "ok"}


# -- SQLite: the standard module, one connection per thread of the pool ------------------------
_local = threading.local()


def _conn() -> sqlite3.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(str(db.sqlite_path(URL)), timeout=30, isolation_level=None)
        conn.row_factory = sqlite3.Row
        _local.conn = conn
    return conn


@get("/pk/{row_id:str}", sync_to_thread=True)
def pk_sqlite(row_id: str) -> dict:
    row = _conn().execute(PK_SQL.format("?"), (row_id,)).fetchone()
    return dict(row) if row else {}


@post("/create", sync_to_thread=True)
def create_sqlite(data: dict) -> dict:
    case_id = str(data.get("id") or uuid.uuid4())
    stamp = datetime.now(UTC).isoformat()
    conn = _conn()
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(
            INSERT_CASE.format("?, ?, ?, ?, ?"), (case_id, "t", "neighbours", "new", stamp)
        )
        conn.execute(
            INSERT_LEDGER.format("?, ?, ?, ?, ?"),
            (str(uuid.uuid4()), case_id, "created", "{}", stamp),
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return {"id": case_id}


# -- PostgreSQL: asyncpg, one pool ---------------------------------------------------------------
_pool = None


@get("/pk/{row_id:str}")
async def pk_pg(row_id: str) -> dict:
    async with _pool.acquire() as conn:
        row = await conn.fetchrow(PK_SQL.format("$1"), uuid.UUID(row_id))
    return {k: str(v) for k, v in row.items()} if row else {}


@post("/create")
async def create_pg(data: dict) -> dict:
    case_id = str(data.get("id") or uuid.uuid4())
    stamp = datetime.now(UTC).isoformat()
    async with _pool.acquire() as conn, conn.transaction():
        await conn.execute(
            INSERT_CASE.format("$1, $2, $3, $4, $5"), case_id, "t", "n", "new", stamp
        )
        await conn.execute(
            INSERT_LEDGER.format("$1, $2, $3, $4, $5"),
            str(uuid.uuid4()),
            case_id,
            "created",
            "{}",
            stamp,
        )
    return {"id": case_id}


async def _startup() -> None:
    global _pool
    await db.start(pool_size=10)
    await db.engine().run_ddl(
        "CREATE TABLE IF NOT EXISTS bench_bare (id VARCHAR(36) PRIMARY KEY, body TEXT)"
    )
    for ddl in BARE_TABLES:
        await db.engine().run_ddl(ddl)
    if IS_PG:
        import asyncpg

        async def keep(_conn) -> None:  # as Pingli's pool (app/db.py): no reset round trip
            pass

        _pool = await asyncpg.create_pool(URL, min_size=1, max_size=10, reset=keep)


async def _shutdown() -> None:
    if _pool is not None:
        await _pool.close()
    await db.stop()


_handlers = [bare, healthz, *((pk_pg, create_pg) if IS_PG else (pk_sqlite, create_sqlite))]
app = Litestar(_handlers, on_startup=[_startup], on_shutdown=[_shutdown])
