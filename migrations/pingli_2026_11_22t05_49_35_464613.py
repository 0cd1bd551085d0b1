"""SQLite only: an index on case positions, for the boxes the map and "near me" ask for.

PostgreSQL answers those from the GiST indexes on dispute.geom (migrations/…021424); SQLite has
only lon/lat columns, and a latitude band narrows a county's cases ~25 times for a 1 km search.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T05:49:35:464613"
VERSION = "1.38.0"
DESCRIPTION = "sqlite index on case positions"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="pingli", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        if engine.engine_type != "sqlite":
            return
        await engine.run_ddl("CREATE INDEX IF NOT EXISTS dispute_lat_lon ON dispute (lat, lon)")

    manager.add_raw(run)
    return manager
