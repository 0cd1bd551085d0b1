from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Float
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-22T04:31:51:328694"
VERSION = "1.38.0"
DESCRIPTION = "boundary version stamp and jurisdiction area"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="pingli", description=DESCRIPTION
    )

    manager.add_table(
        class_name="BoundaryVersion",
        tablename="boundary_version",
        schema=None,
        columns=None,
    )

    manager.add_column(
        table_class_name="BoundaryVersion",
        tablename="boundary_version",
        column_name="version",
        db_column_name="version",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
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

    manager.add_column(
        table_class_name="Jurisdiction",
        tablename="jurisdiction",
        column_name="area_km2",
        db_column_name="area_km2",
        column_class_name="Float",
        column_class=Float,
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
