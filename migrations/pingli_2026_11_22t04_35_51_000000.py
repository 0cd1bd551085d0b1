"""Case lifecycle: the indexes the work queues and the deadline sweep read through, and the
holder and time-limit columns filled in for cases logged before they existed.

Both engines. Work queues are "held by this node, in these states, newest first" and "due in
this area, soonest first"; duplicates look up the same category in a latitude band.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T04:35:51:000000"
VERSION = "1.38.0"
DESCRIPTION = "lifecycle indexes and backfill"

STATEMENTS = [
    "CREATE INDEX IF NOT EXISTS dispute_holder_status_created ON dispute (holder, status, created_at)",
    "CREATE INDEX IF NOT EXISTS dispute_holder_due ON dispute (holder, due_at)",
    "CREATE INDEX IF NOT EXISTS dispute_county_due ON dispute (county, due_at)",
    "CREATE INDEX IF NOT EXISTS dispute_township_due ON dispute (township, due_at)",
    "CREATE INDEX IF NOT EXISTS dispute_village_due ON dispute (village, due_at)",
    "CREATE INDEX IF NOT EXISTS dispute_grid_due ON dispute (grid, due_at)",
    "CREATE INDEX IF NOT EXISTS dispute_category_lat ON dispute (category, lat)",
    "CREATE INDEX IF NOT EXISTS notification_recipient_read ON notification (recipient, read_at)",
    """UPDATE dispute SET holder = CASE level WHEN 'county' THEN county
                                            WHEN 'township' THEN township
                                            ELSE village END
       WHERE holder IS NULL""",
    """UPDATE dispute SET due_from = created_at,
                          due_kind = CASE WHEN status = 'logged' THEN 'accept' ELSE 'resolve' END
       WHERE due_at IS NOT NULL AND due_from IS NULL""",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="pingli", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)  # joins the migration's transaction

    manager.add_raw(run)
    return manager
