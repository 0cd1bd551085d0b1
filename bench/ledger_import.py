"""Ledger import at scale: `python -m bench.ledger_import [--engine sqlite|postgres] [--rows 10000]`.

A scratch database with the demo county; a generated ledger (台账) of `--rows` rows with the
county's Chinese headers, mixed date formats and 3 % bad rows (app/seed/ledger_files.py) goes
through the same services as the admin page: upload, preview, import the valid rows (batches,
the progress read between them), then the same file again. Reports the time of each step and
checks what the issue asks: the preview lists every bad row, the second import creates nothing,
and `pingli check` finds the county's figures equal to a recount. Exits 1 when one fails.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time

from bench.common import report, scratch_database


async def _run(rows: int, engine: str) -> int:
    from app import consistency, db
    from app.auth import sessions
    from app.auth.tables import User
    from app.cli import migrate
    from app.disputes.tables import CaseEvent, Dispute
    from app.imports import services
    from app.imports.tables import LedgerImport
    from app.jurisdictions.tables import Jurisdiction
    from app.monitoring.tables import CaseFact
    from app.seed import ledger_files
    from app.seed.demo import seed_demo

    out: list[tuple[str, str]] = []
    await migrate()
    await seed_demo()
    await db.start(pool_size=4)
    try:
        admin = await User.select(User.id).where(User.username == "demo-admin").first()
        actor = await sessions.resolve(await sessions.start(admin["id"], "api"), "api")
        grids = await Jurisdiction.select(
            Jurisdiction.name,
            Jurisdiction.village.name.as_alias("village"),
            Jurisdiction.township.name.as_alias("township"),
        ).where(Jurisdiction.level == "grid")
        places = [(g["township"], g["village"], g["name"]) for g in grids]
        started = time.perf_counter()
        ledger = ledger_files.build(places, rows)
        out.append(
            (
                "generate the .xlsx",
                f"{time.perf_counter() - started:.1f} s, {len(ledger.content) / 1e6:.1f} MB, {len(ledger.bad_rows)} bad rows",
            )
        )
        before = await Dispute.count()

        started = time.perf_counter()
        first = await services.upload(actor, "台账.xlsx", ledger.content)
        out.append(("upload (read and keep the rows)", f"{time.perf_counter() - started:.1f} s"))
        started = time.perf_counter()
        shown = await services.preview(actor, await services.get(actor, first))
        listed = {b["row"] for b in shown["bad"]}
        out.append(
            (
                "preview (check every row)",
                f"{time.perf_counter() - started:.1f} s, {shown['good']} good, {len(listed)} bad listed",
            )
        )
        ok_preview = listed == set(ledger.bad_rows)

        await services.start(actor, first, "valid", services.audit.Origin())
        progress: list[int] = []
        original = services.imported.write

        async def watched(*args, **kwargs):  # read the progress as the page's poll would
            job = (
                await LedgerImport.select(LedgerImport.done).where(LedgerImport.id == first).first()
            )
            progress.append(job["done"])
            return await original(*args, **kwargs)

        services.imported.write = watched
        started = time.perf_counter()
        job = await services.run(actor, first)
        took = time.perf_counter() - started
        services.imported.write = original
        events = await CaseEvent.count().where(CaseEvent.data.like('%"imported": true%'))
        out.append(
            (
                "import the valid rows (+ refresh the figures)",
                f"{took:.1f} s, {job['created']} cases, {events} ledger events, {rows / took:,.0f} rows/s",
            )
        )
        out.append(
            (
                "progress seen between batches",
                f"{len(progress)} steps: {progress[:3]} … {progress[-2:]}",
            )
        )

        started = time.perf_counter()
        second = await services.upload(actor, "台账.xlsx", ledger.content)
        await services.start(actor, second, "valid", services.audit.Origin())
        again = await services.run(actor, second)
        out.append(
            (
                "the same file again",
                f"{time.perf_counter() - started:.1f} s, {again['created']} created, {again['skipped']} already there",
            )
        )
        after = await Dispute.count()

        started = time.perf_counter()
        # the demo county enters no holiday calendar for next year, which the check mentions
        problems = [p for p in await consistency.check() if "holiday calendar" not in p]
        out.append(
            (
                "pingli check (figures vs a recount)",
                f"{time.perf_counter() - started:.1f} s, {len(problems)} problems",
            )
        )
        facts = await CaseFact.count()
        checks = {
            "the preview lists each bad row": ok_preview,
            "every valid row became a case": job["created"]
            == rows - len(ledger.bad_rows)
            == after - before,
            "the second import created nothing": again["created"] == 0,
            "the figures count every case": facts == after,
            "the figures equal a recount": not problems,
        }
        for name, passed in checks.items():
            out.append((name, "yes" if passed else "NO"))
        for p in problems[:5]:
            out.append(("problem", p))
        report(f"Ledger import, {engine}, {rows:,} rows, 3 % bad", out)
        return 0 if all(checks.values()) else 1
    finally:
        await db.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    with scratch_database(args.engine) as (url, data_dir):
        os.environ.update(PINGLI_DATABASE_URL=url, PINGLI_DATA_DIR=data_dir, PINGLI_SCHEDULER="0")
        sys.exit(asyncio.run(_run(args.rows, args.engine)))


if __name__ == "__main__":
    main()
