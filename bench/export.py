"""Case export at scale: `python -m bench.export [--cases 100000] [--url URL]`.

A scratch PostgreSQL database (or `--url` of one already seeded) with the demo county and
`--cases` synthetic cases; one server process; the county officer downloads every case as CSV and
as XLSX. Reports the wall time, the rows received, and the server's resident memory before, at
its peak (VmHWM, reset before each download) and after. The baseline in the same run is a first
page of the case list (the request every list costs), so the ratio says how many list pages one
export is worth. Only loopback addresses.
"""

from __future__ import annotations

import argparse
import time

import httpx

from app.seed.demo import DEMO_PASSWORD
from bench.common import PG_URL, pingli, report, scratch_database, server


def _rss_kb(pid: int) -> dict[str, int]:
    fields = {}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith(("VmRSS", "VmHWM")):
                name, value = line.split(":")
                fields[name] = int(value.split()[0])
    return fields


def _reset_peak(pid: int) -> None:
    # writing 5 to clear_refs resets the peak resident set size (Linux 4.0+)
    with open(f"/proc/{pid}/clear_refs", "w") as fh:
        fh.write("5")


def measure(base: str, pid: int, fmt: str) -> tuple[float, int, int, int, int]:
    client = httpx.Client(base_url=base, timeout=600)
    r = client.post(
        "/api/v1/auth/login", json={"username": "demo-county", "password": DEMO_PASSWORD}
    )
    client.headers["Authorization"] = f"Bearer {r.json()['token']}"
    client.get("/api/v1/disputes")  # warm
    before = _rss_kb(pid)["VmRSS"]
    _reset_peak(pid)
    started = time.perf_counter()
    size = lines = 0
    with client.stream("GET", f"/disputes/export.{fmt}") as response:
        assert response.status_code == 200, response.read()[:300]
        for chunk in response.iter_bytes():
            size += len(chunk)
            if fmt == "csv":
                lines += chunk.count(b"\n")
    elapsed = time.perf_counter() - started
    peak = _rss_kb(pid)["VmHWM"]
    after = _rss_kb(pid)["VmRSS"]
    return elapsed, lines - 1 if fmt == "csv" else size, before, peak, after


def baseline(base: str, rounds: int = 21) -> float:
    client = httpx.Client(base_url=base, timeout=60)
    r = client.post(
        "/api/v1/auth/login", json={"username": "demo-county", "password": DEMO_PASSWORD}
    )
    client.headers["Authorization"] = f"Bearer {r.json()['token']}"
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        client.get("/api/v1/disputes")
        times.append(time.perf_counter() - started)
    times.sort()
    return times[len(times) // 2]


def run(url: str, data_dir: str, cases: int, seed: bool) -> None:
    rows = []
    if seed:
        started = time.perf_counter()
        pingli(["migrate"], url, data_dir, capture_output=True)
        pingli(["seed-demo", "--disputes", str(cases)], url, data_dir, capture_output=True)
        rows.append(("seeding", f"{time.perf_counter() - started:.0f} s"))
    with server("app.asgi:app", url, data_dir) as (base, proc):
        page = baseline(base)
        rows.append(("first page of the case list (median)", f"{page * 1000:.1f} ms"))
        for fmt in ("csv", "xlsx"):
            elapsed, count, before, peak, after = measure(base, proc.pid, fmt)
            what = f"{count:,} rows" if fmt == "csv" else f"{count / 1e6:.1f} MB"
            rows.append(
                (
                    f"export.{fmt}",
                    f"{elapsed:.1f} s, {what}; RSS {before / 1024:.0f} MB → peak "
                    f"{peak / 1024:.0f} MB (+{(peak - before) / 1024:.0f}) → {after / 1024:.0f} MB"
                    f"; = {elapsed / page:,.0f} list pages",
                )
            )
    report(f"Case export, PostgreSQL, {cases:,} synthetic cases + the demo county", rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--url", help="a database already migrated and seeded")
    parser.add_argument("--data-dir", default="/tmp/pingli-bench-export")
    args = parser.parse_args()
    if args.url:
        run(args.url, args.data_dir, args.cases, seed=False)
        return
    if not PG_URL:
        raise SystemExit("set PINGLI_BENCH_POSTGRES_URL (or PINGLI_TEST_POSTGRES_URL)")
    with scratch_database("postgres") as (url, data_dir):
        run(url, data_dir, args.cases, seed=True)


if __name__ == "__main__":
    main()
