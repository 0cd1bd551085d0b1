"""Foundation benchmarks (issue 2):

1. `pingli seed-demo --disputes 100000` wall time, on SQLite and on PostgreSQL.
2. Case-create API throughput against a bare Litestar endpoint doing one INSERT into the same
   database, same client, same run: the ratio.
3. Resident memory of the single-process server (`pingli serve`, as `make run` starts it)
   serving the demo county after a warm-up.

Run: .venv/bin/python -m bench.foundation [--engines sqlite,postgres] [--cases 100000]
PostgreSQL needs PINGLI_BENCH_POSTGRES_URL or PINGLI_TEST_POSTGRES_URL.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from pathlib import Path

import httpx

from bench.common import load, median, pingli, report, scratch_database, server

PASSWORD = "pingli-demo-2026"


def bench_seed(engine: str, cases: int) -> list[tuple[str, str]]:
    with scratch_database(engine) as (url, data_dir):
        pingli(["migrate"], url, data_dir, capture_output=True)
        started = time.perf_counter()
        pingli(["seed-demo"], url, data_dir, capture_output=True)
        demo = time.perf_counter() - started
        started = time.perf_counter()
        pingli(["seed-demo", "--disputes", str(cases)], url, data_dir, capture_output=True)
        bulk = time.perf_counter() - started
    return [
        (f"{engine}: seed-demo (county + 300 cases)", f"{demo:.1f} s"),
        (f"{engine}: seed-demo --disputes {cases}", f"{bulk:.1f} s  ({cases / bulk:,.0f} cases/s)"),
    ]


async def _create_rate(
    base: str, token: str | None, total: int, concurrency: int, bare: bool
) -> float:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:

        async def one(i: int) -> int:
            body = {"id": str(uuid.uuid4()), "title": f"基准测试纠纷 {i}", "category": "neighbours"}
            r = await client.post("/bare" if bare else "/api/v1/disputes", json=body)
            return r.status_code

        await load(one, 50, concurrency)  # warm-up
        return await load(one, total, concurrency)


def bench_create(engine: str, total: int, rounds: int, concurrency: int) -> list[tuple[str, str]]:
    with scratch_database(engine) as (url, data_dir):
        pingli(["migrate"], url, data_dir, capture_output=True)
        pingli(["seed-demo"], url, data_dir, capture_output=True)
        app_rates, bare_rates = [], []
        with server("app.asgi:app", url, data_dir) as (base, _):
            token = httpx.post(
                base + "/api/v1/auth/login", json={"username": "demo-grid", "password": PASSWORD}
            ).json()["token"]
            with server("bench.bare_app:app", url, data_dir) as (bare_base, _):
                for _ in range(rounds):  # interleaved, so drift on a noisy machine hits both
                    app_rates.append(
                        asyncio.run(_create_rate(base, token, total, concurrency, bare=False))
                    )
                    bare_rates.append(
                        asyncio.run(_create_rate(bare_base, None, total, concurrency, bare=True))
                    )
    a, b = median(app_rates), median(bare_rates)
    return [
        (f"{engine}: POST /api/v1/disputes (median of {rounds})", f"{a:,.0f} req/s"),
        (f"{engine}: bare INSERT endpoint (median of {rounds})", f"{b:,.0f} req/s"),
        (f"{engine}: ratio create / bare", f"{a / b:.2f}"),
    ]


def bench_memory() -> list[tuple[str, str]]:
    with scratch_database("sqlite") as (url, data_dir):
        pingli(["migrate"], url, data_dir, capture_output=True)
        pingli(["seed-demo"], url, data_dir, capture_output=True)
        with server("app.asgi:app", url, data_dir, {"PINGLI_SCHEDULER": "1"}) as (base, proc):
            with httpx.Client(base_url=base, follow_redirects=True) as c:
                c.get("/login")
                csrf = c.cookies["csrftoken"]
                c.post(
                    "/login",
                    data={"username": "demo-county", "password": PASSWORD, "_csrf_token": csrf},
                )
                for _ in range(5):
                    for path in (
                        "/",
                        "/disputes",
                        "/disputes?status=closed",
                        "/disputes/new",
                        "/api/v1/disputes",
                    ):
                        c.get(path)
            status = Path(f"/proc/{proc.pid}/status").read_text().splitlines()
            rss_kb = int(next(line for line in status if line.startswith("VmRSS")).split()[1])
    return [
        (
            "sqlite: resident memory of pingli serve after warm-up",
            f"{rss_kb / 1024:.0f} MB (target < 250 MB)",
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--creates", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--only", choices=["seed", "create", "memory"])
    args = parser.parse_args()
    engines = args.engines.split(",")
    parts = [args.only] if args.only else ["seed", "create", "memory"]
    if "seed" in parts:
        for engine in engines:
            report("seed", bench_seed(engine, args.cases))
    if "create" in parts:
        for engine in engines:
            report(
                "create throughput",
                bench_create(engine, args.creates, args.rounds, args.concurrency),
            )
    if "memory" in parts:
        report("memory", bench_memory())


if __name__ == "__main__":
    main()
