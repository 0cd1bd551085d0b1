"""No double booking, made impossible by the database itself (PostgreSQL).

A room holds one live session at a time; a mediator or juror sits in one live session at a
time. Live means scheduled or held (a cancelled, rescheduled or no-show session frees its
slot). Half-open ranges: a session ending at 10:00 and the next starting at 10:00 do not
overlap. On SQLite the booking transaction checks the same rule under the write lock.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T04:43:52:114263"
VERSION = "1.38.0"
DESCRIPTION = "session exclusion constraints"

BOTH = [
    "CREATE INDEX IF NOT EXISTS mediation_session_room_starts ON mediation_session (room, starts_at)",
    "CREATE INDEX IF NOT EXISTS session_participant_person_starts "
    "ON session_participant (person, starts_at)",
]

POSTGRES = [
    # btree_gist lets a GiST index compare plain equality (room = room) beside range overlap;
    # it is a trusted extension, so the database owner may create it.
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """ALTER TABLE mediation_session ADD CONSTRAINT mediation_session_ends_after_start
       CHECK (ends_at > starts_at)""",
    """ALTER TABLE mediation_session ADD CONSTRAINT mediation_session_room_free
       EXCLUDE USING gist (room WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
       WHERE (status IN ('scheduled', 'held'))""",
    """ALTER TABLE session_participant ADD CONSTRAINT session_participant_person_free
       EXCLUDE USING gist (person WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
       WHERE (active AND person IS NOT NULL)""",
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
