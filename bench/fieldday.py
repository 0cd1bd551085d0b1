"""The field day: 500 grid workers over five minutes against `PINGLI_WORKERS=2` on PostgreSQL.

Each simulated worker, at its own moment (their starts spread evenly over the run), does what a
phone does on patrol:
  1. signs in once (the login form, then /api/v1/session for the CSRF token, as the outbox does);
  2. logs a case through the idempotent API the outbox uses (POST /api/v1/disputes with the
     phone's UUID), then sends its 200 KB photo (PUT /api/v1/disputes/{id}/photos/{photo id});
  3. reads the home page and the case list, three times;
  4. checks in (POST /api/v1/checkins with the phone's UUID).
A request that fails for the network is sent again with the same UUID, as the outbox would,
and counted as an error all the same.

Reported: requests per second, p50 and p99 per kind of request and overall, errors (must be
0), and from the database afterwards: cases lost (a 201/200 without a stored case) or
duplicated (more stored cases than workers; two cases with one number), photos and check-ins
stored. Loopback only; bounded in count (500 workers, 12 requests each) and in time.

Run: python -m bench.fieldday [--workers 500] [--seconds 300] [--processes 2]
Needs PINGLI_BENCH_POSTGRES_URL or PINGLI_TEST_POSTGRES_URL; a scratch database is made and
dropped (bench/common.py).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict

from bench.common import REPO, free_port, pingli, scratch_database, wait_until_up

PASSWORD = "pingli-field-2026"
PHOTO_BYTES = 200_000

# Run in a child process on the scratch database: one grid worker account per grid.
MAKE_USERS = """
import asyncio, json, sys
from app import db
from app.auth.passwords import hash_password
from app.auth.tables import User
from app.jurisdictions.tables import Jurisdiction

async def main(n, password):
    await db.start(pool_size=2)
    grids = await Jurisdiction.select(Jurisdiction.id, Jurisdiction.boundary).where(
        Jurisdiction.level == "grid").order_by(Jurisdiction.code).limit(n)
    digest = hash_password(password)
    await User.insert(*[User(username=f"field-{i:03d}", display_name=f"网格员{i:03d}",
        role="grid_worker", jurisdiction=g["id"], password_hash=digest, active=True)
        for i, g in enumerate(grids)])
    from shapely.geometry import shape
    points = [list(shape(json.loads(g["boundary"])).representative_point().coords[0]) for g in grids]
    await db.stop()
    print(json.dumps(points))

asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
"""

COUNT_SQL = """
import asyncio, json, sys
from app import db
from app.attachments.tables import Attachment
from app.auth.tables import User
from app.checkins.tables import PatrolCheckin
from app.disputes.tables import Dispute

async def main():
    await db.start(pool_size=2)
    users = [r["id"] for r in await User.select(User.id).where(User.username.like("field-%"))]
    cases = await Dispute.select(Dispute.id, Dispute.case_no).where(Dispute.created_by.is_in(users))
    photos = await Attachment.count().where(Attachment.dispute.is_in([c["id"] for c in cases] or [None]))
    checkins = await PatrolCheckin.count().where(PatrolCheckin.user.is_in(users))
    await db.stop()
    print(json.dumps({"ids": [str(c["id"]) for c in cases],
                      "numbers": [c["case_no"] for c in cases],
                      "photos": photos, "checkins": checkins}))

asyncio.run(main())
"""


def photo(seed: int) -> bytes:
    """A JPEG of about 200 KB (noise compresses badly, as a real photo does)."""
    from PIL import Image

    rng = random.Random(seed)
    side = 510
    data = bytes(rng.getrandbits(8) for _ in range(side * side * 3))
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), data).save(out, "JPEG", quality=85)
    return out.getvalue()


class Tally:
    def __init__(self) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.answered: dict[str, int] = {}  # case id -> status of its create
        self.sent: set[str] = set()  # every case id sent, answered or not

    async def timed(self, kind: str, send, expect: tuple[int, ...]):
        for attempt in range(3):  # the outbox sends again with the same UUID
            started = time.perf_counter()
            try:
                r = await send()
            except Exception as exc:  # network: counted, then sent again
                self.errors.append(f"{kind}: {type(exc).__name__} {exc}"[:200])
                await asyncio.sleep(1 + attempt)
                continue
            self.times[kind].append(time.perf_counter() - started)
            if r.status_code not in expect:
                self.errors.append(f"{kind}: {r.status_code} {r.text[:120]}")
            return r
        return None


async def grid_worker(i: int, base: str, point: list[float], jpeg: bytes, tally: Tally) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=60, follow_redirects=False) as http:
        form = await tally.timed("login form", lambda: http.get("/login"), (200,))
        if form is None:
            return
        token = re.search(r'name="_csrf_token" value="([^"]+)"', form.text).group(1)
        signed = await tally.timed(
            "sign in",
            lambda: http.post(
                "/login",
                data={
                    "username": f"field-{i:03d}",
                    "password": PASSWORD,
                    "next": "/",
                    "_csrf_token": token,
                },
            ),
            (302, 303),
        )
        if signed is None:
            return
        session = await tally.timed("session", lambda: http.get("/api/v1/session"), (200,))
        if session is None:
            return
        headers = {"x-csrftoken": session.json()["csrf_token"]}
        case_id, photo_id = str(uuid.uuid4()), str(uuid.uuid4())
        lon, lat = point
        body = {
            "id": case_id,
            "title": f"巡查发现的纠纷 {i:03d}",
            "category": random.choice(["neighbours", "land", "debt", "marriage_family"]),
            "description": "两户因排水沟堵塞发生争执，已现场劝解，需村里协调。",
            "people_involved": 2,
            "lon": round(lon, 6),
            "lat": round(lat, 6),
            "gps_accuracy_m": 12.0,
            "parties": [
                {"role": "applicant", "name": "王某", "phone": "13800138000"},
                {"role": "respondent", "name": "李某"},
            ],
        }
        tally.sent.add(case_id)
        created = await tally.timed(
            "log a case",
            lambda: http.post("/api/v1/disputes", json=body, headers=headers),
            (200, 201),
        )
        if created is not None and created.status_code in (200, 201):
            tally.answered[case_id] = created.status_code
            await tally.timed(
                "photo 200 KB",
                lambda: http.put(
                    f"/api/v1/disputes/{case_id}/photos/{photo_id}",
                    content=jpeg,
                    headers=headers | {"content-type": "image/jpeg"},
                ),
                (200, 201),
            )
        for _ in range(3):
            await tally.timed("home page", lambda: http.get("/"), (200,))
            await tally.timed("case list", lambda: http.get("/disputes"), (200,))
        checkin = {"id": str(uuid.uuid4()), "lon": round(lon, 6), "lat": round(lat, 6)}
        await tally.timed(
            "check in",
            lambda: http.post("/api/v1/checkins", json=checkin, headers=headers),
            (200, 201),
        )


async def field_day(
    base: str, points: list, seconds: float, jpegs: list[bytes], limit: float
) -> Tally:
    tally = Tally()
    n = len(points)
    started = time.perf_counter()

    async def at_its_moment(i: int) -> None:
        await asyncio.sleep(max(0.0, started + i * seconds / n - time.perf_counter()))
        await grid_worker(i, base, points[i], jpegs[i % len(jpegs)], tally)

    async def progress() -> None:
        while True:
            await asyncio.sleep(30)
            done = sum(len(t) for t in tally.times.values())
            print(
                f"  {time.perf_counter() - started:5.0f} s: {done} requests answered,"
                f" {len(tally.errors)} errors",
                flush=True,
            )

    reporter = asyncio.create_task(progress())
    workers = [asyncio.create_task(at_its_moment(i)) for i in range(n)]
    # bounded in time: what has not finished by then is counted as unfinished
    _done, pending = await asyncio.wait(workers, timeout=limit)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    tally.unfinished = len(pending)  # type: ignore[attr-defined]
    reporter.cancel()
    tally.elapsed = time.perf_counter() - started  # type: ignore[attr-defined]
    return tally


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=500, help="simulated grid workers (≤600)")
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--processes", type=int, default=2, help="PINGLI_WORKERS")
    parser.add_argument(
        "--limit", type=float, default=900, help="seconds after which unfinished workers stop"
    )
    args = parser.parse_args()
    if not 1 <= args.workers <= 600:
        raise SystemExit("--workers: 1 to 600 (one per grid of the demo county)")

    with scratch_database("postgres") as (url, data_dir):
        env = dict(
            os.environ,
            PINGLI_DATABASE_URL=url,
            PINGLI_DATA_DIR=data_dir,
            PINGLI_SCHEDULER="0",
            PINGLI_WORKERS=str(args.processes),
        )
        print("migrating and seeding the demo county…", flush=True)
        pingli(["migrate"], url, data_dir, capture_output=True)
        pingli(["seed-demo"], url, data_dir, capture_output=True)
        made = subprocess.run(
            [sys.executable, "-c", MAKE_USERS, str(args.workers), PASSWORD],
            env=env,
            cwd=REPO,
            check=True,
            capture_output=True,
            text=True,
        )
        points = json.loads(made.stdout.strip().splitlines()[-1])
        jpegs = [photo(s) for s in range(4)]
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base, timeout=120)
            print(
                f"{args.workers} grid workers over {args.seconds:.0f} s against "
                f"PINGLI_WORKERS={args.processes}, photos of {len(jpegs[0]):,} B…",
                flush=True,
            )
            tally = asyncio.run(field_day(base, points, args.seconds, jpegs, args.limit))
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        counted = subprocess.run(
            [sys.executable, "-c", COUNT_SQL],
            env=env,
            cwd=REPO,
            check=True,
            capture_output=True,
            text=True,
        )
        stored = json.loads(counted.stdout.strip().splitlines()[-1])

    answered = set(tally.answered)
    lost = len(answered - set(stored["ids"]))
    duplicated = (
        (len(stored["ids"]) - len(set(stored["ids"])))
        + (len(stored["numbers"]) - len(set(stored["numbers"])))
        + len(set(stored["ids"]) - answered)
    )
    every = [t for times in tally.times.values() for t in times]
    print(f"\n## field day: {args.workers} grid workers, {tally.elapsed:.0f} s")  # type: ignore[attr-defined]
    print(f"  {'request':<16} {'count':>6} {'p50 ms':>8} {'p99 ms':>8}")
    for kind, times in tally.times.items():
        print(
            f"  {kind:<16} {len(times):>6} {pct(times, 0.5) * 1e3:>8.1f} {pct(times, 0.99) * 1e3:>8.1f}"
        )
    print(
        f"  {'all':<16} {len(every):>6} {pct(every, 0.5) * 1e3:>8.1f} {pct(every, 0.99) * 1e3:>8.1f}"
    )
    print(f"  requests/s (over the run)        {len(every) / tally.elapsed:.1f}")  # type: ignore[attr-defined]
    print(f"  errors                           {len(tally.errors)}")
    kinds = Counter(e.split(" ", 2)[0] + " " + e.split(" ", 2)[1] for e in tally.errors)
    for kind, count in kinds.most_common(10):
        print(f"    {count:>6}  {kind}")
    for e in tally.errors[:3]:
        print(f"    e.g. {e}")
    print(f"  workers unfinished at the limit  {tally.unfinished}")  # type: ignore[attr-defined]
    print(
        f"  cases sent / answered / stored   {len(tally.sent)} / {len(answered)} / {len(stored['ids'])}"
    )
    print(f"  cases lost                       {lost}")
    print(f"  cases duplicated                 {duplicated}")
    print(f"  photos stored                    {stored['photos']}")
    print(f"  check-ins stored                 {stored['checkins']}")
    print(
        f"  (median of all {statistics.median(every) * 1e3:.1f} ms; python {sys.version.split()[0]}, {os.cpu_count()} CPUs)"
    )
    ok = not tally.errors and not lost and not duplicated and not tally.unfinished  # type: ignore[attr-defined]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
