"""Work queues and filtered lists on PostgreSQL, at 1,000 and at 100,000 cases.

Each request goes through the whole app in process (routing, auth, scope, SQL, JSON or the
page's template) as a demo user. The median at the large size divided by the median at the
small size must stay under 2: queues read through indexes, and pages and counts are bounded,
so the work of a request does not grow with the county.

    python -m bench.queues --postgres postgresql://postgres@127.0.0.1:5432/postgres

Two scratch databases are created (and dropped afterwards unless --keep), migrated, seeded with
the demo county and filled by app.seed.cases.add_cases. Each is served by its own worker
process, and the driver alternates requests between the two, so that whatever else the machine
is doing falls on both sizes alike. Exits 1 if any ratio reaches 2.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

MAX_RATIO = 2.0
PASSWORD = "pingli-demo-2026"
MONTH_AGO = (date.today() - timedelta(days=30)).isoformat()

# (name, user, path): what people open many times a day
REQUESTS = [
    ("home: grid worker", "demo-grid", "/"),
    ("home: village mediator", "demo-village", "/"),
    ("home: township officer", "demo-township", "/"),
    ("home: county officer", "demo-county", "/"),
    ("list page: county, all", "demo-county", "/disputes"),
    ("queue to_accept: township", "demo-township", "/api/v1/disputes?queue=to_accept"),
    ("queue escalated: county", "demo-county", "/api/v1/disputes?queue=escalated"),
    ("queue in_progress: village", "demo-village", "/api/v1/disputes?queue=in_progress"),
    ("queue due_soon: township", "demo-township", "/api/v1/disputes?queue=due_soon"),
    ("queue overdue: county", "demo-county", "/api/v1/disputes?queue=overdue"),
    ("queue supervised: township", "demo-township", "/api/v1/disputes?queue=supervised"),
    ("queue follow_up: grid", "demo-grid", "/api/v1/disputes?queue=follow_up"),
    ("filter status=mediating: county", "demo-county", "/api/v1/disputes?status=mediating"),
    ("filter category=land: township", "demo-township", "/api/v1/disputes?category=land"),
    ("filter risk=high: county", "demo-county", "/api/v1/disputes?risk_level=high"),
    ("filter level=township: county", "demo-county", "/api/v1/disputes?level=township"),
    ("filter overdue: village", "demo-village", "/api/v1/disputes?overdue=1"),
    ("filter last 30 days: county", "demo-county", f"/api/v1/disputes?from={MONTH_AGO}"),
    ("search q=宅基地: county", "demo-county", "/api/v1/disputes?q=宅基地"),
    ("search q=排水 + closed: township", "demo-township", "/api/v1/disputes?q=排水&status=closed"),
    ("search q=没有这件事: county", "demo-county", "/api/v1/disputes?q=没有这件事"),
    ("page 5: county", "demo-county", "/api/v1/disputes?page=5"),
]


def _with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


# --- the worker: one database, one app, timing one request at a time ------------------------


async def _worker() -> None:
    import httpx

    answers, sys.stdout = sys.stdout, sys.stderr  # stdout carries answers only: chatter goes aside

    from app import db
    from app.cli import migrate
    from app.main import create_app
    from app.seed.cases import add_cases
    from app.seed.demo import seed_demo

    await migrate()
    await db.start(pool_size=4)
    app = create_app(run_scheduler=False)
    tokens: dict[str, str] = {}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bench"
    ) as client:
        for line in sys.stdin:
            command = json.loads(line)
            if command["op"] == "seed":
                started = time.perf_counter()
                if command["cases"]:
                    await seed_demo(history=0)
                    await add_cases(command["cases"], seed=command["seed"])
                    await db.engine().run_ddl("VACUUM ANALYZE")
                for user in sorted({u for _, u, _ in REQUESTS}):
                    r = await client.post(
                        "/api/v1/auth/login", json={"username": user, "password": PASSWORD}
                    )
                    tokens[user] = r.json()["token"]
                answer = {"seconds": time.perf_counter() - started}
            else:
                headers = {"Authorization": f"Bearer {tokens[command['user']]}"}
                started = time.perf_counter()
                r = await client.get(command["path"], headers=headers)
                answer = {"ms": (time.perf_counter() - started) * 1000, "status": r.status_code}
            print(json.dumps(answer), file=answers, flush=True)
    await db.stop()


# --- the driver -------------------------------------------------------------------------------


class Worker:
    def __init__(self, database_url: str):
        env = dict(
            os.environ,
            PINGLI_DATABASE_URL=database_url,
            PINGLI_DATA_DIR=tempfile.mkdtemp(prefix="pingli-bench-"),
            PINGLI_SCHEDULER="0",
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.queues", "--worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
            cwd=Path(__file__).resolve().parent.parent,
        )

    def ask(self, **command) -> dict:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"worker stopped answering {command}")
        return json.loads(line)

    def close(self) -> None:
        """End of input ends the worker."""
        if self.process.poll() is None:
            self.process.stdin.close()  # type: ignore[union-attr]
            self.process.wait(timeout=60)


async def _admin(url: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_with_database(url, "postgres"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def run(
    base_url: str, small: int, large: int, runs: int, keep: bool, reuse: list[str] | None = None
) -> int:
    if reuse:  # databases a --keep run left behind, already seeded
        names, keep = dict(zip((small, large), reuse, strict=True)), True
    else:
        names = {size: f"pingli_bench_{size}_{uuid.uuid4().hex[:6]}" for size in (small, large)}
        for name in names.values():
            asyncio.run(_admin(base_url, f'CREATE DATABASE "{name}"'))
    workers = {size: Worker(_with_database(base_url, name)) for size, name in names.items()}
    try:
        for seed, (size, worker) in enumerate(workers.items(), start=1):
            took = worker.ask(op="seed", cases=0 if reuse else size, seed=seed)["seconds"]
            print(f"{names[size]}: {size:,} cases, seeded in {took:.0f} s", flush=True)
        medians: dict[int, dict[str, float]] = {small: {}, large: {}}
        fastest: dict[int, dict[str, float]] = {small: {}, large: {}}
        for name, user, path in REQUESTS:
            times: dict[int, list[float]] = {small: [], large: []}
            for round_ in range(runs + 3):  # the first three warm caches and plans
                for size, worker in workers.items():
                    answer = worker.ask(op="get", user=user, path=path)
                    assert answer["status"] == 200, (name, size, answer)
                    if round_ >= 3:
                        times[size].append(answer["ms"])
            for size in (small, large):
                medians[size][name] = statistics.median(times[size])
                fastest[size][name] = min(times[size])
    finally:
        for worker in workers.values():
            worker.close()
        if not keep:
            for name in names.values():
                asyncio.run(_admin(base_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return _report(medians, fastest, small, large)


def _report(
    medians: dict[int, dict[str, float]],
    fastest: dict[int, dict[str, float]],
    small: int,
    large: int,
) -> int:
    """The medians decide; the fastest runs show the cost without the machine's other load."""
    worst = 0.0
    print(
        f"\n| request | median ms at {small:,} | median ms at {large:,} | ratio | fastest ms {small:,} / {large:,} |"
    )
    print("|---|---:|---:|---:|---:|")
    for name, _, _ in REQUESTS:
        a, b = medians[small][name], medians[large][name]
        worst = max(worst, b / a)
        print(
            f"| {name} | {a:.1f} | {b:.1f} | {b / a:.2f} | {fastest[small][name]:.1f} / {fastest[large][name]:.1f} |"
        )
    print(f"\nworst median ratio {worst:.2f} (must stay under {MAX_RATIO})")
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out / f"queues-{stamp}.json").write_text(
        json.dumps(
            {"small": small, "large": large, "medians": medians, "fastest": fastest}, indent=1
        )
    )
    return 0 if worst < MAX_RATIO else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "PINGLI_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        help="a PostgreSQL server where a superuser may create databases (PostGIS installed)",
    )
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30, help="timed requests per size and request")
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases")
    parser.add_argument(
        "--reuse",
        nargs=2,
        metavar=("SMALL_DB", "LARGE_DB"),
        help="measure databases a --keep run left",
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        asyncio.run(_worker())
        return 0
    return run(args.postgres, args.small, args.large, args.runs, args.keep, args.reuse)


if __name__ == "__main__":
    sys.exit(main())
