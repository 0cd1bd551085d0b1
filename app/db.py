"""Engine choice, pool start/stop, transactions and the few engine differences we must know.

SQLite is the embedded default; PostgreSQL (with PostGIS) is production. Everything else in the
code base talks to Piccolo and never asks which engine it has, except through this module.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from contextvars import ContextVar
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.querystring import QueryString
from piccolo.table import Table

from app.sqlite_engine import KeptSQLiteEngine

try:  # asyncpg is only needed for PostgreSQL
    import asyncpg
except ImportError:  # pragma: no cover
    asyncpg = None


def sqlite_path(url: str) -> Path:
    parsed = urlparse(url)
    # sqlite:///relative/or/absolute -> netloc is empty, path is "/..."
    raw = parsed.path
    if raw.startswith("//"):
        raw = raw[1:]
    return Path(raw)


def engine_from_url(url: str) -> Engine:
    if url.startswith(("postgres://", "postgresql://")):
        # asyncpg prepares every statement; after five runs PostgreSQL may switch it to a
        # generic plan that cannot see the values. For lists whose best index depends on the
        # value (a search term of two characters or of five, a common status or a rare one) the
        # generic plan can be a hundred times slower, so every execution is planned for its values.
        # random_page_cost: PostgreSQL's default (4) assumes spinning disks; with it, a list of
        # one township's closed cases filtered by text walks the whole county's created_at index
        # (cases arrive in date order, so that index looks cheap) instead of the township's own.
        # 1.1 is the usual value for SSDs, which is what county servers run on.
        server_settings = {"plan_cache_mode": "force_custom_plan", "random_page_cost": "1.1"}
        return PostgresEngine(
            config={"dsn": url, "server_settings": server_settings}, log_queries=False
        )
    if url.startswith("sqlite:"):
        path = sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        protect_sqlite_files(path)
        # timeout: wait for a concurrent writer instead of failing with "database is locked".
        return KeptSQLiteEngine(path=str(path), timeout=30)
    raise ValueError(f"Unsupported PINGLI_DATABASE_URL: {url!r}")


SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def protect_sqlite_files(path: Path) -> None:
    """The live SQLite file holds names, addresses and case descriptions in clear: only its
    owner may read it (0600), like the keys and backups. It is created empty with that mode
    before SQLite opens it; SQLite gives its -wal and -shm files the database file's mode, and
    any left from before are narrowed here too."""
    if not path.exists():
        with suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for suffix in SQLITE_COMPANIONS:
        companion = path.with_name(path.name + suffix)
        try:
            if companion.stat().st_mode & 0o077:
                companion.chmod(0o600)
        except FileNotFoundError:
            continue


_engine: Engine | None = None


def engine() -> Engine:
    """piccolo_conf's engine, made once at its import. Kept here: Piccolo's own finder looks the
    module up anew on every call, tens of microseconds asked several times per request."""
    global _engine
    if _engine is None:
        from piccolo.engine import engine_finder

        found = engine_finder()
        assert found is not None
        _engine = found
    return _engine


def is_postgres() -> bool:
    return isinstance(engine(), PostgresEngine)


async def _keep_session(_connection: Any) -> None:
    """What a pooled connection is reset with when given back, besides asyncpg's own rollback
    of a transaction left open: nothing. The default also unlocks session advisory locks,
    closes cursors, unlistens and resets settings, one more round trip after every statement
    (a fifth of a case read's time under load); nothing here leaves any of those on a pooled
    connection (advisory locks are transaction-level, settings `SET LOCAL`, the scheduler's
    session lock has its own connection: app/scheduler.py)."""


# PostgreSQL: a second, smaller pool for statements whose best plan is the same whatever their
# values: a row by its key, a count by its owner, the dashboard's stamps (`run_fixed`). The main
# pool plans every execution for its values (engine_from_url: lists need it); for these, the
# planning cost more than the running (a case's row: 187 µs planned, 41 µs run; the dashboard's
# stamps 160 µs planned, 22 µs run), so their connections keep PostgreSQL's default: a generic
# plan, once five runs have shown it is as good.
_fixed_pool: Any = None


async def start(pool_size: int = 10) -> None:
    global _fixed_pool
    db = engine()
    if isinstance(db, PostgresEngine):
        await db.start_connection_pool(min_size=1, max_size=pool_size, reset=_keep_session)
        settings = {"random_page_cost": db.config["server_settings"]["random_page_cost"]}
        _fixed_pool = await asyncpg.create_pool(
            dsn=db.config["dsn"],
            server_settings=settings,
            min_size=1,
            max_size=max(2, pool_size // 2),
            reset=_keep_session,
        )
    else:
        # WAL lets readers carry on while one writer writes; it persists in the file.
        await db.run_ddl("PRAGMA journal_mode=WAL")
        protect_sqlite_files(Path(db.path))


_stop_hooks: list[Callable[[], Awaitable[None]]] = []


def on_stop(hook: Callable[[], Awaitable[None]]) -> None:
    """Run `hook` when the pool stops: other pools on the same database (app/geo/postgis.py)."""
    if hook not in _stop_hooks:
        _stop_hooks.append(hook)


async def stop() -> None:
    global _fixed_pool
    db = engine()
    if isinstance(db, PostgresEngine):
        await db.close_connection_pool()
        if _fixed_pool is not None:
            try:  # a connection never given back must not hold up the shutdown
                await asyncio.wait_for(_fixed_pool.close(), timeout=10)
            except TimeoutError:
                _fixed_pool.terminate()
            _fixed_pool = None
    elif isinstance(db, KeptSQLiteEngine):
        await db.close_idle()
    for hook in _stop_hooks:
        await hook()


async def run_fixed(querystring: Any) -> Any:
    """Run a statement whose best plan does not depend on its values (see `_fixed_pool`):
    what `engine().run_querystring` answers. In a transaction, in it."""
    db = engine()
    if _fixed_pool is not None and db.current_transaction.get() is None:  # type: ignore[attr-defined]
        sql, args = querystring.compile_string(engine_type="postgres")
        return await _fixed_pool.fetch(sql, *args)
    return await db.run_querystring(querystring)


# what to do once the outermost transaction has committed (see after_commit)
_after_commit: ContextVar[list[Callable[[], None]] | None] = ContextVar(
    "pingli_after_commit", default=None
)


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` when the current transaction has committed (at once outside one; never
    when it rolls back). For telling other processes that something changed: told before the
    commit, they could read the old rows again and keep them."""
    pending = _after_commit.get()
    if pending is None:
        callback()
    else:
        pending.append(callback)


def _quoted(text: str) -> str:
    """A string literal (standard_conforming_strings, PostgreSQL's default since 9.1)."""
    return "'" + text.replace("'", "''") + "'"


class _FixedPlanTransaction(PostgresTransaction):
    """Piccolo's transaction on a connection of the generic-plan pool (`_fixed_pool`), given
    back to that pool at the end (Piccolo's own gives its connection back to the main pool).
    Begun, committed and rolled back by plain statements, so that BEGIN can carry the
    transaction's advisory lock in the same round trip."""

    lock: str | None = None

    async def get_connection(self) -> Any:
        return await _fixed_pool.acquire()

    async def begin(self) -> None:
        sql = "BEGIN"
        if self.lock is not None:
            sql += f"; SELECT pg_advisory_xact_lock(hashtextextended({_quoted(self.lock)}, 0))"
        try:
            await self.connection.execute(sql)
        except BaseException:
            # not begun, so never ended by __aexit__: the connection goes back to the pool here
            await _fixed_pool.release(self.connection)
            raise

    async def commit(self) -> None:
        await self.connection.execute("COMMIT")
        self._committed = True

    async def rollback(self) -> None:
        await self.connection.execute("ROLLBACK")
        self._rolled_back = True

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            await _fixed_pool.release(self.connection)
            self.engine.current_transaction.reset(self.context)
        return exception is None


@asynccontextmanager
async def transaction(by_key: bool = False, lock: str | None = None) -> AsyncIterator[None]:
    """A write transaction. On SQLite it takes the write lock up front (BEGIN IMMEDIATE), so a
    check-then-insert inside it is serialized against every other writer (and, in this process,
    waits its turn in the writer queue: KeptSQLiteEngine).

    `by_key`: every statement in it finds its rows by key (a case, its ledger, the people at a
    node), none is a list whose best plan depends on its values; on PostgreSQL it then runs on
    the generic-plan pool, its statements planned once per connection (`_fixed_pool`): what
    creating a case spent most in the database on was planning.

    `lock`: a key no other transaction holds while this one runs (two with the same key run
    one after the other), taken first. PostgreSQL: an advisory lock, sent with BEGIN on the
    generic-plan pool; SQLite: every write transaction runs alone anyway."""
    db = engine()
    kind = {"transaction_type": TransactionType.immediate} if isinstance(db, SQLiteEngine) else {}
    outermost = db.current_transaction.get() is None  # type: ignore[attr-defined]

    on_fixed = by_key and _fixed_pool is not None and outermost

    def begin() -> Any:
        if on_fixed:
            fixed = _FixedPlanTransaction(engine=db)  # type: ignore[arg-type]
            fixed.lock = lock
            return fixed
        return db.transaction(**kind)

    async def take_lock() -> None:
        # when the lock did not ride on BEGIN (no generic-plan pool, or a nested transaction)
        if lock is not None and isinstance(db, PostgresEngine) and not on_fixed:
            await db.run_querystring(
                QueryString("SELECT pg_advisory_xact_lock(hashtextextended({}, 0))", lock)
            )

    if _after_commit.get() is not None:  # nested: the outermost one commits
        async with begin():
            await take_lock()
            yield
        return
    token = _after_commit.set([])
    try:
        async with begin():
            await take_lock()
            yield
        callbacks = _after_commit.get() or []
    finally:
        _after_commit.reset(token)
    for callback in callbacks:
        callback()


async def bulk_insert(table: type[Table], rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows at once, without the ORM's per-row work (which costs more than the
    database for a hundred thousand synthetic cases): COPY on PostgreSQL, executemany on
    SQLite. Every row has the same keys, named as the table's columns. Runs inside the caller's
    transaction (see `transaction()`), which it requires."""
    if not rows:
        return
    columns = list(rows[0])
    records = [tuple(row[c] for c in columns) for row in rows]
    name = table._meta.tablename
    db = engine()
    current = db.current_transaction.get()
    if current is None:
        raise RuntimeError("bulk_insert runs inside db.transaction()")
    if isinstance(db, PostgresEngine):
        await current.connection.copy_records_to_table(name, records=records, columns=columns)
    else:
        quoted = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        await current.connection.executemany(
            f'INSERT INTO "{name}" ({quoted}) VALUES ({marks})', records
        )


async def analyze(*tables: type[Table]) -> None:
    """Refresh the planner's statistics of these tables after a bulk load. Autovacuum gets
    there eventually, but until it does PostgreSQL plans for the tables as they were (a case
    ledger of a million rows taken for an empty one: every look-up by case became a full scan).
    SQLite plans without statistics (its plans were chosen that way): left alone."""
    if not is_postgres():
        return
    for table in tables:
        await engine().run_ddl(f'ANALYZE "{table._meta.tablename}"')


def is_unique_violation(exc: BaseException) -> bool:
    if isinstance(exc, sqlite3.IntegrityError):
        return "UNIQUE" in str(exc) or "PRIMARY KEY" in str(exc)
    return asyncpg is not None and isinstance(exc, asyncpg.UniqueViolationError)


def is_exclusion_violation(exc: BaseException) -> bool:
    return asyncpg is not None and isinstance(exc, asyncpg.ExclusionViolationError)


def is_deadlock(exc: BaseException) -> bool:
    """PostgreSQL broke a wait cycle by aborting this transaction (the other one goes on)."""
    return asyncpg is not None and isinstance(exc, asyncpg.DeadlockDetectedError)
