"""Geo benchmarks (issue 6), on a scratch copy of the demo county with 100,000 cases:

1. Locating points: one point a call (as a case is logged) and 10,000 a call, against a plain
   indexed lookup (`jurisdiction` by code) in the same process.
2. The map's GeoJSON for the whole county (areas, case points, hotspots, rooms) and "near me":
   median time and size (raw and gzip, as sent), against a plain indexed lookup through the
   same HTTP stack (`GET /api/v1/disputes/{id}`).

Run: .venv/bin/python -m bench.geo [--engines sqlite,postgres] [--cases 100000] [--rounds 15]
PostgreSQL needs PINGLI_BENCH_POSTGRES_URL or PINGLI_TEST_POSTGRES_URL. Each engine is measured
in its own process (the database is chosen when the app is imported).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time

from bench.common import REPO, median, pingli, report, scratch_database

PASSWORD = "pingli-demo-2026"


def _timed(samples: list[float], started: float) -> None:
    samples.append(time.perf_counter() - started)


async def _measure(rounds: int) -> dict:
    """Runs inside the child process whose environment names the scratch database."""
    import httpx

    from app import db
    from app.disputes.tables import Dispute
    from app.geo import locate
    from app.geo.backend import current
    from app.jurisdictions.tables import Jurisdiction
    from app.main import create_app

    app = create_app(run_scheduler=False)
    await db.start(4)
    await db.engine().run_ddl(
        "ANALYZE"
    )  # planner statistics, as autovacuum keeps them after a bulk load
    rng = random.Random(6)
    result: dict = {"engine": current().name, "cases": await Dispute.count()}
    county = await Jurisdiction.select().where(Jurisdiction.level == "county").first()
    codes = [
        r["code"]
        for r in await Jurisdiction.select(Jurisdiction.code).where(Jurisdiction.level == "grid")
    ]
    west, east, south, north = (
        113.04,
        113.60,
        32.49,
        32.95,
    )  # the demo county's box, a few points outside

    def points(n: int) -> list[tuple[float, float]]:
        return [(rng.uniform(west, east), rng.uniform(south, north)) for _ in range(n)]

    await locate.locate_many(points(10))  # build the in-memory index / open the pool first
    lookup, single = [], []
    for code, point in zip(rng.choices(codes, k=2000), points(2000), strict=True):
        started = time.perf_counter()
        await Jurisdiction.select(Jurisdiction.id).where(Jurisdiction.code == code).first()
        _timed(lookup, started)
        started = time.perf_counter()
        await locate.locate_many([point])
        _timed(single, started)
    batch = []
    for _ in range(5):
        many = points(10_000)
        started = time.perf_counter()
        await locate.locate_many(many)
        _timed(batch, started)
    result["lookup_s"], result["locate_s"], result["batch10k_s"] = (
        median(lookup),
        median(single),
        median(batch),
    )

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=120
    ) as client:
        token = (
            await client.post(
                "/api/v1/auth/login", json={"username": "demo-county", "password": PASSWORD}
            )
        ).json()["token"]
        client.headers["Authorization"] = f"Bearer {token}"
        ids = [str(r["id"]) for r in await Dispute.select(Dispute.id).limit(500)]

        async def sample(url: str, n: int) -> dict:
            times, raw, sent = [], 0, 0
            for i in range(n):
                started = time.perf_counter()
                r = await client.get(url.format(id=ids[i % len(ids)]))
                _timed(times, started)
                assert r.status_code == 200, (url, r.status_code, r.text[:200])
                raw, sent = len(r.content), r.num_bytes_downloaded
            # the map layers are kept between requests (app/geo/layer_cache.py): the first
            # answer is computed, the median is the kept one
            return {"s": median(times), "first_s": times[0], "raw": raw, "gzip": sent}

        lon, lat = county["centroid_lon"], county["centroid_lat"]
        result["http"] = {
            "baseline": await sample("/api/v1/disputes/{id}", max(rounds * 10, 100)),
            "areas: 12 townships, zoom 10": await sample("/api/v1/map/areas?zoom=10", rounds),
            "areas: 150 villages, zoom 10": await sample(
                "/api/v1/map/areas?level=village&zoom=10", rounds
            ),
            "areas: 600 grids, zoom 12": await sample(
                "/api/v1/map/areas?level=grid&zoom=12", rounds
            ),
            "cases: open, whole county, first 2,000": await sample("/api/v1/map/cases", rounds),
            "cases: all, whole county, first 5,000": await sample(
                "/api/v1/map/cases?status=all&per_page=5000", rounds
            ),
            "cases: open, a 5 km box": await sample(
                f"/api/v1/map/cases?bbox={lon - 0.027},{lat - 0.022},{lon + 0.027},{lat + 0.022}",
                rounds,
            ),
            "hotspots: whole county, 30 days": await sample("/api/v1/map/hotspots", rounds),
            "rooms: whole county": await sample("/api/v1/map/rooms", rounds),
            "near me: open cases within 1 km": await sample(
                f"/api/v1/disputes/near?lon={lon}&lat={lat}&radius_m=1000", rounds
            ),
        }
        # every one of the cases as points: the pages a client would need to walk
        started, raw, sent, page = time.perf_counter(), 0, 0, 1
        while True:
            r = await client.get(f"/api/v1/map/cases?status=all&per_page=5000&page={page}")
            raw, sent = raw + len(r.content), sent + r.num_bytes_downloaded
            if not r.json()["truncated"]:
                break
            page += 1
        result["all_pages"] = {
            "s": time.perf_counter() - started,
            "raw": raw,
            "gzip": sent,
            "pages": page,
        }
    await db.stop()
    return result


def measure(engine: str, cases: int, rounds: int) -> dict:
    with scratch_database(engine) as (url, data_dir):
        pingli(["migrate"], url, data_dir, capture_output=True)
        started = time.perf_counter()
        pingli(["seed-demo"], url, data_dir, capture_output=True)
        pingli(["seed-demo", "--disputes", str(cases - 300)], url, data_dir, capture_output=True)
        seeded = time.perf_counter() - started
        env = dict(
            os.environ, PINGLI_DATABASE_URL=url, PINGLI_DATA_DIR=data_dir, PINGLI_SCHEDULER="0"
        )
        child = subprocess.run(
            [sys.executable, "-m", "bench.geo", "--child", "--rounds", str(rounds)],
            env=env,
            cwd=REPO,
            check=True,
            capture_output=True,
            text=True,
        )
    found = json.loads(child.stdout.strip().splitlines()[-1])
    found["seed_s"] = seeded
    return found


def _size(n: int) -> str:
    return f"{n / 1024:,.0f} KB" if n >= 10_240 else f"{n:,} B"


def rows_for(r: dict) -> list[tuple[str, str]]:
    e = r["engine"]
    lookup = r["lookup_s"]
    rows = [
        (f"{e}: cases in the database", f"{r['cases']:,} (seeded in {r['seed_s']:.0f} s)"),
        (f"{e}: baseline, jurisdiction by code (median)", f"{lookup * 1e6:,.0f} µs"),
        (
            f"{e}: locate one point a call (median)",
            f"{r['locate_s'] * 1e6:,.0f} µs  = {r['locate_s'] / lookup:.2f} × baseline",
        ),
        (
            f"{e}: locate 10,000 points a call (median)",
            f"{r['batch10k_s'] * 1e3:,.0f} ms = {10_000 / r['batch10k_s']:,.0f} points/s"
            f" = {r['batch10k_s'] / 10_000 / lookup:.3f} × baseline a point",
        ),
    ]
    base = r["http"]["baseline"]["s"]
    rows.append((f"{e}: baseline, GET /api/v1/disputes/{{id}} (median)", f"{base * 1e3:.1f} ms"))
    for name, m in r["http"].items():
        if name == "baseline":
            continue
        rows.append(
            (
                f"{e}: {name}",
                f"{m['s'] * 1e3:7.1f} ms = {m['s'] / base:5.1f} × baseline"
                f" (first {m['first_s'] * 1e3:.0f} ms); {_size(m['raw'])} ({_size(m['gzip'])} gzip)",
            )
        )
    a = r["all_pages"]
    rows.append(
        (
            f"{e}: all {r['cases']:,} cases as points, {a['pages']} pages",
            f"{a['s']:.1f} s; {_size(a['raw'])} ({_size(a['gzip'])} gzip)",
        )
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(_measure(args.rounds))))
        return
    for engine in args.engines.split(","):
        report(f"geo on {engine}", rows_for(measure(engine, args.cases, args.rounds)))
    print(f"\n(medians; python {sys.version.split()[0]}, {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
