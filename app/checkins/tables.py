"""Patrol check-ins: "I am patrolling grid X now", with the GPS fix when there is one.

They are the evidence behind the monthly full-coverage sweep (every grid patrolled). A
check-in carries the same four territory columns as a case, so scope_where applies as is.
"""

from piccolo.columns import (
    UUID,
    Float,
    ForeignKey,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from app.auth.tables import User
from app.jurisdictions.tables import Jurisdiction


class PatrolCheckin(Table):
    id = UUID(
        primary_key=True, help_text="Client-generated: the same id posted twice is one check-in."
    )
    user = ForeignKey(references=User, on_delete=OnDelete.restrict, index=True)
    county = ForeignKey(references=Jurisdiction, on_delete=OnDelete.restrict, index=True)
    township = ForeignKey(references=Jurisdiction, on_delete=OnDelete.restrict, index=True)
    village = ForeignKey(references=Jurisdiction, on_delete=OnDelete.restrict, index=True)
    grid = ForeignKey(references=Jurisdiction, on_delete=OnDelete.restrict, index=True)
    lon = Float(null=True, default=None)
    lat = Float(null=True, default=None)
    gps_accuracy_m = Float(null=True, default=None)
    location_source = Varchar(
        length=8, null=True, default=None, help_text="gps: the phone's fix; manual: by hand"
    )
    note = Text(default="")
    checked_at = Timestamptz(
        index=True, help_text="When the worker checked in (the phone's clock)."
    )
    content_hash = Varchar(length=64, help_text="Hash of the payload (idempotent replays).")
    created_at = Timestamptz(default=TimestamptzNow(), help_text="When the server received it.")
