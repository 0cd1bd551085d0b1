from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class Jurisdiction(Table, tablename="jurisdiction", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


class User(Table, tablename="app_user", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


ID = "2026-12-06T21:44:40:000000"
VERSION = "1.38.0"
DESCRIPTION = "ledger imports"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="pingli", description=DESCRIPTION)

    manager.add_table(
        class_name="LedgerImport", tablename="ledger_import", schema=None, columns=None
    )

    manager.add_column(
        table_class_name="LedgerImport",
        tablename="ledger_import",
        column_name="county",
        db_column_name="county",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": True,
            "references": Jurisdiction,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="LedgerImport",
        tablename="ledger_import",
        column_name="created_by",
        db_column_name="created_by",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "references": User,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="LedgerImport",
        tablename="ledger_import",
        column_name="filename",
        db_column_name="filename",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "length": 200,
            "default": "",
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="LedgerImport",
        tablename="ledger_import",
        column_name="headers",
        db_column_name="headers",
        column_class_name="Text",
        column_class=Text,
        params={
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "default": "[]",
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="LedgerImport",
        tablename="ledger_import",
        column_name="rows",
        db_column_name="rows",
        column_class_name="Text",
        column_class=Text,
        params={
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "default": "[]",
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="LedgerImport",
        tablename="ledger_import",
        column_name="mapping",
        db_column_name="mapping",
        column_class_name="Text",
        column_class=Text,
        params={
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "default": "{}",
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="LedgerImport",
        tablename="ledger_import",
        column_name="words",
        db_column_name="words",
        column_class_name="Text",
        column_class=Text,
        params={
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "default": "{}",
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="LedgerImport",
        tablename="ledger_import",
        column_name="state",
        db_column_name="state",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "length": 12,
            "default": "uploaded",
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="LedgerImport",
        tablename="ledger_import",
        column_name="mode",
        db_column_name="mode",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "length": 8,
            "default": "",
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="LedgerImport",
        tablename="ledger_import",
        column_name="total",
        db_column_name="total",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "default": 0,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="LedgerImport",
        tablename="ledger_import",
        column_name="done",
        db_column_name="done",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "default": 0,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="LedgerImport",
        tablename="ledger_import",
        column_name="created",
        db_column_name="created",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "default": 0,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="LedgerImport",
        tablename="ledger_import",
        column_name="skipped",
        db_column_name="skipped",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "default": 0,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="LedgerImport",
        tablename="ledger_import",
        column_name="bad",
        db_column_name="bad",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "default": 0,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="LedgerImport",
        tablename="ledger_import",
        column_name="created_at",
        db_column_name="created_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "default": TimestamptzNow(),
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="LedgerImport",
        tablename="ledger_import",
        column_name="finished_at",
        db_column_name="finished_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "default": None,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
