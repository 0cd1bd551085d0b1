"""Engine choice, pool start/stop, transactions and the few engine differences we must know.

SQLite is the embedded default; PostgreSQL (with PostGIS) is production. Everything else in the
code base talks to Piccolo and never asks which engine it has, except through this module.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from contextvars import ContextVar
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory
from piccolo.query.methods.select import First
from piccolo.querystring import QueryString
from piccolo.table import Table

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


# -- SQLite: connections kept open, writers queued ------------------------------------------------
#
# Piccolo's SQLiteEngine opens a new aiosqlite connection (and its OS thread) for every statement
# outside a transaction and for every transaction, then closes it; and it sends
# `PRAGMA foreign_keys = 1` before every statement of a transaction. Under load that was most of
# a request's time (bench/README.md, "What one request costs"). KeptSQLiteEngine keeps its
# connections open instead: idle ones wait in a list (the most recently used first) and a
# statement or a transaction borrows one, so no thread is started per query; each statement is
# one trip to the connection's thread (execute and fetch together).
#
# Writers are queued in the process: a write transaction (BEGIN IMMEDIATE, see `transaction()`)
# or a lone INSERT/UPDATE/DELETE first takes an asyncio lock of the event loop, so the process
# sends SQLite one writer at a time and the others wait in line rather than in SQLite's busy
# handler (which polls, and gives up after the timeout). Other processes on the same file (the
# scheduler, `pingli` commands, a second worker) are still waited for by `timeout`.
#
# Nothing about durability changes: the same file, WAL (set at start, kept in the file), the
# same `synchronous` (SQLite's default, FULL), each commit as before. Every connection is in
# autocommit mode between transactions (isolation_level=None), so an idle connection holds no
# snapshot and sees every commit at its next statement.

# idle connections kept open: one per statement in flight (a page may run several at once); a
# burst beyond that opens more, closed when given back
_IDLE_KEPT = 32

# Reads in the event loop's own thread. A trip to a connection's thread costs ~165 µs here
# (queue, wake-up, call_soon_threadsafe, the GIL handed back and forth), ten times what reading a
# case row by key costs SQLite (~16 µs), and a page makes several reads. So a lone read (outside
# any transaction) runs first on the loop's thread, on a read-only connection of that thread,
# with a budget: a progress handler interrupts it past INLINE_BUDGET, and it runs again on a
# connection's thread as before, so a long read (a county's figures, an export) never holds the
# loop for more than the budget. Such a statement is remembered and goes to a thread at once the
# next time. Read-only (`mode=ro`): a statement that would write fails there and goes the
# writer's way, so nothing inline can write, wait on the write lock or fsync.
INLINE_BUDGET = 0.002  # seconds
_INLINE_STEPS = 2000  # SQLite VM steps between looks at the clock (a key read takes a few hundred)
_SLOW_KEPT = 512  # statements remembered as too long for the loop's thread


class _InlineReader:
    """The read-only connection of one thread (the event loop's), and the statements that
    outgrew the budget there."""

    def __init__(self, kwargs: dict[str, Any]) -> None:
        path = Path(kwargs["database"]).resolve()
        options = {k: v for k, v in kwargs.items() if k not in ("database", "uri")}
        self.connection = sqlite3.connect(
            f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False, **options
        )
        self.connection.row_factory = dict_factory
        self.deadline = 0.0
        self.connection.set_progress_handler(self._over_budget, _INLINE_STEPS)
        self.slow: dict[str, None] = {}

    def _over_budget(self) -> int:
        return 1 if time.perf_counter() > self.deadline else 0

    def fetch(self, sql: str, args: Sequence[Any]) -> list | None:
        """The rows, or None when the statement must run elsewhere (too long, or it writes)."""
        if sql in self.slow:
            return None
        self.deadline = time.perf_counter() + INLINE_BUDGET
        try:
            return _fetch(self.connection, sql, args)
        except sqlite3.OperationalError:
            # interrupted, or a write refused by mode=ro: the thread's connection runs it (and
            # raises whatever a real error is, worded as before)
            if len(self.slow) >= _SLOW_KEPT:
                self.slow.pop(next(iter(self.slow)))
            self.slow[sql] = None
            return None


def _fetch(raw: sqlite3.Connection, sql: str, args: Sequence[Any]) -> list:
    cursor = raw.execute(sql, args)
    try:
        return cursor.fetchall()
    finally:
        cursor.close()


def _is_read(sql: str) -> bool:
    head = sql.lstrip()[:8].upper()
    return head.startswith(("SELECT", "WITH", "EXPLAIN", "PRAGMA"))


class KeptSQLiteTransaction(SQLiteTransaction):
    """A transaction on a borrowed connection, given back (not closed) at the end. A write
    transaction waits its turn on the process's writer queue before BEGIN."""

    __slots__ = ("_write_lock",)
    engine: KeptSQLiteEngine

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            return self._parent
        self._write_lock = None
        if self.transaction_type != TransactionType.deferred:
            self._write_lock = self.engine.write_lock()
            await self._write_lock.acquire()
        try:
            self.connection = await self.engine.borrow()
            try:
                await self.begin()
            except BaseException:
                await self.engine.give_back(self.connection)
                raise
        except BaseException:
            if self._write_lock is not None:
                self._write_lock.release()
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            await self.engine.give_back(self.connection)
            self.engine.current_transaction.reset(self.context)
            if self._write_lock is not None:
                self._write_lock.release()
        return exception is None


class KeptSQLiteEngine(SQLiteEngine):
    """SQLiteEngine with connections kept open and writers queued (see above)."""

    __slots__ = ("_idle", "_locks", "_inline", "_inline_all")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._idle: list[aiosqlite.Connection] = []
        self._inline = threading.local()
        self._inline_all: list[_InlineReader] = []
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    def write_lock(self) -> asyncio.Lock:
        """The writer queue of the running event loop (one per process in production; tests
        run several loops, each with its own)."""
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            lock = self._locks[loop] = asyncio.Lock()
        return lock

    async def _open(self) -> aiosqlite.Connection:
        connection = aiosqlite.connect(**self.connection_kwargs)
        # The connection's thread must not keep the interpreter alive when a command forgets to
        # call db.stop(): idle connections hold no transaction, so nothing is lost with it.
        connection._thread.daemon = True
        await connection
        connection.row_factory = dict_factory  # type: ignore[assignment]
        connection._conn.row_factory = dict_factory
        await connection.execute("PRAGMA foreign_keys = 1")
        return connection

    async def borrow(self) -> aiosqlite.Connection:
        while self._idle:
            connection = self._idle.pop()
            if connection._connection is not None and connection._running:
                return connection
        return await self._open()

    async def give_back(self, connection: aiosqlite.Connection) -> None:
        healthy = connection._connection is not None and connection._running
        if healthy and not connection.in_transaction and len(self._idle) < _IDLE_KEPT:
            self._idle.append(connection)
        elif connection._connection is not None:
            with suppress(Exception):
                await connection.close()

    def _reader(self) -> _InlineReader:
        reader = getattr(self._inline, "reader", None)
        if reader is None:
            reader = self._inline.reader = _InlineReader(self.connection_kwargs)
            self._inline_all.append(reader)
        return reader

    async def close_idle(self) -> None:
        readers, self._inline_all = self._inline_all, []
        self._inline = threading.local()
        for reader in readers:
            with suppress(Exception):
                reader.connection.close()
        idle, self._idle = self._idle, []
        for connection in idle:
            with suppress(Exception):
                await connection.close()

    async def _run(self, sql: str, args: Sequence[Any], write: bool) -> list:
        # (a PRAGMA needs the connection it sets; anything that writes fails read-only)
        if not write and sql.lstrip()[:6].upper().startswith(("SELECT", "WITH")):
            rows = self._reader().fetch(sql, args)
            if rows is not None:
                return rows
        lock = self.write_lock() if write else None
        if lock is not None:
            await lock.acquire()
        try:
            connection = await self.borrow()
            try:
                return await connection._execute(_fetch, connection._conn, sql, args)
            finally:
                await self.give_back(connection)
        finally:
            if lock is not None:
                lock.release()

    async def _run_in_existing_connection(
        self, connection, query, args=None, query_type="generic", table=None
    ):
        # foreign_keys was set when the connection was opened: not again before every statement
        if query_type == "insert" and self.get_version_sync() < 3.35:  # pragma: no cover
            return await super()._run_in_existing_connection(
                connection, query, args, query_type, table
            )
        return await connection._execute(_fetch, connection._conn, query, args or [])

    async def run_querystring(self, querystring: QueryString, in_pool: bool = False):
        current = self.current_transaction.get()
        if current is not None or self.log_queries or self.log_responses:
            return await super().run_querystring(querystring, in_pool)
        query, args = querystring.compile_string(engine_type=self.engine_type)
        if querystring.query_type == "insert" and self.get_version_sync() < 3.35:
            return await super().run_querystring(querystring, in_pool)  # pragma: no cover
        return await self._run(query, args, write=not _is_read(query))

    async def run_ddl(self, ddl: str, in_pool: bool = False):
        current = self.current_transaction.get()
        if current is not None or self.log_queries or self.log_responses:
            return await super().run_ddl(ddl, in_pool)
        return await self._run(ddl, [], write=not _is_read(ddl))

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.deferred,
        allow_nested: bool = True,
    ) -> SQLiteTransaction:
        return KeptSQLiteTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )


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


def engine() -> Engine:
    from piccolo.engine import engine_finder

    found = engine_finder()
    assert found is not None
    return found


def is_postgres() -> bool:
    return isinstance(engine(), PostgresEngine)


async def _keep_session(_connection: Any) -> None:
    """What a pooled connection is reset with when given back, besides asyncpg's own rollback
    of a transaction left open: nothing. The default also unlocks session advisory locks,
    closes cursors, unlistens and resets settings, one more round trip after every statement
    (a fifth of a case read's time under load); nothing here leaves any of those on a pooled
    connection (advisory locks are transaction-level, settings `SET LOCAL`, the scheduler's
    session lock has its own connection: app/scheduler.py)."""


async def start(pool_size: int = 10) -> None:
    db = engine()
    if isinstance(db, PostgresEngine):
        await db.start_connection_pool(min_size=1, max_size=pool_size, reset=_keep_session)
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
    db = engine()
    if isinstance(db, PostgresEngine):
        await db.close_connection_pool()
    elif isinstance(db, KeptSQLiteEngine):
        await db.close_idle()
    for hook in _stop_hooks:
        await hook()


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


@asynccontextmanager
async def transaction() -> AsyncIterator[None]:
    """A write transaction. On SQLite it takes the write lock up front (BEGIN IMMEDIATE), so a
    check-then-insert inside it is serialized against every other writer (and, in this process,
    waits its turn in the writer queue: KeptSQLiteEngine)."""
    db = engine()
    kind = {"transaction_type": TransactionType.immediate} if isinstance(db, SQLiteEngine) else {}
    if _after_commit.get() is not None:  # nested: the outermost one commits
        async with db.transaction(**kind):
            yield
        return
    token = _after_commit.set([])
    try:
        async with db.transaction(**kind):
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


# -- statements built once ---------------------------------------------------------------------
#
# Piccolo builds a query's SQL anew every time it runs: for a select with joins that is most of
# the Python time a request spends on it (a third or more; issue #15's profiles), more than the
# database needs to answer. A hot statement is therefore built once as a Piccolo query with
# `Param` placeholders where its values go, compiled once, and run with the values of each call;
# the rows come back exactly as the query would have returned them (its own post-processing).


class Param:
    """A placeholder for a value of a prepared statement (see `Prepared`)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Param({self.name!r})"


class _Compiled:
    """What an engine's run_querystring needs of a QueryString, with the SQL already made."""

    __slots__ = ("_sql", "_args", "query_type", "table")

    def __init__(self, sql: str, args: list[Any], query_type: str, table: Any) -> None:
        self._sql, self._args, self.query_type, self.table = sql, args, query_type, table

    def compile_string(self, engine_type: str = "postgres") -> tuple[str, list[Any]]:
        return self._sql, self._args

    def __str__(self) -> str:
        return self._sql


class Prepared:
    """A Piccolo query made once (by `build`, at its first run: the engine is known then) with
    `Param("name")` where values go; `await prepared.run(name=value, ...)` answers what the
    query with those values would."""

    __slots__ = ("_build", "_query", "_first", "_sql", "_args", "_slots", "_type", "_table")

    def __init__(self, build: Callable[[], Any]) -> None:
        self._build = build
        self._query: Any = None

    def _prepare(self) -> None:
        query = self._build()
        # `.first()` is a proxy around the select: its one row (or None) is taken here
        self._first = isinstance(query, First)
        if self._first:
            query = query.query
        (querystring,) = query.querystrings
        sql, args = querystring.compile_string(engine_type=engine().engine_type)
        self._sql, self._args = sql, list(args)
        self._slots = [(i, a.name) for i, a in enumerate(args) if isinstance(a, Param)]
        self._type, self._table = querystring.query_type, querystring.table
        self._query = query

    async def run(self, **values: Any) -> Any:
        if self._query is None:
            self._prepare()
        args = list(self._args)
        for index, name in self._slots:
            args[index] = values[name]
        results = await engine().run_querystring(
            _Compiled(self._sql, args, self._type, self._table)
        )
        rows = await self._query._process_results(results)
        if self._first:
            return rows[0] if rows else None
        return rows
