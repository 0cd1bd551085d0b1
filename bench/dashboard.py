"""The county dashboard at 10,000 and at 1,000,000 cases on PostgreSQL (issue 7).

For each size: a PostgreSQL database with the demo county and that many synthetic cases
(app.seed.cases.add_cases), the figures built once (`facts.rebuild`, as `pingli
refresh-figures --rebuild` does after a bulk load), then the county officer's dashboard asked
for `--rounds` times, in process through the ASGI app (routing, login, the counters' refresh
with nothing new, the sums, the page): the median of each size and their ratio, which must stay
small. The stats API (JSON, no template), a dashboard right after a new case was logged (the
refresh has one case to add) and the first page of a figure's drill-down list (through the
facts) are measured the same way.

Seeding a million cases takes a long time; give an already seeded database with
`--url 1000000=postgresql://…/db` (it is topped up to the size, migrated, and kept).

Run: .venv/bin/python -m bench.dashboard [--sizes 10000,1000000] [--rounds 15] [--url SIZE=URL]
PostgreSQL needs PINGLI_BENCH_POSTGRES_URL or PINGLI_TEST_POSTGRES_URL.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager

from bench.common import REPO, median, pingli, report, scratch_database

SEED_CHUNK = 500  # cases per bulk insert: 1,000 × 36 columns passes asyncpg's 32,767 parameters


async def _top_up(size: int) -> tuple[int, float]:
    from app.disputes.tables import Dispute
    from app.seed import cases

    have = await Dispute.count()
    if have >= size:
        return have, 0.0
    cases.CHUNK = SEED_CHUNK
    started = time.perf_counter()
    await cases.add_cases(size - have, seed=11)
    return size, time.perf_counter() - started


async def _measure(size: int, rounds: int) -> list[tuple[str, str]]:
    import httpx

    from app import db
    from app.jurisdictions.tables import Jurisdiction
    from app.main import create_app
    from app.monitoring import facts
    from app.seed.demo import DEMO_PASSWORD

    app = create_app(run_scheduler=False)
    await db.start(pool_size=4)
    try:
        total, seeded = await _top_up(size)
        started = time.perf_counter()
        built = await facts.rebuild()
        rebuild = time.perf_counter() - started
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=600
        ) as client:
            token = (
                await client.post(
                    "/api/v1/auth/login",
                    json={"username": "demo-county", "password": DEMO_PASSWORD},
                )
            ).json()["token"]
            client.headers["Authorization"] = f"Bearer {token}"
            grid = (
                await Jurisdiction.select(Jurisdiction.id)
                .where(Jurisdiction.level == "grid")
                .first()
            )["id"]

            async def timed(url: str) -> float:
                t = time.perf_counter()
                r = await client.get(url)
                assert r.status_code == 200, r.text[:500]
                return (time.perf_counter() - t) * 1000

            await timed("/monitor")  # warm-up: caches, plans
            page = [await timed("/monitor") for _ in range(rounds)]
            api = [await timed("/api/v1/stats") for _ in range(rounds)]
            figures = {f["code"]: f for f in (await client.get("/api/v1/stats")).json()["figures"]}
            drill = [await timed(figures["on_time"]["list"]) for _ in range(rounds)]
            after_change = []
            for i in range(max(rounds // 3, 3)):
                body = {
                    "id": str(uuid.uuid4()),
                    "title": f"基准测试纠纷 {i}",
                    "category": "neighbours",
                    "grid_id": grid,
                }
                r = await client.post("/api/v1/disputes", json=body)
                assert r.status_code == 201, r.text[:300]
                after_change.append(await timed("/monitor"))
        return [
            (
                f"{size:,} cases: seeded now",
                f"{seeded:.0f} s" if seeded else f"already there ({total:,})",
            ),
            (
                f"{size:,} cases: figures built (facts + counters)",
                f"{rebuild:.0f} s ({built['derived']:,} cases)",
            ),
            (f"{size:,} cases: GET /monitor, median of {rounds}", f"{median(page):.1f} ms"),
            (f"{size:,} cases: GET /api/v1/stats, median of {rounds}", f"{median(api):.1f} ms"),
            (
                f"{size:,} cases: GET /monitor after a new case, median",
                f"{median(after_change):.1f} ms",
            ),
            (
                f"{size:,} cases: the on-time figure's list (first page), median",
                f"{median(drill):.1f} ms",
            ),
            ("_page", median(page)),
            ("_api", median(api)),
        ]
    finally:
        await db.stop()


@contextmanager
def _database(size: int, urls: dict[int, str]):
    if size in urls:
        yield urls[size], f"/tmp/pingli-bench-dashboard-{size}"
        return
    with scratch_database("postgres") as (url, data_dir):
        yield url, data_dir


def run_size(size: int, rounds: int, urls: dict[int, str]) -> list[tuple[str, object]]:
    with _database(size, urls) as (url, data_dir):
        os.makedirs(data_dir, exist_ok=True)
        pingli(["migrate"], url, data_dir, capture_output=True)
        pingli(["seed-demo"], url, data_dir, capture_output=True)
        env = {"PINGLI_DATABASE_URL": url, "PINGLI_DATA_DIR": data_dir, "PINGLI_SCHEDULER": "0"}
        # a fresh interpreter per database: settings and the engine are read once per process
        code = (
            "import asyncio, json, sys; from bench.dashboard import _measure; "
            f"print('RESULT', json.dumps(asyncio.run(_measure({size}, {rounds}))))"
        )
        done = subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, **env},
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise SystemExit(done.stderr[-3000:])
        line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
        return [tuple(row) for row in json.loads(line[len("RESULT ") :])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument(
        "--url", action="append", default=[], help="SIZE=URL of a database to reuse (kept)"
    )
    args = parser.parse_args()
    urls = {int(k): v for k, v in (u.split("=", 1) for u in args.url)}
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {size: run_size(size, args.rounds, urls) for size in sizes}
    rows: list[tuple[str, str]] = []
    for size in sizes:
        rows += [(k, str(v)) for k, v in results[size] if not k.startswith("_")]
    if len(sizes) == 2:
        small, large = (dict(results[s]) for s in sizes)
        rows.append(
            (
                f"ratio GET /monitor {sizes[1]:,} / {sizes[0]:,}",
                f"{large['_page'] / small['_page']:.2f}",
            )
        )
        rows.append(
            (
                f"ratio GET /api/v1/stats {sizes[1]:,} / {sizes[0]:,}",
                f"{large['_api'] / small['_api']:.2f}",
            )
        )
    report("County dashboard on PostgreSQL", rows)


if __name__ == "__main__":
    main()
