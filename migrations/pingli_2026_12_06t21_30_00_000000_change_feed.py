"""The change feed's transaction stamp on ledger events (PostgreSQL).

`case_event.txid` records the transaction that wrote each event, filled by the database
(`pg_current_xact_id()`); app/disputes/feed.py hands out only events whose transaction is older
than every one still in flight, so a reader never skips an event that commits late. Piccolo does
not know the column (like the PostGIS geometry columns); only the feed reads it. SQLite commits
one writer at a time in id order and needs no stamp.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T21:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "change feed: transaction stamp on ledger events"

POSTGRES = [
    "ALTER TABLE case_event ADD COLUMN IF NOT EXISTS txid xid8 NOT NULL "
    "DEFAULT pg_current_xact_id()",
    "CREATE INDEX IF NOT EXISTS case_event_feed ON case_event (txid, id)",
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
