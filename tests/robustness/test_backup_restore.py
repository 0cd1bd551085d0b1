"""`pingli backup` and `pingli restore`, run as an operator would, on this run's engine: the
seeded database is backed up, restored into a fresh database, damaged there, refused a
restore over it without --force, restored with it, and then holds together: the same rows,
the ledger still append-only, the figures equal to a recount, a case page served."""

from __future__ import annotations

import asyncio
import json
import os
import re
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


@pytest.fixture
def make_backup(engine_name, tmp_path):
    """A backup file of this run's engine made from a database holding only `statements`."""
    made: list[str] = []

    def make(name: str, *statements: str) -> Path:
        if engine_name == "postgres":
            base = os.environ["PINGLI_TEST_POSTGRES_URL"]
            db = f"pingli_src_{uuid.uuid4().hex[:8]}"
            asyncio.run(create_database(base, db))
            made.append(db)
            url = with_database(base, db)
        else:
            url = f"sqlite:///{tmp_path / f'src-{uuid.uuid4().hex[:6]}.db'}"
        run_sql(url, *statements)
        path = tmp_path / name
        done = pingli("backup", str(path), url=url)
        assert done.returncode == 0, done.stderr
        return path

    yield make
    for db in made:
        asyncio.run(drop_database(os.environ["PINGLI_TEST_POSTGRES_URL"], db))


def test_a_backup_whose_path_holds_a_hash_restores_that_very_file(engine_name, target, tmp_path):
    """`file:{path}?mode=ro` cut "/backups/pingli#1.db" at the '#': SQLite made an empty
    "/backups/pingli", which passed and was copied over everything. Now the file named is
    read, and what it holds is said before anything is replaced."""
    source = os.environ["PINGLI_DATABASE_URL"]
    dump = tmp_path / "pingli#1.db"
    assert pingli("backup", str(dump), url=source).returncode == 0
    expected = row_counts(source)
    assert pingli("restore", str(dump), url=target).returncode == 0

    done = pingli("restore", str(dump), "--force", url=target)
    assert done.returncode == 0, done.stderr
    assert row_counts(target) == expected
    assert not (tmp_path / "pingli").exists()
    said = done.stdout
    assert f"{sum(expected.values())} rows in {len(expected)} tables" in said
    assert re.search(rf"dispute\s+{expected['dispute']}\b", said)
    assert re.search(r"newest case \S+-\d{4}-\d{6}", said), said  # named by its number


def test_restore_refuses_a_database_that_is_not_pingli_and_an_empty_one(make_backup, target):
    assert pingli("restore", str(make_backup("seed.backup", *SEED)), url=target).returncode == 0
    before = row_counts(target)

    other = make_backup("other.backup", "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    done = pingli("restore", str(other), "--force", url=target)
    assert done.returncode != 0 and "not a Pingli database" in done.stderr, done.stderr
    assert row_counts(target) == before

    empty = make_backup("empty#2.backup", *SCHEMA)
    done = pingli("restore", str(empty), "--force", url=target)
    assert done.returncode != 0 and "--allow-empty" in done.stderr, done.stderr
    assert "0 rows in" in done.stdout  # it said what the file holds
    assert row_counts(target) == before

    done = pingli("restore", str(empty), "--force", "--allow-empty", url=target)
    assert done.returncode == 0, done.stderr
    assert sum(row_counts(target).values()) == 0


SCHEMA = (
    "CREATE TABLE migration (id INTEGER PRIMARY KEY, name VARCHAR(200), app_name VARCHAR(200))",
    "CREATE TABLE dispute (id VARCHAR(36) PRIMARY KEY, case_no VARCHAR(40), created_at TEXT)",
)
SEED = (
    *SCHEMA,
    "INSERT INTO migration VALUES (1, '2026-01-01T00:00:00', 'pingli')",
    "INSERT INTO dispute VALUES ('a', 'XX-2026-000001', '2026-01-02T00:00:00+00:00')",
)
