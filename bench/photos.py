"""`python -m bench.photos`: what eight parallel uploads of a 7000×7000 PNG (~160 KB each, ~200
MB once decoded) do to a real server's memory.

A `pingli serve` (one process, as `make run`) on 127.0.0.1 with a scratch data dir and SQLite
database, the demo county seeded. After one small warm-up photo the server's resident memory is
read from /proc/<pid>/status (VmRSS) and its peak reset (`echo 5 > /proc/<pid>/clear_refs`); then
eight uploads go at once while /healthz is asked every 100 ms (how long do other requests
wait?); then the peak (VmHWM) and, after the uploads, the resident memory again.

Passes when the peak rose by less than 300 MB and the memory came back within 50 MB of where it
was (exit 1 otherwise). Linux only. Not a timed test: run it by hand, write the result in
bench/README.md.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from bench.common import REPO, free_port, report, wait_until_up

UPLOADS = 8
PEAK_LIMIT_MB = 300
KEPT_LIMIT_MB = 50


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def _mb(kb: int) -> float:
    return kb / 1024


async def _run(base: str, pid: int) -> dict[str, float]:
    sys.path.insert(0, str(REPO))
    from tests.support.photos import big_png, camera_jpeg

    png = big_png(7000, 7000)
    async with httpx.AsyncClient(base_url=base, timeout=600) as http:
        login = await http.post(
            "/api/v1/auth/login", json={"username": "demo-grid", "password": "pingli-demo-2026"}
        )
        login.raise_for_status()
        http.headers["Authorization"] = f"Bearer {login.json()['token']}"
        case = await http.post(
            "/api/v1/disputes",
            json={"id": str(uuid.uuid4()), "title": "内存测试", "category": "neighbours"},
        )
        case.raise_for_status()
        photos = f"/api/v1/disputes/{case.json()['id']}/photos"
        warm = await http.put(f"{photos}/{uuid.uuid4()}", content=camera_jpeg())
        warm.raise_for_status()
        await asyncio.sleep(2)
        before = _status_kb(pid, "VmRSS")
        Path(f"/proc/{pid}/clear_refs").write_text("5")

        waits: list[float] = []
        done = asyncio.Event()

        async def ping() -> None:
            async with httpx.AsyncClient(base_url=base, timeout=600) as other:
                while not done.is_set():
                    started = time.perf_counter()
                    await other.get("/healthz")
                    waits.append(time.perf_counter() - started)
                    await asyncio.sleep(0.1)

        pinger = asyncio.create_task(ping())
        started = time.perf_counter()
        answers = await asyncio.gather(
            *[http.put(f"{photos}/{uuid.uuid4()}", content=png) for _ in range(UPLOADS)]
        )
        elapsed = time.perf_counter() - started
        done.set()
        await pinger
        statuses = sorted({r.status_code for r in answers})
        peak = _status_kb(pid, "VmHWM")
        await asyncio.sleep(3)
        after = _status_kb(pid, "VmRSS")
    return {
        "png_kb": len(png) / 1024,
        "statuses": statuses,
        "before": _mb(before),
        "peak": _mb(peak),
        "after": _mb(after),
        "elapsed": elapsed,
        "longest_wait": max(waits) if waits else 0.0,
    }


def main() -> int:
    data_dir = tempfile.mkdtemp(prefix="pingli-bench-photos-")
    url = f"sqlite:///{data_dir}/pingli.db"
    env = dict(os.environ, PINGLI_DATABASE_URL=url, PINGLI_DATA_DIR=data_dir, PINGLI_SCHEDULER="0")
    cli = [sys.executable, "-m", "app.cli"]
    subprocess.run([*cli, "migrate"], env=env, cwd=REPO, check=True, capture_output=True)
    subprocess.run([*cli, "seed-demo"], env=env, cwd=REPO, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen(
        [*cli, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, timeout=60)
        found = asyncio.run(_run(base, server.pid))
    finally:
        server.terminate()
        server.wait(timeout=20)
    rose, kept = found["peak"] - found["before"], found["after"] - found["before"]
    report(
        f"{UPLOADS} parallel uploads of a 7000×7000 PNG ({found['png_kb']:.0f} KB) to pingli serve",
        [
            ("answers", ", ".join(map(str, found["statuses"]))),
            ("resident memory before (MB)", f"{found['before']:.0f}"),
            ("peak during (MB)", f"{found['peak']:.0f} (+{rose:.0f}, limit +{PEAK_LIMIT_MB})"),
            ("after (MB)", f"{found['after']:.0f} ({kept:+.0f}, limit ±{KEPT_LIMIT_MB})"),
            ("all eight answered after (s)", f"{found['elapsed']:.1f}"),
            ("longest /healthz wait meanwhile (s)", f"{found['longest_wait']:.2f}"),
        ],
    )
    ok = found["statuses"] == [201] and rose < PEAK_LIMIT_MB and abs(kept) < KEPT_LIMIT_MB
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
