"""The `pingli` command: migrate, seed-demo, serve, scheduler, create-user; each domain may\nregister its own commands (app/jurisdictions/cli.py: import-boundaries, export-boundaries)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import re
import sys
import time
from pathlib import Path

from app.settings import get_settings

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
_MIGRATION_ID = re.compile(r'^ID = "([^"]+)"', re.MULTILINE)


async def pending_migrations() -> bool:
    """Whether a migration file has not run yet: the ids written in the files against
    Piccolo's `migration` table. Piccolo's own check imports every migration module (half a
    second and more at each start); reading their `ID = "..."` lines costs milliseconds."""
    from piccolo.apps.migrations.tables import Migration

    on_disk = set()
    for path in MIGRATIONS.glob("*.py"):
        if found := _MIGRATION_ID.search(path.read_text(encoding="utf-8")):
            on_disk.add(found.group(1))
    if not await Migration.table_exists():
        return True
    ran = await Migration.select(Migration.name).where(Migration.app_name == "pingli")
    return bool(on_disk - {row["name"] for row in ran})


async def migrate(only_if_pending: bool = False) -> int:
    """Apply the migrations not yet run; returns how many ran. Piccolo's own report (one line
    per migration, emoji, ANSI-coloured warnings such as SQLite ignoring column lengths) is
    kept back: `pingli migrate` prints one plain line, the tests and `serve --setup` nothing.
    On failure its report is shown with the error. `only_if_pending` (what `serve --setup`
    asks): Piccolo is not asked at all when every migration file has run already."""
    import contextlib
    import io
    import warnings

    from app import db

    report = io.StringIO()
    if not only_if_pending or await pending_migrations():
        from piccolo.apps.migrations.commands.forwards import run_forwards

        with (
            contextlib.redirect_stdout(report),
            contextlib.redirect_stderr(report),
            warnings.catch_warnings(),
        ):
            warnings.filterwarnings("ignore", module=r"piccolo\..*")
            result = await run_forwards(app_name="pingli")
        if not result.success:
            raise SystemExit(f"{report.getvalue()}\nmigration failed: {result.message}")
    from app.rules.seed import seed_from_package

    await seed_from_package()  # years a newer `chinesecalendar` brought (idempotent)
    if not db.is_postgres():
        await db.engine().run_ddl("PRAGMA journal_mode=WAL")
        db.protect_sqlite_files(Path(db.engine().path))
    return report.getvalue().count("[forwards]")


async def _with_db(coro):
    from app import db

    await db.start(pool_size=4)
    try:
        return await coro
    finally:
        await db.stop()


def cmd_migrate(_args) -> None:
    ran = asyncio.run(migrate())
    print(f"migrations: {ran} applied" if ran else "migrations: up to date")


async def _is_empty() -> bool:
    """No county yet; asked without importing the seeding code (shapely, the case generator)."""
    from app.jurisdictions.tables import Jurisdiction

    return not await Jurisdiction.exists()


def cmd_seed_demo(args) -> None:
    async def run() -> None:
        if not args.disputes and not await _is_empty():
            print("the database already holds a county; nothing seeded")
            return
        from app.seed import cases, demo

        if await demo.is_empty():
            started = time.perf_counter()
            summary = await demo.seed_demo()
            print(f"demo county seeded: {summary} in {time.perf_counter() - started:.1f}s")
        elif not args.disputes:
            print("the database already holds a county; nothing seeded")
        if args.disputes:
            started = time.perf_counter()
            await cases.add_cases(args.disputes, seed=int(time.time()) if args.random else 11)
            print(f"added {args.disputes} cases in {time.perf_counter() - started:.1f}s")

    asyncio.run(_with_db(run()))


def print_banner(host: str, port: int) -> None:
    from app.seed.users import DEMO_PASSWORD, DEMO_USERS

    print(f"\n  Pingli is serving on http://{host}:{port}\n")
    print(f"  Demo logins (password {DEMO_PASSWORD}):")
    for u in DEMO_USERS:
        print(f"    {u.username:<14} {u.role}")
    print()


def server_options() -> dict:
    """uvicorn's options besides the address. Its own proxy handling is off: it would trust
    `X-Forwarded-For` from 127.0.0.1 by default (FORWARDED_ALLOW_IPS); the app trusts only the
    proxies in PINGLI_TRUSTED_PROXIES (app/main.py)."""
    return {"log_level": "info", "proxy_headers": False}


def cmd_serve(args) -> None:
    import uvicorn

    settings = get_settings()
    host = args.host or settings.host
    port = args.port or settings.port
    workers = args.workers or settings.workers
    if workers > 1 and settings.run_scheduler:
        print(
            "  PINGLI_SCHEDULER=0 is required with several workers: run `pingli scheduler` apart."
        )
        raise SystemExit(2)
    if args.setup:
        asyncio.run(migrate(only_if_pending=True))
        cmd_seed_demo(argparse.Namespace(disputes=0, random=False))
        if workers > 1:
            # The parent of several workers only watches them, and each worker starts afresh
            # (uvicorn spawns them): it need not keep what migrating and seeding loaded
            # (~90 MB). Start over as plain `serve`, the same process id, without --setup.
            sys.stdout.flush()
            os.execv(sys.executable, [sys.executable, "-m", "app.cli", *_without_setup(args)])
    print_banner(host, port)
    uvicorn.run(
        "app.asgi:app",
        host=host,
        port=port,
        workers=workers,
        **server_options(),
    )


def _without_setup(args) -> list[str]:
    """`serve` with the same address and workers, without `--setup`."""
    argv = ["serve"]
    for flag, value in (("--host", args.host), ("--port", args.port), ("--workers", args.workers)):
        if value:
            argv += [flag, str(value)]
    return argv


def cmd_scheduler(_args) -> None:
    from app import scheduler

    asyncio.run(scheduler.run_forever())


def cmd_create_user(args) -> None:
    from app import crypto
    from app.auth.passwords import hash_password, password_problem
    from app.auth.tables import ROLES, User
    from app.jurisdictions.tables import Jurisdiction

    if args.role not in ROLES:
        raise SystemExit(f"role must be one of {', '.join(ROLES)}")
    password = args.password or getpass.getpass("password: ")
    if problem := password_problem(password, args.username):
        raise SystemExit(problem)

    async def run() -> None:
        node = await Jurisdiction.select().where(Jurisdiction.code == args.jurisdiction).first()
        if node is None:
            raise SystemExit(f"no jurisdiction with code {args.jurisdiction}")
        if await User.exists().where(User.username == args.username):
            raise SystemExit(f"user {args.username} exists already")
        await User.insert(
            User(
                username=args.username,
                display_name=args.display_name or args.username,
                role=args.role,
                jurisdiction=node["id"],
                phone=crypto.encrypt(args.phone),
                password_hash=hash_password(password),
            )
        )
        print(f"created {args.username} ({args.role}) at {node['name']}")

    asyncio.run(_with_db(run()))


def cmd_rotate_keys(args) -> None:
    from app.pii_rotation import rotate_all

    done = asyncio.run(_with_db(rotate_all()))
    print(
        "re-encrypted with the first key of PINGLI_DATA_KEY:",
        ", ".join(f"{t} {n}" for t, n in done.items()),
    )


def cmd_backup(args) -> None:
    from app.backup import BackupError, backup

    started = time.perf_counter()
    try:
        path = backup(get_settings(), Path(args.path) if args.path else None)
    except BackupError as exc:
        raise SystemExit(f"backup failed: {exc}") from None
    size = path.stat().st_size / 1e6
    print(f"backed up to {path} ({size:.1f} MB in {time.perf_counter() - started:.1f}s)")
    print("uploaded photos are not in it: copy the uploads folder of the data dir too")


def cmd_restore(args) -> None:
    from app.backup import BackupError, restore

    def show(contents) -> None:
        print(f"the backup {args.path} holds:")
        for line in contents.describe():
            print(f"  {line}")

    started = time.perf_counter()
    try:
        counts = restore(
            get_settings(),
            Path(args.path),
            force=args.force,
            allow_empty=args.allow_empty,
            show=show,
        )
    except BackupError as exc:
        raise SystemExit(f"restore refused: {exc}") from None
    print(
        f"restored {args.path}: {sum(counts.values())} rows in {len(counts)} tables "
        f"in {time.perf_counter() - started:.1f}s"
    )
    print("run `pingli migrate` (if the backup is older than this version), then `pingli check`")


def cmd_check(_args) -> None:
    from app import consistency
    from app.attachments import orphans

    async def run():
        return await consistency.check(), await consistency.warnings(), await orphans.find()

    problems, warnings, orphaned = asyncio.run(_with_db(run()))
    for problem in problems:
        print(f"PROBLEM: {problem}")
    # to do soon, not an inconsistency: the exit code stays 0
    for warning in warnings:
        print(f"WARNING: {warning}")
    # files no photo row points at (a crash mid-upload): harmless, removed after a day
    for orphan in orphaned:
        print(f"ORPHAN FILE: uploads/{orphan.path} ({orphan.modified:%Y-%m-%d %H:%M} UTC)")
    if orphaned:
        print(
            f"{len(orphaned)} orphan photo files: the daily job remove-orphan-photos deletes "
            "those older than a day"
        )
    if problems:
        raise SystemExit(1)
    print("consistent: append-only ledger, every case with its ledger, figures equal a recount")


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    parser = argparse.ArgumentParser(prog="pingli", description="Pingli (评理) dispute mediation")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("migrate", help="apply the database migrations").set_defaults(func=cmd_migrate)

    p = sub.add_parser("seed-demo", help="create the demo county when the database is empty")
    p.add_argument("--disputes", type=int, default=0, help="also add N synthetic cases (bulk)")
    p.add_argument("--random", action="store_true", help="vary the synthetic cases between runs")
    p.set_defaults(func=cmd_seed_demo)

    p = sub.add_parser("serve", help="serve the web app (and the scheduler, single process)")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--workers", type=int)
    p.add_argument("--setup", action="store_true", help="migrate and seed the demo county first")
    p.set_defaults(func=cmd_serve)

    sub.add_parser("scheduler", help="run the scheduler process (production)").set_defaults(
        func=cmd_scheduler
    )

    p = sub.add_parser("create-user", help="add a user")
    p.add_argument("username")
    p.add_argument("--role", required=True)
    p.add_argument("--jurisdiction", required=True, help="jurisdiction code, e.g. 411726001")
    p.add_argument("--display-name")
    p.add_argument("--phone")
    p.add_argument("--password", help="omit to be asked")
    p.set_defaults(func=cmd_create_user)

    sub.add_parser(
        "rotate-keys",
        help="re-encrypt every stored phone and ID number with the first key of PINGLI_DATA_KEY",
    ).set_defaults(func=cmd_rotate_keys)

    p = sub.add_parser("backup", help="write a consistent copy of the database to a file")
    p.add_argument("path", nargs="?", help="default: <data dir>/backups/pingli-<time>.db|dump")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="replace the database with a backup file")
    p.add_argument("path")
    p.add_argument("--force", action="store_true", help="even if the database holds data")
    p.add_argument(
        "--allow-empty", action="store_true", help="even if the backup holds no row at all"
    )
    p.set_defaults(func=cmd_restore)

    sub.add_parser(
        "check", help="check the database holds together (after a restore)"
    ).set_defaults(func=cmd_check)

    from app.jurisdictions import cli as jurisdictions_cli

    jurisdictions_cli.register(sub)
    from app.monitoring import cli as monitoring_cli

    monitoring_cli.register(sub)
    from app.rules import cli as rules_cli

    rules_cli.register(sub)

    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main(sys.argv[1:])
