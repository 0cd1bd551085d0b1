"""Monitoring: the keys that make claims safe and the indexes the figures read through.

Both engines. A counter row is one per (span, day, area, category): the refresh adds to it with
INSERT ... ON CONFLICT. A sweep is one per grid and month, a report one per area, kind and
period: a second run, or a second scheduler, finds the row there and adds nothing.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T05:19:11:000000"
VERSION = "1.38.0"
DESCRIPTION = "monitoring keys and indexes"

STATEMENTS = [
    'CREATE UNIQUE INDEX IF NOT EXISTS monitoring_stats_key ON monitoring_stats (span, day, node, category)',
    "CREATE INDEX IF NOT EXISTS monitoring_stats_node ON monitoring_stats (node, span, day)",
    "CREATE INDEX IF NOT EXISTS monitoring_stats_county ON monitoring_stats (county, node_level, span, day)",
    "CREATE INDEX IF NOT EXISTS monitoring_stats_township ON monitoring_stats (township, node_level, span, day)",
    "CREATE INDEX IF NOT EXISTS monitoring_stats_village ON monitoring_stats (village, node_level, span, day)",
    "CREATE INDEX IF NOT EXISTS monitoring_case_fact_applicant ON monitoring_case_fact (applicant_key, created_at)",
    "CREATE INDEX IF NOT EXISTS monitoring_case_fact_place ON monitoring_case_fact (place_cell, created_at)",
    "CREATE UNIQUE INDEX IF NOT EXISTS monitoring_sweep_key ON monitoring_sweep (grid, month)",
    "CREATE UNIQUE INDEX IF NOT EXISTS monitoring_report_key ON monitoring_report (jurisdiction, kind, period_start)",
    "CREATE INDEX IF NOT EXISTS monitoring_alert_case_dispute ON monitoring_alert_case (dispute, alert)",
    # the escalations board: a kind's events in a window
    "CREATE INDEX IF NOT EXISTS case_event_kind_created ON case_event (kind, created_at)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="pingli", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)  # joins the migration's transaction

    manager.add_raw(run)
    return manager
