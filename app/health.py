"""`/healthz`: can this process serve? It reads a real table (the database file itself, not
just a connection: `SELECT 1` answers even when the file cannot be read). `?deep=1` also writes
and rolls back a row, and writes and removes a file in the data dir (where photos go): a
read-only disk or data dir fails it. Not ok is 503, for a load balancer or a monitor to act on.
"""

from __future__ import annotations

import logging
import os
import tempfile

from app import db, settings

log = logging.getLogger("pingli.health")


class _Rollback(Exception):
    pass


async def _read() -> None:
    # the newest migration: every Pingli database has it, and it is tiny
    rows = await db.engine().run_ddl('SELECT "name" FROM "migration" ORDER BY "id" DESC LIMIT 1')
    if not rows:
        raise RuntimeError("no migration applied")


async def _write() -> None:
    try:
        async with db.transaction():
            await db.engine().run_ddl(
                'UPDATE "migration" SET "name" = "name" '
                'WHERE "id" = (SELECT max("id") FROM "migration")'
            )
            raise _Rollback
    except _Rollback:
        pass


def _write_file() -> None:
    folder = settings.get_settings().data_dir
    fd, name = tempfile.mkstemp(dir=folder, prefix=".healthz-")
    try:
        os.write(fd, b"ok")
        os.fsync(fd)
    finally:
        os.close(fd)
        os.unlink(name)


async def check(deep: bool = False) -> str | None:
    """None when healthy, else what failed (logged, not shown)."""
    steps = [("database read", _read)]
    if deep:
        steps += [("database write", _write)]
    for what, step in steps:
        try:
            await step()
        except Exception:
            log.exception("health check failed: %s", what)
            return what
    if deep:
        try:
            _write_file()
        except OSError:
            log.exception("health check failed: data dir write")
            return "data dir write"
    return None
