"""`pingli backup` and `pingli restore`, run as an operator would, on this run's engine: the
seeded database is backed up, restored into a fresh database, damaged there, refused a
restore over it without --force, restored with it, and then holds together: the same rows,
the ledger still append-only, the figures equal to a recount, a case page served."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg
import pytest

from app.backup import row_counts
from app.settings import REPO_ROOT
from tests.support.pg import create_database, drop_database, with_database


def pingli(*args: str, url: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PINGLI_DATABASE_URL=url)
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def run_sql(url: str, *statements: str) -> None:
    if url.startswith("postgresql"):

        async def run() -> None:
            conn = await asyncpg.connect(url)
            try:
                for s in statements:
                    await conn.execute(s)
            finally:
                await conn.close()

        asyncio.run(run())
    else:
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            for s in statements:
                conn.execute(s)


@pytest.fixture
def target(engine_name, tmp_path):
    """An empty database beside the run's own, of the same engine."""
    if engine_name == "postgres":
        base, name = (
            os.environ["PINGLI_TEST_POSTGRES_URL"],
            f"pingli_restore_{uuid.uuid4().hex[:8]}",
        )
        asyncio.run(create_database(base, name))
        yield with_database(base, name)
        asyncio.run(drop_database(base, name))
    else:
        yield f"sqlite:///{tmp_path / 'restored.db'}"


def test_a_restored_backup_holds_together(engine_name, target, tmp_path):
    source = os.environ["PINGLI_DATABASE_URL"]
    trigger = (
        "case_event_append_only ON case_event"
        if engine_name == "postgres"
        else "case_event_no_update"
    )
    dump = tmp_path / "pingli.backup"
    done = pingli("backup", str(dump), url=source)
    assert done.returncode == 0, done.stderr
    assert f"backed up to {dump}" in done.stdout and dump.stat().st_size > 0
    expected = row_counts(source)
    assert expected["dispute"] > 0 and expected["case_event"] > 0

    done = pingli("restore", str(dump), url=target)
    assert done.returncode == 0, done.stderr
    assert row_counts(target) == expected

    # damage: the ledger's guard dropped, a case rewritten, the figures' counters lost
    run_sql(
        target,
        f"DROP TRIGGER {trigger}",
        "UPDATE dispute SET title = 'tampered'",
        "DELETE FROM monitoring_stats",
    )
    refused = pingli("restore", str(dump), url=target)
    assert refused.returncode != 0 and "--force" in refused.stderr
    assert row_counts(target)["monitoring_stats"] == 0  # nothing touched

    damaged = pingli("check", url=target)
    assert damaged.returncode == 1 and "case_event accepts updates" in damaged.stdout, (
        damaged.stdout
    )

    done = pingli("restore", "--force", str(dump), url=target)
    assert done.returncode == 0, done.stderr
    assert row_counts(target) == expected

    checked = pingli("check", url=target)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "consistent" in checked.stdout

    env = dict(os.environ, PINGLI_DATABASE_URL=target)
    probe = subprocess.run(
        [sys.executable, "-m", "tests.support.case_page_probe"],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert probe.returncode == 0, probe.stderr
    assert json.loads(probe.stdout) == {
        "signed_in": 302,
        "page": 200,
        "title_on_page": True,
        "api": 200,
        "api_title": True,
    }


def test_restore_refuses_what_is_not_a_backup(tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database")
    done = pingli("restore", str(junk), url=f"sqlite:///{tmp_path / 'empty.db'}")
    assert done.returncode != 0 and "not a SQLite backup" in done.stderr
    assert (
        not Path(tmp_path / "empty.db").exists()
        or row_counts(f"sqlite:///{tmp_path / 'empty.db'}") == {}
    )
