"""`pingli backup [PATH]` and `pingli restore PATH`: a whole database to one file and back.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies a consistent snapshot page
by page while the app keeps serving; restoring copies the file's pages back the same way.
PostgreSQL: `pg_dump -Fc` (one consistent snapshot, in custom format) and `pg_restore --clean
--if-exists --single-transaction`, found on PATH (use the server's major version). The
password in PINGLI_DATABASE_URL goes to them in PGPASSWORD, never on the command line.

A restore replaces everything: it refuses a database that holds any row unless forced.
Uploaded photos live under <data dir>/uploads: copy that folder with the database.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from app.db import sqlite_path
from app.settings import Settings

# Not the application's data: Piccolo's record of migrations, PostGIS's reference table.
NOT_DATA = {"migration", "spatial_ref_sys"}


class BackupError(Exception):
    """Why a backup or a restore cannot go ahead, said plainly for the operator."""


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def default_path(settings: Settings) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
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


def restore(settings: Settings, source: Path, force: bool = False) -> dict[str, int]:
    """Replace the database with the backup at `source`; return the restored row counts."""
    url = settings.database_url
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
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
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src:
            verdict = src.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{source} is not a SQLite backup: {exc}") from exc
    if verdict != "ok":
        raise BackupError(f"{source} is damaged: {verdict}")
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")
