"""SQLite as Pingli runs it: connections kept open, writers queued in the process, lone reads on
the event loop's own thread (issue #15's request cost). app/db.py picks this engine for a
sqlite: URL; nothing else imports it."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
import weakref
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any

import aiosqlite
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory
from piccolo.querystring import QueryString

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
# loop for more than the budget. A statement that took longer than the budget there too is
# remembered and goes to a thread at once the next times (tried here again one time in
# _RETRY_EVERY: a busy moment makes quick statements slow too). Read-only (`mode=ro`): a
# statement that would write fails there and goes the writer's way, so nothing inline can
# write, wait on the write lock or fsync.
INLINE_BUDGET = 0.002  # seconds
_INLINE_STEPS = 2000  # SQLite VM steps between looks at the clock (a key read takes a few hundred)
_SLOW_KEPT = 512  # statements remembered as too long for the loop's thread
_RETRY_EVERY = 50  # such a statement is tried on the loop's thread again every this many times


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
        # statement -> times sent to a thread since it was last tried here (None: it writes)
        self.slow: dict[str, int | None] = {}

    def _over_budget(self) -> int:
        return 1 if time.perf_counter() > self.deadline else 0

    def fetch(self, sql: str, args: Sequence[Any]) -> list | None:
        """The rows, or None when the statement must run elsewhere (too long, or it writes)."""
        skipped = self.slow.get(sql, 0)
        if skipped is None:
            return None
        if sql in self.slow:
            # a statement once too long may have been the moment's, not its own (a busy machine
            # makes everything slow): tried here again now and then, and kept if it fits
            if skipped + 1 < _RETRY_EVERY:
                self.slow[sql] = skipped + 1
                return None
            self.slow[sql] = 0
        self.deadline = time.perf_counter() + INLINE_BUDGET
        try:
            rows = _fetch(self.connection, sql, args)
        except sqlite3.OperationalError as exc:
            # interrupted, or a write refused by mode=ro: the thread's connection runs it (and
            # raises whatever a real error is, worded as before)
            if "readonly" in str(exc):
                self.remember_slow(sql, writes=True)
            return None
        self.slow.pop(sql, None)
        return rows

    def remember_slow(self, sql: str, writes: bool = False) -> None:
        """Send `sql` to a thread: it took longer than the budget there too (one interruption
        alone may be the machine's hiccup, not the statement), or it writes (for good)."""
        if sql in self.slow and not writes:
            return
        if len(self.slow) >= _SLOW_KEPT:
            self.slow.pop(next(iter(self.slow)))
        self.slow[sql] = None if writes else 0


def _timed_fetch(raw: sqlite3.Connection, sql: str, args: Sequence[Any]) -> tuple[list, float]:
    """The rows, and the CPU time the statement took on this thread: under load the thread's
    wall time is mostly waiting for a core or the GIL, and a statement judged by it was sent to
    a thread for good when busy (a list page at a third of its speed in the bench)."""
    started = time.thread_time()
    rows = _fetch(raw, sql, args)
    return rows, time.thread_time() - started


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
    transaction waits its turn on the process's writer queue before BEGIN.

    Once a write transaction has begun (BEGIN IMMEDIATE, on the connection's thread: it may
    wait for another process's writer), it holds SQLite's write lock and nothing its statements
    do can wait on a lock; so they run on the loop's thread, each in microseconds, and only the
    COMMIT (which syncs to disk) goes back to the connection's thread. Every statement sent to
    a thread costs a trip there and a turn of the loop back, while every other writer of the
    process waits: under sixteen clients a case's nine statements took ten times what SQLite
    spent on them. A transaction that runs long (an import's thousands of rows) still lets the
    loop turn every INLINE_BUDGET."""

    __slots__ = ("_write_lock", "holds_write_lock", "_turned")
    engine: KeptSQLiteEngine

    async def inline(self, sql: str, args: Sequence[Any]) -> list:
        rows = _fetch(self.connection._conn, sql, args)
        if time.perf_counter() - self._turned > INLINE_BUDGET:
            await asyncio.sleep(0)  # let the other requests have the loop for a moment
            self._turned = time.perf_counter()
        return rows

    async def begin(self) -> None:
        writes = self.transaction_type != TransactionType.deferred
        if not (writes and self._begin_at_once()):
            await super().begin()
        self.holds_write_lock = writes
        self._turned = time.perf_counter()

    def _begin_at_once(self) -> bool:
        """BEGIN IMMEDIATE on the loop's thread when SQLite's write lock is free, which it is
        unless another process writes (this one's writers are queued before): one trip to the
        connection's thread fewer. Busy: False, and the caller waits for it there."""
        raw = self.connection._conn
        timeout_ms = int(self.engine.connection_kwargs.get("timeout", 5) * 1000)
        raw.execute("PRAGMA busy_timeout = 0")
        try:
            raw.execute(f"BEGIN {self.transaction_type.value}")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            raw.execute(f"PRAGMA busy_timeout = {timeout_ms}")

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            return self._parent
        self._write_lock = None
        self.holds_write_lock = False
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
        # check_same_thread: a write transaction's statements run on the loop's thread (see
        # KeptSQLiteTransaction), one at a time between the trips to the connection's own
        connection = aiosqlite.connect(**self.connection_kwargs, check_same_thread=False)
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
            reader = self._reader()
            tried = sql not in reader.slow
            rows = reader.fetch(sql, args)
            if rows is not None:
                return rows
            if reader.slow.get(sql, 0) is not None:
                connection = await self.borrow()
                try:
                    rows, took = await connection._execute(
                        _timed_fetch, connection._conn, sql, args
                    )
                finally:
                    await self.give_back(connection)
                if tried and took > INLINE_BUDGET:
                    reader.remember_slow(sql)
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
        current = self.current_transaction.get()
        if isinstance(current, KeptSQLiteTransaction) and current.holds_write_lock:
            return await current.inline(query, args or [])
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
