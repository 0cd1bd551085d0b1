"""How long `pingli serve` takes on an existing database, from the command to the first 200 on
/healthz; and how much memory each process holds with several workers.

Run: python -m bench.startup [--setup] [--workers N] [--rounds 3] [--postgres]

A scratch database is made and seeded once (SQLite in a temporary folder, or a scratch
PostgreSQL database through bench/common.py), then `pingli serve` is started `--rounds` times
against it; each start is timed until /healthz answers 200, then stopped. With `--workers 2`
the resident memory of the parent and of each worker is printed too (from /proc).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PINGLI = [sys.executable, "-m", "app.cli"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds the process has used (what the load on the machine does not
    inflate, unlike the wall clock)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def start_once(env: dict, setup: bool, workers: int) -> tuple[float, dict[str, int]]:
    port = _free_port()
    args = [*PINGLI, "serve", "--host", "127.0.0.1", "--port", str(port)]
    if setup:
        args.append("--setup")
    if workers > 1:
        args += ["--workers", str(workers)]
    started = time.perf_counter()
    proc = subprocess.Popen(
        args, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"pingli serve exited with {proc.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.05)
        elapsed = time.perf_counter() - started
        memory = {"cpu_ms": int(_cpu_s(proc.pid) * 1000)}
        if workers > 1:
            # every worker up: ask a few more times, then read /proc
            time.sleep(2)
            memory["parent"] = _rss_kb(proc.pid)
            for i, child in enumerate(_children(proc.pid)):
                memory[f"child {i}"] = _rss_kb(child)
        return elapsed, memory
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--setup", action="store_true", help="time `serve --setup` (make run)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="a scratch PostgreSQL database (PINGLI_BENCH_POSTGRES_URL or PINGLI_TEST_POSTGRES_URL)",
    )
    args = parser.parse_args()

    from bench.common import scratch_database

    with scratch_database("postgres" if args.postgres else "sqlite") as (url, data_dir):
        env = dict(
            os.environ, PINGLI_DATA_DIR=data_dir, PINGLI_SCHEDULER="0", PINGLI_DATABASE_URL=url
        )
        try:
            for command in (["migrate"], ["seed-demo"]):
                subprocess.run(
                    [*PINGLI, *command], env=env, cwd=REPO, check=True, capture_output=True
                )
            times = []
            for _ in range(args.rounds):
                elapsed, memory = start_once(env, args.setup, args.workers)
                times.append(elapsed)
                line = f"start to first 200 on /healthz: {elapsed:.2f} s"
                if memory:
                    cpu = memory.pop("cpu_ms")
                    line += f"  ({cpu / 1000:.2f} s of CPU in the serving process)"
                    if memory:
                        line += "  RSS " + ", ".join(
                            f"{k} {v / 1024:.0f} MB" for k, v in memory.items()
                        )
                print(line, flush=True)
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)
    engine = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"{'serve --setup' if args.setup else 'serve'}, {args.workers} worker(s), {engine}: "
        f"median {statistics.median(times):.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
