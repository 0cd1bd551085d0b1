"""`pingli refresh-figures [--rebuild]` and `pingli issue-reports KIND`: the monitoring jobs by
hand (after a bulk import of cases, or to catch up reports after a long stop)."""

from __future__ import annotations

import argparse
import asyncio
import time


def cmd_refresh(args: argparse.Namespace) -> None:
    from app.cli import _with_db
    from app.monitoring import facts

    started = time.perf_counter()
    result = asyncio.run(_with_db(facts.rebuild() if args.rebuild else facts.refresh()))
    print(
        f"figures {'rebuilt' if args.rebuild else 'refreshed'}: {result} in {time.perf_counter() - started:.1f}s"
    )


def cmd_reports(args: argparse.Namespace) -> None:
    from app.cli import _with_db
    from app.monitoring import reports

    print(asyncio.run(_with_db(reports.issue(args.kind))))


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "refresh-figures", help="bring the monitoring figures up to date with the ledger"
    )
    p.add_argument(
        "--rebuild", action="store_true", help="derive every case afresh and recount everything"
    )
    p.set_defaults(func=cmd_refresh)

    p = sub.add_parser("issue-reports", help="issue the latest ended period's reports if missing")
    p.add_argument("kind", choices=["daily", "weekly", "monthly"])
    p.set_defaults(func=cmd_reports)
