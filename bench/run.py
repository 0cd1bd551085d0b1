"""`make bench`: the benchmarks in bench/, one after another (or the ones named).

    python -m bench.run                 # all of them (the 1M-case dashboard one takes a while)
    python -m bench.run queues geo      # just these

PostgreSQL parts need PINGLI_BENCH_POSTGRES_URL (or PINGLI_TEST_POSTGRES_URL).
Each prints medians and ratios against a baseline measured in the same run.
"""

import subprocess
import sys

BENCHMARKS = ("foundation", "queues", "geo", "transfer", "dashboard", "photos")


def main(names: list[str]) -> int:
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {unknown}; choose from {BENCHMARKS}", file=sys.stderr)
        return 2
    codes = [
        subprocess.call([sys.executable, "-m", f"bench.{name}"]) for name in names or BENCHMARKS
    ]
    return max(codes)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
