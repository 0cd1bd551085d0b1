"""The county dashboard at 10,000 and at 1,000,000 cases on PostgreSQL (issue 7).

For each size: a PostgreSQL database with the demo county and that many synthetic cases
(app.seed.cases.add_cases), its figures built once (`pingli refresh-figures --rebuild`, as after
any bulk load), and the app served from it (uvicorn on loopback). Then the county officer's
dashboard is asked for `--rounds` times from each server in turn, so that the noise of a shared
machine falls on both sizes alike: the median of each and their ratio, which must stay small.
The stats API (JSON, no template), the first page of a figure's drill-down list (read through
the facts) and a dashboard right after a new case was logged (its refresh has one case to add)
are timed the same way.

Seeding a million cases takes long; give an already seeded database with
`--url 1000000=postgresql://…/db` (it is migrated, topped up to the size if short, and kept).

Run: .venv/bin/python -m bench.dashboard [--sizes 10000,1000000] [--rounds 21] [--url SIZE=URL]
PostgreSQL needs PINGLI_BENCH_POSTGRES_URL or PINGLI_TEST_POSTGRES_URL.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from contextlib import ExitStack, contextmanager

import httpx

from bench.common import REPO, median, pingli, report, scratch_database, server

PASSWORD = "pingli-demo-2026"
# cases per bulk insert: 1,000 cases × 36+ columns would pass asyncpg's 32,767 parameters
PREPARE = """
import asyncio, time
from app import db
from app.disputes.tables import Dispute
from app.monitoring import facts
from app.monitoring.tables import CaseFact
from app.seed import cases

async def main(size):
    cases.CHUNK = 500  # 1,000 cases × 36+ columns would pass asyncpg's 32,767 parameters
    await db.start(2)
    started = time.perf_counter()
    have = await Dispute.count()
    if have < size:
        await cases.add_cases(size - have, seed=11)
    seeded = time.perf_counter() - started
    started = time.perf_counter()
    # a bulk load is followed by a rebuild; a database kept from an earlier run only catches up
    how = "rebuild" if await CaseFact.count() < 0.99 * await Dispute.count() else "refresh"
    await (facts.rebuild() if how == "rebuild" else facts.refresh())
    print(f"PREPARED {{seeded:.0f}} {{time.perf_counter() - started:.0f}} {{how}}")
    await db.stop()

asyncio.run(main({size}))
"""


@contextmanager
def _database(size: int, urls: dict[int, str]):
    if size in urls:
        data_dir = f"/tmp/pingli-bench-dashboard-{size}"
        os.makedirs(data_dir, exist_ok=True)
        yield urls[size], data_dir
        return
    with scratch_database("postgres") as found:
        yield found


def prepare(size: int, url: str, data_dir: str) -> list[tuple[str, str]]:
    env = {
        **os.environ,
        "PINGLI_DATABASE_URL": url,
        "PINGLI_DATA_DIR": data_dir,
        "PINGLI_SCHEDULER": "0",
    }
    pingli(["migrate"], url, data_dir, capture_output=True)
    pingli(["seed-demo"], url, data_dir, capture_output=True)
    done = subprocess.run(
        [sys.executable, "-c", PREPARE.format(size=size)],
        env=env,
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    )
    seeded, built, how = next(
        line for line in done.stdout.splitlines() if line.startswith("PREPARED")
    ).split()[1:]
    return [
        (f"{size:,} cases: seeding (top-up)", f"{seeded} s"),
        (f"{size:,} cases: figures ({how})", f"{built} s"),
    ]


def _client(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=600)
    r = client.post("/api/v1/auth/login", json={"username": "demo-county", "password": PASSWORD})
    client.headers["Authorization"] = f"Bearer {r.json()['token']}"
    return client


def _timed(client: httpx.Client, url: str) -> float:
    started = time.perf_counter()
    r = client.get(url)
    assert r.status_code == 200, r.text[:500]
    return (time.perf_counter() - started) * 1000


def measure(clients: dict[int, httpx.Client], rounds: int) -> dict[int, dict[str, float]]:
    """Each measure, every size in turn, `rounds` times; medians in ms."""
    drill, grid = {}, {}
    for size, client in clients.items():
        _timed(client, "/monitor")  # warm-up: caches, plans, the first refresh
        figures = {f["code"]: f for f in client.get("/api/v1/stats").json()["figures"]}
        drill[size] = figures["on_time"]["list"]
        grid[size] = _first_grid(client, client.get("/api/v1/me").json()["jurisdiction"]["id"])
    times: dict[int, dict[str, list[float]]] = {
        s: {"page": [], "api": [], "drill": [], "changed": []} for s in clients
    }
    for i in range(rounds):
        for size, client in clients.items():
            times[size]["page"].append(_timed(client, "/monitor"))
            times[size]["api"].append(_timed(client, "/api/v1/stats"))
            times[size]["drill"].append(_timed(client, drill[size]))
            if i % 3 == 0:
                body = {
                    "id": str(uuid.uuid4()),
                    "title": f"基准测试纠纷 {i}",
                    "category": "neighbours",
                    "grid_id": grid[size],
                }
                assert client.post("/api/v1/disputes", json=body).status_code == 201
                times[size]["changed"].append(_timed(client, "/monitor"))
    return {s: {k: median(v) for k, v in t.items()} for s, t in times.items()}


def _first_grid(client: httpx.Client, node: int) -> int:
    """The first grid under `node`, going down the first child at each level."""
    while True:
        children = client.get("/api/v1/jurisdictions", params={"parent": node}).json()["items"]
        if not children:
            return node
        node = children[0]["id"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument(
        "--url", action="append", default=[], help="SIZE=URL of a database to reuse (kept)"
    )
    args = parser.parse_args()
    urls = {int(k): v for k, v in (u.split("=", 1) for u in args.url)}
    sizes = [int(s) for s in args.sizes.split(",")]
    rows: list[tuple[str, str]] = []
    with ExitStack() as stack:
        clients = {}
        for size in sizes:
            url, data_dir = stack.enter_context(_database(size, urls))
            rows += prepare(size, url, data_dir)
            base, _proc = stack.enter_context(server("app.asgi:app", url, data_dir))
            clients[size] = _client(base)
            stack.callback(clients[size].close)
        results = measure(clients, args.rounds)
    labels = {
        "page": "GET /monitor",
        "api": "GET /api/v1/stats",
        "drill": "the on-time figure's list, first page",
        "changed": "GET /monitor right after a new case",
    }
    for size in sizes:
        for key, name in labels.items():
            rows.append((f"{size:,} cases: {name} (median)", f"{results[size][key]:.1f} ms"))
    if len(sizes) == 2:
        small, large = sizes
        for key, name in labels.items():
            rows.append(
                (
                    f"ratio {large:,} / {small:,}: {name}",
                    f"{results[large][key] / results[small][key]:.2f}",
                )
            )
    report(f"County dashboard on PostgreSQL, {args.rounds} rounds, sizes in turn", rows)


if __name__ == "__main__":
    main()
