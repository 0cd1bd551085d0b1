"""When a case was saved on the phone (`dispute.captured_at`, the phone's clock): shown as the
time it was logged. Null for cases logged online and for every case logged before; deadlines
still run from the server's receipt (`due_from`)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T21:53:46:000000"
VERSION = "1.38.0"
DESCRIPTION = "cases: the time they were saved on the phone"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="pingli", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Dispute",
        tablename="dispute",
        column_name="captured_at",
        db_column_name="captured_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )
    return manager
