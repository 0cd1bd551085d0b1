"""The audit log keeps its entries: no edits ever, no deletes of entries younger than 180 days.

The retention job (app/audit/retention.py) deletes entries older than
PINGLI_AUDIT_RETENTION_DAYS (at least 180). The database enforces the floor itself, so neither
a bug nor a hand-typed statement can shorten it; on PostgreSQL a delete must also come from a
transaction that set `pingli.audit_purge` (only the job does), and TRUNCATE is refused.

Also: the reveals logged so far in disclosure_log are copied into audit_log (the one log from
now on; disclosure_log stays, append-only, as it was), and phones and ID numbers already stored
are encrypted with the data key (the same rewrite as `pingli rotate-keys`).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T07:19:26:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit log retention guard, encrypt stored personal numbers"

FLOOR = "180 days"

POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION pingli_audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'DELETE' AND OLD.created_at < now() - interval '{FLOOR}'
            AND current_setting('pingli.audit_purge', true) = 'on' THEN
           RETURN OLD;
         END IF;
         RAISE EXCEPTION 'audit_log is append-only: entries are kept {FLOOR} at least';
       END $$""",
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION pingli_audit_log_guard()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION pingli_append_only()",
]
SQLITE = [
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    # Piccolo stores timestamps in UTC as 'YYYY-MM-DD HH:MM:SS…', which compares as text
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_early_delete BEFORE DELETE ON audit_log "
    f"WHEN OLD.created_at > datetime('now', '-{FLOOR}') "
    f"BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: entries are kept {FLOOR} at least'); END",
]
COPY_REVEALS = """INSERT INTO audit_log ("user", county, kind, dispute, party, what, ip, user_agent, created_at)
    SELECT d."user", c.county, 'reveal', d.dispute, d.party, d.fields, d.ip, d.user_agent, d.created_at
    FROM disclosure_log d JOIN dispute c ON c.id = d.dispute ORDER BY d.id"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="pingli", description=DESCRIPTION)

    async def run():
        from app.pii_rotation import rotate_all

        engine = engine_finder()
        for statement in POSTGRES if engine.engine_type == "postgres" else SQLITE:
            await engine.run_ddl(statement)  # joins the migration's transaction
        await engine.run_ddl(COPY_REVEALS)
        await rotate_all()

    manager.add_raw(run)
    return manager
