"""The test harness: a real database per run (SQLite, or PostgreSQL+PostGIS when
PINGLI_TEST_ENGINE=postgres), migrated and seeded with the demo county once; the app served
in-process; the demo cast of users.

`make test` runs the suite once per engine. Tests create their own cases and never depend on
what other tests did.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid

import pytest

ENGINE = os.environ.get("PINGLI_TEST_ENGINE", "sqlite")
_TMP = tempfile.mkdtemp(prefix="pingli-test-")
_PG_DB: str | None = None

os.environ["PINGLI_DATA_DIR"] = _TMP
os.environ["PINGLI_SCHEDULER"] = "0"
os.environ.setdefault("PINGLI_DEFAULT_LOCALE", "zh_Hans")
# Every in-process test client comes from the same address: one test's refused sign-ins must
# not pause everybody's. tests/auth/test_throttling.py sets its own limits.
os.environ.setdefault("PINGLI_LOGIN_MAX_FAILURES_PER_ADDRESS", "1000")

if ENGINE == "postgres":
    base_url = os.environ.get("PINGLI_TEST_POSTGRES_URL")
    if not base_url:
        raise pytest.UsageError("PINGLI_TEST_ENGINE=postgres needs PINGLI_TEST_POSTGRES_URL")
    _PG_DB = f"pingli_test_{uuid.uuid4().hex[:10]}"
    from tests.support.pg import create_database, with_database

    asyncio.run(create_database(base_url, _PG_DB))
    os.environ["PINGLI_DATABASE_URL"] = with_database(base_url, _PG_DB)
else:
    os.environ["PINGLI_DATABASE_URL"] = f"sqlite:///{_TMP}/pingli.db"

import httpx  # noqa: E402

from app.main import create_app  # noqa: E402
from tests.support.cast import Cast  # noqa: E402


def pytest_configure(config):
    from app.cli import migrate
    from app.seed.demo import seed_demo

    async def setup() -> None:
        await migrate()
        await seed_demo()

    asyncio.run(setup())


def pytest_unconfigure(config):
    if _PG_DB:
        from tests.support.pg import drop_database

        asyncio.run(drop_database(os.environ["PINGLI_TEST_POSTGRES_URL"], _PG_DB))
    shutil.rmtree(_TMP, ignore_errors=True)


def pytest_report_header(config):
    return f"pingli database engine: {ENGINE} ({os.environ['PINGLI_DATABASE_URL'].split('@')[-1]})"


@pytest.fixture
def engine_name() -> str:
    return ENGINE


@pytest.fixture
async def app():
    """The app with its database pool. (Not app.lifespan(): its anyio task group cannot be
    entered in a fixture's setup task and left in its teardown task.)"""
    from app import db

    application = create_app(run_scheduler=False)
    await db.start(pool_size=10)
    yield application
    await db.stop()


@pytest.fixture
async def client(app):
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver", follow_redirects=False
    ) as c:
        yield c


@pytest.fixture
async def cast(app) -> Cast:
    """The demo users, each with a signed-in API client and a signed-in browser-like client."""
    async with Cast(app) as c:
        yield c


def pytest_collection_modifyitems(config, items):
    """Browser tests last: Playwright's sync API leaves an event loop running in the main
    thread, and asyncio tests after it could not start theirs."""
    items.sort(key=lambda item: "tests/browser/" in str(item.fspath))
