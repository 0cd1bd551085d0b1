"""The engines a contract test asks: the one this run's database uses, and on PostgreSQL the
embedded one as well, over the same rows, so the two are compared answer for answer."""

from __future__ import annotations

import pytest


@pytest.fixture
async def engines(app):
    from app import db
    from app.geo.embedded import Embedded
    from app.geo.postgis import PostGIS

    found = [PostGIS(), Embedded()] if db.is_postgres() else [Embedded()]
    yield found
    for engine in found:
        if isinstance(engine, PostGIS):
            await engine.dispose()


@pytest.fixture
async def county_officer(app):
    from tests.support.geo import actor_for

    return await actor_for("demo-county")
