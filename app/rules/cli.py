"""`pingli recompute-deadlines`: the recompute job by hand (after entering a year from a
script, or to check nothing is left to move)."""

from __future__ import annotations

import argparse
import asyncio


def cmd_recompute(args: argparse.Namespace) -> None:
    from app.cli import _with_db
    from app.rules.recompute import recompute

    result = asyncio.run(_with_db(recompute(force=args.force)))
    print(f"running deadlines checked: {result['checked']}, moved: {result['moved']}")


def register(sub) -> None:
    p = sub.add_parser(
        "recompute-deadlines",
        help="move running deadlines to the current holiday calendar and time limits",
    )
    p.add_argument("--force", action="store_true", help="even if nothing changed since last run")
    p.set_defaults(func=cmd_recompute)
