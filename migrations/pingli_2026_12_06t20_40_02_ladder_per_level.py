"""The ladder counted per level over the case's whole life: the sessions held at each level the
case has left (the current level's stay in `attempts`), and the extra sessions a hand-back
granted to a level."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T20:40:02:000000"
VERSION = "1.38.0"
DESCRIPTION = "ladder counted per level over the case's life, attempts granted by a hand-back"

_PARAMS = {
    "default": "{}",
    "null": False,
    "primary_key": False,
    "unique": False,
    "index": False,
    "index_method": IndexMethod.btree,
    "choices": None,
    "db_column_name": None,
    "secret": False,
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="pingli", description=DESCRIPTION)
    for name in ("attempts_by_level", "attempts_granted"):
        manager.add_column(
            table_class_name="Dispute",
            tablename="dispute",
            column_name=name,
            db_column_name=name,
            column_class_name="Text",
            column_class=Text,
            params=dict(_PARAMS),
            schema=None,
        )
    return manager
