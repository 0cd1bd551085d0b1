"""County admin (issue 17): the table of the managed list of categories, boundary files
awaiting confirmation, and the `detail` of an admin change in the audit log (before → after).
The next migration fills the categories."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T21:10:41:000000"
VERSION = "1.38.0"
DESCRIPTION = "countyadmin: categories, pending boundary uploads, audit change detail"


def _params(**extra):
    return {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    } | extra


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="pingli", description=DESCRIPTION)
    table = {"table_class_name": "Category", "tablename": "case_category", "schema": None}
    manager.add_table(
        class_name="Category", tablename="case_category", schema=None, columns=None
    )
    for name, cls, params in (
        ("code", Varchar, _params(length=32, default="", unique=True)),
        ("name", Varchar, _params(length=100, default="")),
        ("national", Varchar, _params(length=32, default="")),
        ("parent", Varchar, _params(length=32, default=None, null=True)),
        ("active", Boolean, _params(default=True)),
        ("position", Integer, _params(default=0)),
        ("changed_at", Timestamptz, _params(default=TimestamptzNow())),
    ):
        manager.add_column(
            **table,
            column_name=name,
            db_column_name=name,
            column_class_name=cls.__name__,
            column_class=cls,
            params=params,
        )
    upload = {"table_class_name": "BoundaryUpload", "tablename": "boundary_upload", "schema": None}
    manager.add_table(
        class_name="BoundaryUpload", tablename="boundary_upload", schema=None, columns=None
    )
    for name, cls, params in (
        ("token", Varchar, _params(length=64, default="", unique=True)),
        ("user_id", Integer, _params(default=0)),
        ("body", Text, _params(default="")),
        ("created_at", Timestamptz, _params(default=TimestamptzNow())),
    ):
        manager.add_column(
            **upload,
            column_name=name,
            db_column_name=name,
            column_class_name=cls.__name__,
            column_class=cls,
            params=params,
        )
    manager.add_column(
        table_class_name="AuditLog",
        tablename="audit_log",
        column_name="detail",
        db_column_name="detail",
        column_class_name="Text",
        column_class=Text,
        params=_params(default=""),
        schema=None,
    )

    return manager
