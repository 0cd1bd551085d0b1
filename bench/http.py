"""`python -m bench.http`: what one request costs in Pingli against a bare Litestar endpoint on
the same database, served side by side and loaded by the same generator in alternating rounds.

    python -m bench.http                          # SQLite and PostgreSQL, 3 rounds of 5 s
    python -m bench.http --engines sqlite --rounds 5 --seconds 8
    python -m bench.http --profile /tmp/prof      # also py-spy Pingli during its rounds
    python -m bench.http --only monitor --only home  # some endpoints only

For each engine a scratch database is migrated and seeded with the demo county; Pingli is
served as `pingli serve` serves it (one worker, access log on), the bare app (bench/bare_app.py)
by uvicorn beside it, also with its access log. The load is `wrk -t2 -c16` (Debian's `wrk`;
loopback only), each round a fixed time, Pingli and the bare app in turn so that whatever else
the machine does falls on both. Per endpoint: the median requests/s of each side, their ratio
(Pingli / bare), Pingli's p50 and p99 (of its median round; p99 the worst round's) and its errors
(non-2xx/3xx answers and socket errors, over every round).

| Pingli | bare counterpart |
|---|---|
| GET /api/v1/disputes/{id} (county officer, bearer) | GET /pk/{id}: the row by primary key |
| GET /api/v1/disputes, first page (county officer, bearer) | GET /pk/{id} |
| GET / (the grid worker's home, HTML, cookie) | GET /pk/{id} |
| GET /monitor (the county officer's dashboard, HTML, cookie) | GET /pk/{id} |
| POST /api/v1/disputes (grid worker, a new client id each) | POST /create: case + ledger row, one transaction |
| GET /healthz | GET /healthz (a constant) |

Writes a markdown table to stdout and, with `--write`, into bench/README.md (between markers).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench.common import REPO, free_port, median, pingli, scratch_database, wait_until_up

PASSWORD = "pingli-demo-2026"
CONNECTIONS = 16
THREADS = 2

CREATE_LUA = r"""
local counter = 0
local tid = 0
local threads = {}
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  tid = tonumber(wrk.thread:get("tid")) or 0
  math.randomseed(os.time() * 1000 + tid)
end
local function hex(n)
  local s = ""
  for i = 1, n do s = s .. string.format("%x", math.random(0, 15)) end
  return s
end
function request()
  counter = counter + 1
  local id = hex(8) .. "-" .. hex(4) .. "-4" .. hex(3) .. "-a" .. hex(3) .. "-" .. hex(12)
  local body = '{"id":"' .. id .. '","title":"基准测试纠纷 ' .. counter ..
    '","category":"neighbours","description":"bench"}'
  return wrk.format("POST", nil, nil, body)
end
"""


def _lua_headers(headers: dict[str, str]) -> str:
    lines = [f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items()]
    return "\n".join(lines) + "\n"


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not m:
        raise ValueError(text)
    return float(m.group(1)) * _UNITS[m.group(2)]


def parse_wrk(out: str) -> dict:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = {p: _ms(v) for p, v in re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.M)}
    errors = 0
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors += sum(int(x) for x in m.groups())
    return {"rps": rps, "p50": lat.get("50", 0.0), "p99": lat.get("99", 0.0), "errors": errors}


def run_wrk(url: str, seconds: int, headers: dict[str, str], post: bool, workdir: Path) -> dict:
    script = workdir / f"s{abs(hash((url, tuple(headers.items()), post)))}.lua"
    body = _lua_headers({**headers, **({"Content-Type": "application/json"} if post else {})})
    script.write_text(body + (CREATE_LUA if post else ""))
    cmd = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    cmd += ["--timeout", "30s", "-s", str(script), url]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=seconds + 60)
    parsed = parse_wrk(out.stdout)
    if not parsed["p99"]:
        print(out.stdout, file=sys.stderr)
    return parsed


@contextmanager
def serve(argv: list[str], url: str, data_dir: str, port: int, extra_env: dict | None = None):
    env = {
        **os.environ,
        "PINGLI_DATABASE_URL": url,
        "PINGLI_DATA_DIR": data_dir,
        "PINGLI_SCHEDULER": "0",
        **(extra_env or {}),
    }
    proc = subprocess.Popen(
        argv, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, timeout=90)
        yield base, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def web_login(base: str, username: str) -> str:
    """The session cookie of a browser login (the form with its CSRF token)."""
    with httpx.Client(base_url=base) as c:
        c.get("/login")
        csrf = c.cookies.get("csrftoken")
        c.post("/login", data={"username": username, "password": PASSWORD, "_csrf_token": csrf})
        return c.cookies["pingli_session"]


def api_login(base: str, username: str) -> str:
    r = httpx.post(base + "/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    r.raise_for_status()
    return r.json()["token"]


@contextmanager
def profiling(pid: int, out: Path | None, seconds: int):
    if out is None:
        yield
        return
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    proc = subprocess.Popen(
        [spy, "record", "--pid", str(pid), "--format", "raw", "--rate", "200"]
        + ["--duration", str(seconds), "--output", str(out), "--nonblocking"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        proc.wait(timeout=seconds + 60)


def bench_engine(
    engine: str, rounds: int, seconds: int, profile: Path | None, only: list[str] | None = None
) -> list[dict]:
    rows = []
    with scratch_database(engine) as (url, data_dir):
        pingli(["migrate"], url, data_dir, capture_output=True)
        pingli(["seed-demo"], url, data_dir, capture_output=True)
        work = Path(tempfile.mkdtemp(prefix="pingli-bench-http-"))
        p_port, b_port = free_port(), free_port()
        app_argv = [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1"]
        app_argv += ["--port", str(p_port)]
        bare_argv = [sys.executable, "-m", "uvicorn", "bench.bare_app:app", "--host"]
        bare_argv += ["127.0.0.1", "--port", str(b_port), "--log-level", "info"]
        with (
            serve(app_argv, url, data_dir, p_port) as (app_base, app_proc),
            serve(bare_argv, url, data_dir, b_port) as (bare_base, _),
        ):
            county = api_login(app_base, "demo-county")
            grid_token = api_login(app_base, "demo-grid")
            grid_cookie = web_login(app_base, "demo-grid")
            county_cookie = web_login(app_base, "demo-county")
            bearer = {"Authorization": f"Bearer {county}"}
            page = httpx.get(app_base + "/api/v1/disputes", headers=bearer).json()
            case_id = page["items"][0]["id"]
            assert httpx.get(bare_base + f"/pk/{case_id}").json(), "bare read found no row"
            cases = [
                (
                    "GET /api/v1/disputes/{id} (county officer, bearer)",
                    (f"/api/v1/disputes/{case_id}", bearer, False),
                    (f"/pk/{case_id}", {}, False),
                ),
                (
                    "GET /api/v1/disputes, first page",
                    ("/api/v1/disputes", bearer, False),
                    (f"/pk/{case_id}", {}, False),
                ),
                (
                    "GET / grid worker's home (HTML, cookie)",
                    ("/", {"Cookie": f"pingli_session={grid_cookie}"}, False),
                    (f"/pk/{case_id}", {}, False),
                ),
                (
                    "GET /monitor county dashboard (HTML, cookie)",
                    ("/monitor", {"Cookie": f"pingli_session={county_cookie}"}, False),
                    (f"/pk/{case_id}", {}, False),
                ),
                (
                    "POST /api/v1/disputes (new client id each)",
                    ("/api/v1/disputes", {"Authorization": f"Bearer {grid_token}"}, True),
                    ("/create", {}, True),
                ),
                ("GET /healthz", ("/healthz", {}, False), ("/healthz", {}, False)),
            ]
            cases = [c for c in cases if not only or any(o.lower() in c[0].lower() for o in only)]
            for name, (a_path, a_head, a_post), (b_path, b_head, b_post) in cases:
                # warm-up, one second each
                run_wrk(app_base + a_path, 1, a_head, a_post, work)
                run_wrk(bare_base + b_path, 1, b_head, b_post, work)
                mine, bare = [], []
                for r in range(rounds):
                    out = None
                    if profile is not None and r == 0:
                        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40]
                        out = profile / f"{engine}-{slug}.txt"
                    with profiling(app_proc.pid, out, seconds):
                        mine.append(run_wrk(app_base + a_path, seconds, a_head, a_post, work))
                    bare.append(run_wrk(bare_base + b_path, seconds, b_head, b_post, work))
                a = median([m["rps"] for m in mine])
                b = median([m["rps"] for m in bare])
                mid = sorted(mine, key=lambda m: m["rps"])[len(mine) // 2]
                rows.append(
                    {
                        "engine": engine,
                        "endpoint": name,
                        "rps": a,
                        "bare_rps": b,
                        "ratio": a / b,
                        "p50": mid["p50"],
                        "p99": max(m["p99"] for m in mine),
                        "errors": sum(m["errors"] for m in mine),
                        "bare_errors": sum(m["errors"] for m in bare),
                    }
                )
                print(_row(rows[-1]), flush=True)
        shutil.rmtree(work, ignore_errors=True)
    return rows


def _row(r: dict) -> str:
    return (
        f"| {r['engine']} | {r['endpoint']} | {r['rps']:,.0f} | {r['bare_rps']:,.0f} | "
        f"**{r['ratio']:.2f}** | {r['p50']:.1f} | {r['p99']:.1f} | {r['errors']} |"
    )


HEADER = (
    "| engine | endpoint | Pingli req/s | bare req/s | ratio | p50 ms | p99 ms | errors |\n"
    "|---|---|---:|---:|---:|---:|---:|---:|"
)


def machine() -> str:
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = os.getloadavg()
    return (
        f"{platform.node()}, {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
        f"load {load[0]:.1f} at the end"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--profile", type=Path, help="py-spy raw profiles of Pingli into DIR")
    parser.add_argument("--label", default="", help="a title for this run in the output")
    parser.add_argument(
        "--only", action="append", help="endpoints whose name contains this (repeatable)"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    print(HEADER, flush=True)
    rows = []
    for engine in args.engines.split(","):
        rows += bench_engine(engine, args.rounds, args.seconds, args.profile, args.only)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(
        f"\n{args.label} {when}; {machine()}; wrk -t{THREADS} -c{CONNECTIONS}, "
        f"{args.rounds} rounds of {args.seconds} s each side, alternating; "
        f"{time.monotonic() - started:.0f} s in all"
    )


if __name__ == "__main__":
    main()
