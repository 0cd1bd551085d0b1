"""PostGIS geometry derived from the rows Piccolo writes, and the indexes the queues need.

On PostgreSQL: the postgis extension, generated geometry columns (the rows stay the truth:
lon/lat and GeoJSON text), GiST indexes on geometry and on geography for metre distances.
On both engines: composite indexes for scoped, filtered, newest-first case lists.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T04:16:43:021424"
VERSION = "1.38.0"
DESCRIPTION = "postgis geometry and query indexes"

BOTH = [
    "CREATE INDEX IF NOT EXISTS dispute_county_created ON dispute (county, created_at)",
    "CREATE INDEX IF NOT EXISTS dispute_township_created ON dispute (township, created_at)",
    "CREATE INDEX IF NOT EXISTS dispute_village_created ON dispute (village, created_at)",
    "CREATE INDEX IF NOT EXISTS dispute_grid_created ON dispute (grid, created_at)",
    "CREATE INDEX IF NOT EXISTS dispute_county_status ON dispute (county, status)",
    "CREATE INDEX IF NOT EXISTS dispute_township_status ON dispute (township, status)",
    "CREATE INDEX IF NOT EXISTS dispute_village_status ON dispute (village, status)",
    "CREATE INDEX IF NOT EXISTS dispute_grid_status ON dispute (grid, status)",
    "CREATE INDEX IF NOT EXISTS case_event_dispute_id ON case_event (dispute, id)",
]

POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS postgis",
    """ALTER TABLE jurisdiction ADD COLUMN geom geometry(Geometry, 4326)
       GENERATED ALWAYS AS (
         CASE WHEN boundary IS NULL OR boundary = '' THEN NULL
              ELSE ST_SetSRID(ST_GeomFromGeoJSON(boundary), 4326) END
       ) STORED""",
    "CREATE INDEX jurisdiction_geom_gist ON jurisdiction USING GIST (geom)",
    """ALTER TABLE dispute ADD COLUMN geom geometry(Point, 4326)
       GENERATED ALWAYS AS (
         CASE WHEN lon IS NULL OR lat IS NULL THEN NULL
              ELSE ST_SetSRID(ST_MakePoint(lon, lat), 4326) END
       ) STORED""",
    "CREATE INDEX dispute_geom_gist ON dispute USING GIST (geom)",
    "CREATE INDEX dispute_geog_gist ON dispute USING GIST ((geom::geography))",
    """ALTER TABLE room ADD COLUMN geom geometry(Point, 4326)
       GENERATED ALWAYS AS (
         CASE WHEN lon IS NULL OR lat IS NULL THEN NULL
              ELSE ST_SetSRID(ST_MakePoint(lon, lat), 4326) END
       ) STORED""",
    "CREATE INDEX room_geom_gist ON room USING GIST (geom)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="pingli", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        statements = BOTH + (POSTGRES if engine.engine_type == "postgres" else [])
        for statement in statements:
            await engine.run_ddl(statement)  # joins the migration's transaction

    manager.add_raw(run)
    return manager
