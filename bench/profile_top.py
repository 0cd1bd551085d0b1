"""`python -m bench.profile_top FILE...`: the top frames of py-spy raw profiles (as
`python -m bench.http --profile DIR` writes them): each function's share of the on-CPU samples
with it anywhere on the stack (inclusive) and at the top (self), per file."""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

FRAME = re.compile(r"^(.*) \((.*?)(?::\d+)?\)$")


def _name(frame: str) -> str:
    m = FRAME.match(frame.strip())
    if not m:
        return frame.strip()
    func, path = m.groups()
    for marker in ("site-packages/", "/wt-perf-core/", "/main/", "python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{func} ({path})"


# frames every sample has (the thread's or the server's bottom): left out of the table
PLUMBING = re.compile(
    r"threading\.py|runpy|app/cli\.py|uvicorn/(main|server|_compat)\.py|asyncio/runners\.py"
    r"|asyncio/base_events\.py|asyncio/events\.py|litestar/app\.py|asgi_router\.py"
    r"|uvicorn/protocols|litestar/middleware/base\.py|exceptions/middleware\.py"
)


def top(path: Path, n: int = 22) -> tuple[int, list[tuple[str, float, float]]]:
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        k = int(count)
        total += k
        frames = [_name(f) for f in stack.split(";") if f]
        for name in set(frames):
            inclusive[name] += k
        if frames:
            own[frames[-1]] += k
    kept = [(k, c) for k, c in inclusive.most_common() if not PLUMBING.search(k)][:n]
    rows = [(name, c / total, own[name] / total) for name, c in kept]
    return total, rows


def main(paths: list[str]) -> None:
    for p in paths:
        total, rows = top(Path(p))
        print(f"\n### {Path(p).stem} ({total} samples)\n")
        print("| function | inclusive | self |\n|---|---:|---:|")
        for name, inc, self_ in rows:
            print(f"| `{name}` | {inc:.0%} | {self_:.0%} |")


if __name__ == "__main__":
    main(sys.argv[1:])
