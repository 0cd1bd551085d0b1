"""`make test`: the suite on SQLite, then again on PostgreSQL+PostGIS when
PINGLI_TEST_POSTGRES_URL is set (PINGLI_REQUIRE_POSTGRES=1 makes its absence a failure).
Arguments go to each pytest run: `python -m tests.run -x -k crawl`.
Browser tests run in the SQLite pass (the front end does not depend on the engine), in a
pytest process of their own: Playwright's sync API keeps an event loop running in the main
thread, which the asyncio tests cannot share."""

from __future__ import annotations

import os
import subprocess
import sys


def run(engine: str, extra: list[str], browser: bool = False) -> int:
    env = dict(os.environ, PINGLI_TEST_ENGINE=engine)
    selection = ["tests/browser"] if browser else ["--ignore=tests/browser"]
    print(f"\n=== pytest on {engine}{' (browser)' if browser else ''} ===", flush=True)
    return subprocess.call([sys.executable, "-m", "pytest", *selection, *extra], env=env)


def main() -> int:
    extra = sys.argv[1:]
    postgres = os.environ.get("PINGLI_TEST_POSTGRES_URL")
    if not postgres and os.environ.get("PINGLI_REQUIRE_POSTGRES") == "1":
        print("PINGLI_REQUIRE_POSTGRES=1 but PINGLI_TEST_POSTGRES_URL is not set", file=sys.stderr)
        return 1
    codes = [run("sqlite", extra), run("sqlite", extra, browser=True)]
    if postgres:
        codes.append(run("postgres", extra))
    else:
        print(
            "\n=== PostgreSQL+PostGIS pass left out: set PINGLI_TEST_POSTGRES_URL "
            "(e.g. postgresql://postgres@127.0.0.1:5432/postgres) to run it ===",
            flush=True,
        )
    failed = [c for c in codes if c != 0]
    return failed[0] if failed else 0


if __name__ == "__main__":
    sys.exit(main())
