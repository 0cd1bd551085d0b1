"""The ledger and the disclosure log are append-only, enforced by the database itself.

Corrections are new events; nothing, not even a bug or a hand-typed SQL statement, may edit or
delete what a case's ledger (case_event) or the log of who saw personal data (disclosure_log)
says. Triggers on both engines refuse UPDATE and DELETE.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T05:40:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "append-only ledger and disclosure log"

TABLES = ("case_event", "disclosure_log")

POSTGRES = [
    """CREATE OR REPLACE FUNCTION pingli_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$""",
    *[
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION pingli_append_only()"
        for table in TABLES
    ],
]
SQLITE = [
    f"CREATE TRIGGER IF NOT EXISTS {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
    for table in TABLES
    for verb in ("UPDATE", "DELETE")
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="pingli", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in POSTGRES if engine.engine_type == "postgres" else SQLITE:
            await engine.run_ddl(statement)  # joins the migration's transaction

    manager.add_raw(run)
    return manager
