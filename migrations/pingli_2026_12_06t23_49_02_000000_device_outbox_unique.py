"""One row per (phone, worker, entry): two reports racing (two tabs) store an entry once."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T23:49:02:000000"
VERSION = "1.38.0"
DESCRIPTION = "phones: each reported entry once"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="pingli", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS device_outbox_entry_unique "
            'ON device_outbox_entry (device_id, "user", client_id)'
        )

    manager.add_raw(run)
    return manager
