"""`pingli backup [PATH]` and `pingli restore PATH`: a whole database to one file and back.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies a consistent snapshot page
by page while the app keeps serving; restoring copies the file's pages back the same way.
PostgreSQL: `pg_dump -Fc` (one consistent snapshot, in custom format) and `pg_restore --clean
--if-exists --single-transaction`, found on PATH (use the server's major version). The
password in PINGLI_DATABASE_URL goes to them in PGPASSWORD, never on the command line.

A restore replaces everything. It first says what the backup holds (rows per table, the newest
case) and refuses a file that is not a Pingli database (no migration or dispute table), a
backup without a single row unless --allow-empty, and a live database that holds any row
unless --force.
Uploaded photos live under <data dir>/uploads: copy that folder with the database.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from app import clock
from app.db import protect_sqlite_files, sqlite_path
from app.settings import Settings

# Not the application's data: Piccolo's record of migrations, PostGIS's reference table.
NOT_DATA = {"migration", "spatial_ref_sys"}


class BackupError(Exception):
    """Why a backup or a restore cannot go ahead, said plainly for the operator."""


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def default_path(settings: Settings) -> Path:
    stamp = clock.now().strftime("%Y%m%dT%H%M%SZ")
    suffix = "dump" if is_postgres(settings.database_url) else "db"
    return settings.data_dir / "backups" / f"pingli-{stamp}.{suffix}"


# ---- PostgreSQL helpers ---------------------------------------------------------------------


def _pg_env_and_url(url: str) -> tuple[dict[str, str], str]:
    """The URL without its password, and an environment carrying the password."""
    parsed = urlparse(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
        netloc = parsed.hostname or ""
        if parsed.username:
            netloc = f"{parsed.username}@{netloc}"
        if parsed.port:
            netloc = f"{netloc}:{parsed.port}"
        parsed = parsed._replace(netloc=netloc)
    return env, urlunparse(parsed._replace(scheme="postgresql"))


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not on PATH: install the PostgreSQL client tools")
    return found


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()}")


# ---- what a database holds ------------------------------------------------------------------


def row_counts(url: str) -> dict[str, int]:
    """Rows per application table (Piccolo's migration table and PostGIS's left out)."""
    if is_postgres(url):
        return asyncio.run(_pg_row_counts(url))
    path = sqlite_path(url)
    if not path.exists():
        return {}
    with sqlite3.connect(path) as conn:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0]
            for n in sorted(names)
            if n not in NOT_DATA
        }


async def _pg_row_counts(url: str) -> dict[str, int]:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        names = [
            r["tablename"]
            for r in await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {
            n: await conn.fetchval(f'SELECT count(*) FROM "{n}"')
            for n in names
            if n not in NOT_DATA
        }
    finally:
        await conn.close()


# ---- backup ---------------------------------------------------------------------------------


def backup(settings: Settings, target: Path | None = None) -> Path:
    """Write a consistent copy of the database to `target` (default: under <data dir>/backups)
    and return its path. The file appears only once complete."""
    target = (target or default_path(settings)).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".backup-")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if is_postgres(settings.database_url):
            env, url = _pg_env_and_url(settings.database_url)
            _run([_tool("pg_dump"), "--format=custom", f"--file={tmp}", f"--dbname={url}"], env)
        else:
            source = sqlite_path(settings.database_url)
            if not source.exists():
                raise BackupError(f"no database at {source}")
            with sqlite3.connect(source) as src, sqlite3.connect(tmp) as dst:
                src.backup(dst)
            # a backup file stands alone: no -wal file beside it
            with sqlite3.connect(tmp) as dst:
                dst.execute("PRAGMA journal_mode=DELETE")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    target.chmod(0o600)  # personal data
    return target


# ---- restore --------------------------------------------------------------------------------

# Every Pingli database has these: a file without them is not a backup of this app.
REQUIRED = ("migration", "dispute")


@dataclass(frozen=True)
class Contents:
    """What a backup holds, said before it replaces anything."""

    tables: dict[str, int]  # rows per application table
    newest_case: tuple[str, str] | None  # (case number, when it was logged)

    @property
    def rows(self) -> int:
        return sum(self.tables.values())

    def describe(self) -> list[str]:
        newest = (
            f"newest case {self.newest_case[0]} (logged {self.newest_case[1]})"
            if self.newest_case
            else "no case"
        )
        lines = [f"{self.rows} rows in {len(self.tables)} tables; {newest}"]
        lines += [f"  {name:<32} {count:>10}" for name, count in sorted(self.tables.items())]
        return lines


def _check_tables(source: Path, names: set[str]) -> None:
    if missing := [t for t in REQUIRED if t not in names]:
        raise BackupError(f"{source} is not a Pingli database: no {' and no '.join(missing)} table")


def _sqlite_uri(path: Path) -> str:
    """A read-only URI for the file: the path escaped (a '#' or '?' in it is part of the name,
    not a fragment or a query that would open another file, or create an empty one)."""
    return f"{path.resolve().as_uri()}?mode=ro"


def _sqlite_contents(source: Path) -> Contents:
    try:
        with closing(sqlite3.connect(_sqlite_uri(source), uri=True)) as src:
            verdict = src.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                raise BackupError(f"{source} is damaged: {verdict}")
            names = {
                r[0]
                for r in src.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'"
                )
            }
            _check_tables(source, names)
            tables = {
                n: src.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0]
                for n in sorted(names - NOT_DATA)
            }
            newest = src.execute(
                'SELECT "case_no", "created_at" FROM "dispute" '
                'ORDER BY "created_at" DESC, "case_no" DESC LIMIT 1'
            ).fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{source} is not a SQLite backup: {exc}") from exc
    return Contents(tables, (str(newest[0]), str(newest[1])) if newest else None)


_COPY = re.compile(r'^COPY (?:"?public"?\.)?"?([^" ]+)"? \((.*)\) FROM stdin;$')


def _pg_contents(source: Path) -> Contents:
    """Read the dump's table of contents, then stream its data (as pg_restore would write
    it) counting the rows of each table and finding the newest case: nothing is restored."""
    listing = subprocess.run(
        [_tool("pg_restore"), "--list", str(source)], capture_output=True, text=True
    )
    if listing.returncode != 0:
        raise BackupError(f"{source} is not a PostgreSQL dump: {listing.stderr.strip()}")
    names = set()
    for line in listing.stdout.splitlines():
        parts = line.split()  # "215; 1259 16385 TABLE public dispute owner"
        if "TABLE" in parts:
            at = parts.index("TABLE")
            if len(parts) > at + 2 and parts[at + 1] == "public":
                names.add(parts[at + 2])
    _check_tables(source, names)
    tables = {n: 0 for n in sorted(names - NOT_DATA)}
    newest: tuple[str, str] | None = None
    newest_at: datetime | None = None
    with subprocess.Popen(
        [_tool("pg_restore"), "--data-only", "--file=-", str(source)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    ) as dump:
        assert dump.stdout is not None
        table, columns = None, []
        for line in dump.stdout:
            line = line.rstrip("\n")
            if table is None:
                found = _COPY.match(line)
                if found:
                    table = found.group(1)
                    columns = [c.strip().strip('"') for c in found.group(2).split(",")]
                continue
            if line == "\\.":
                table = None
                continue
            if table in tables:
                tables[table] += 1
            if table == "dispute":
                values = line.split("\t")
                row = dict(zip(columns, values, strict=False))
                at = datetime.fromisoformat(row["created_at"])
                if newest_at is None or at > newest_at:
                    newest_at, newest = at, (row["case_no"], row["created_at"])
        _, err = dump.communicate()
    if dump.returncode != 0:
        raise BackupError(f"{source} cannot be read: {err.strip()}")
    return Contents(tables, newest)


def contents(settings: Settings, source: Path) -> Contents:
    """What the backup at `source` holds; BackupError when it is not a Pingli backup."""
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    if is_postgres(settings.database_url):
        return _pg_contents(source)
    return _sqlite_contents(source)


def restore(
    settings: Settings,
    source: Path,
    force: bool = False,
    allow_empty: bool = False,
    show: Callable[[Contents], None] = lambda _c: None,
) -> dict[str, int]:
    """Replace the database with the backup at `source`; return the restored row counts.

    Refused: a file that is not a Pingli database (no migration or dispute table); a backup
    without a single row unless `allow_empty`; a live database holding rows unless `force`.
    `show` is told what the backup holds before anything is replaced."""
    url = settings.database_url
    found = contents(settings, source)
    show(found)
    if not found.rows and not allow_empty:
        raise BackupError(
            f"{source} holds no rows at all: restoring it empties the database; "
            "add --allow-empty if that is what you want"
        )
    held = {t: n for t, n in row_counts(url).items() if n}
    if held and not force:
        raise BackupError(
            f"the database is not empty ({sum(held.values())} rows in {len(held)} tables); "
            "restoring replaces everything in it: add --force to do so"
        )
    if is_postgres(url):
        env, plain = _pg_env_and_url(url)
        _run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={plain}",
                str(source),
            ],
            env,
        )
    else:
        _sqlite_restore(source, sqlite_path(url))
    return row_counts(url)


def _sqlite_restore(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    protect_sqlite_files(target)
    with (
        closing(sqlite3.connect(_sqlite_uri(source), uri=True)) as src,
        closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")
    protect_sqlite_files(target)
