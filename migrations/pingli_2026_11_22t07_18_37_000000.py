"""The outbox's unsent rows, for the drain (app/notify/drain.py) and for withdrawing a
session's reminders: a partial index, so it stays as small as the backlog however many
notices were ever sent. Both engines support partial indexes.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T07:18:37:000000"
VERSION = "1.38.0"
DESCRIPTION = "outbox index on unsent notifications"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="pingli", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl(
            "CREATE INDEX IF NOT EXISTS notification_unsent_due ON notification (due_at) "
            "WHERE sent_at IS NULL"
        )

    manager.add_raw(run)
    return manager
