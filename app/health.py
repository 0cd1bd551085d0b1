"""`/healthz`: can this process serve? It reads a real table (the database file itself, not
just a connection: `SELECT 1` answers even when the file cannot be read). `?deep=1` also writes
and rolls back a row, and writes and removes a file in the data dir (where photos go): a
read-only disk or data dir fails it. Not ok is 503, for a load balancer or a monitor to act on.
"""

from __future__ import annotations

import asyncio
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


# -- the plain check, shared and answered before the framework ---------------------------------
#
# A load balancer, a monitor and a container runtime may each ask every second, on every worker.
# The plain check is the database read alone: requests that arrive while one is running share
# its answer (never an answer older than the check in flight), and the answer goes out before
# Litestar's routing and middleware, which cost more than the read (issue #15: /healthz was a
# third of a bare Litestar endpoint). Anything else (`?deep=1`, another method, a failing check)
# goes to the route in app/main.py, which answers as before.

_in_flight: asyncio.Future[str | None] | None = None


async def shared_check() -> str | None:
    """`check()`, joined by whoever asks while it runs."""
    global _in_flight
    if _in_flight is not None and not _in_flight.done():
        return await asyncio.shield(_in_flight)
    future = _in_flight = asyncio.get_running_loop().create_future()
    try:
        result = await check()
    except BaseException as exc:  # noqa: BLE001 - a cancelled check must not hang the others
        future.set_exception(exc)
        future.exception()  # retrieved: nobody else may be waiting
        raise
    future.set_result(result)
    return result


_OK_BODY = b'{"status":"ok"}'
_OK_START = {
    "type": "http.response.start",
    "status": 200,
    "headers": [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(_OK_BODY)).encode()),
        (b"cache-control", b"no-store"),
    ],
}


def shortcut(app):  # type: ignore[no-untyped-def]
    """The ASGI handler `app` (Litestar's own, inside its `before_send` hooks, so the security
    headers are added as to any answer) with a plain healthy `GET /healthz` answered first."""

    async def handle(scope, receive, send):  # type: ignore[no-untyped-def]
        if (
            scope["type"] == "http"
            and scope["path"] == "/healthz"
            and scope["method"] == "GET"
            and not scope.get("query_string")
            and await shared_check() is None
        ):
            await send({**_OK_START, "headers": list(_OK_START["headers"])})
            await send({"type": "http.response.body", "body": _OK_BODY})
            return
        await app(scope, receive, send)

    return handle
