"""Text search over case titles and descriptions through trigram indexes (PostgreSQL).

pg_trgm ships with PostgreSQL (contrib); like postgis it needs a superuser to create. Its GIN
indexes serve `LIKE '%…%'` and `ILIKE '%…%'` for search terms of three characters or more, so
a search costs the same in a county of a hundred thousand cases as in one of a thousand.
SQLite searches by scanning the (small) embedded database.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T05:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "trigram indexes for case text search"

POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS dispute_title_trgm ON dispute USING GIN (title gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS dispute_description_trgm ON dispute USING GIN (description gin_trgm_ops)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="pingli", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        if engine.engine_type != "postgres":
            return
        for statement in POSTGRES:
            await engine.run_ddl(statement)  # joins the migration's transaction

    manager.add_raw(run)
    return manager
