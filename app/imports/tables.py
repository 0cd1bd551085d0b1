"""A ledger (台账) upload on its way in: the file's rows, the mapping chosen for its headers
and words, and the progress of the import (app/imports/services.py)."""

from piccolo.columns import ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from app.auth.tables import User
from app.jurisdictions.tables import Jurisdiction


class LedgerImport(Table, tablename="ledger_import"):
    id = Serial(primary_key=True)
    county = ForeignKey(references=Jurisdiction, on_delete=OnDelete.restrict, index=True)
    created_by = ForeignKey(references=User, on_delete=OnDelete.restrict)
    filename = Varchar(length=200, default="")
    headers = Text(default="[]", help_text="JSON: the file's header row.")
    rows = Text(default="[]", help_text="JSON: every data row as strings, in file order.")
    mapping = Text(default="{}", help_text="JSON {header index: field}; guessed until saved.")
    words = Text(default="{}", help_text="JSON {status|category: {file word: code}}.")
    state = Varchar(length=12, default="uploaded", help_text="uploaded|importing|done")
    mode = Varchar(length=8, default="", help_text="valid (the valid rows) | all (or none)")
    total = Integer(default=0)
    done = Integer(default=0, help_text="Rows gone through so far (the progress).")
    created = Integer(default=0, help_text="Cases created.")
    skipped = Integer(default=0, help_text="Rows already imported before (same row key).")
    bad = Integer(default=0, help_text="Rows left out for their problems.")
    created_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)
