"""Shared pieces of the benchmarks: scratch databases, servers on loopback, a load generator.

Every benchmark compares against a baseline measured in the same run, on the same machine,
and reports medians and ratios: the machine is noisy, absolute numbers are not the point.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("PINGLI_BENCH_POSTGRES_URL") or os.environ.get("PINGLI_TEST_POSTGRES_URL")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def scratch_database(engine: str):
    """A fresh database URL (SQLite file or a new PostgreSQL database), dropped afterwards."""
    tmp = tempfile.mkdtemp(prefix="pingli-bench-")
    if engine == "sqlite":
        yield f"sqlite:///{tmp}/bench.db", tmp
        return
    if not PG_URL:
        raise SystemExit(
            "set PINGLI_BENCH_POSTGRES_URL (or PINGLI_TEST_POSTGRES_URL) for PostgreSQL benchmarks"
        )
    sys.path.insert(0, str(REPO))
    from tests.support.pg import create_database, drop_database, with_database

    name = f"pingli_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(create_database(PG_URL, name))
    try:
        yield with_database(PG_URL, name), tmp
    finally:
        asyncio.run(drop_database(PG_URL, name))


def pingli(args: list[str], url: str, data_dir: str, **kw) -> subprocess.CompletedProcess:
    env = dict(os.environ, PINGLI_DATABASE_URL=url, PINGLI_DATA_DIR=data_dir, PINGLI_SCHEDULER="0")
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args], env=env, cwd=REPO, check=True, **kw
    )


@contextmanager
def server(module: str, url: str, data_dir: str, extra_env: dict | None = None):
    """uvicorn serving `module` (an ASGI app path) on a free loopback port."""
    port = free_port()
    env = {
        **os.environ,
        "PINGLI_DATABASE_URL": url,
        "PINGLI_DATA_DIR": data_dir,
        "PINGLI_SCHEDULER": "0",
    }
    env.update(extra_env or {})
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            module,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=REPO,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base)
        yield base, proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def wait_until_up(base: str, timeout: float = 30) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{base} did not come up")


async def load(
    make_request: Callable[[int], Awaitable[int]], total: int, concurrency: int
) -> float:
    """Run `total` requests with `concurrency` in flight; return requests per second."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(total):
        queue.put_nowait(i)
    failures = 0

    async def worker() -> None:
        nonlocal failures
        while not queue.empty():
            i = queue.get_nowait()
            status = await make_request(i)
            if status >= 400:
                failures += 1

    started = time.perf_counter()
    await asyncio.gather(*[worker() for _ in range(concurrency)])
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{failures} of {total} requests failed")
    return total / elapsed


def median(values: list[float]) -> float:
    return statistics.median(values)


def report(title: str, rows: list[tuple[str, str]]) -> None:
    print(f"\n## {title}")
    for key, value in rows:
        print(f"  {key:<48} {value}")
