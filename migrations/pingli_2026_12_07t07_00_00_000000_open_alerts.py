"""The open alerts, indexed apart: every look at a dashboard counts them (its kept board's
stamp, app/monitoring/board_cache.py), and alerts pile up over the years while few stay open."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T07:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "alerts: the open ones indexed"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="pingli", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl(
            "CREATE INDEX IF NOT EXISTS monitoring_alert_open "
            "ON monitoring_alert (id) WHERE acknowledged_at IS NULL"
        )

    manager.add_raw(run)
    return manager
