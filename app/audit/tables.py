"""The audit log: append-only (database triggers refuse edits, and deletes of entries younger
than the minimum retention; app/audit/retention.py purges the older ones)."""

from piccolo.columns import ForeignKey, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from app.auth.tables import User
from app.disputes.tables import Dispute, Party
from app.jurisdictions.tables import Jurisdiction

KINDS = ("reveal", "agreement", "export")
# Admin changes (issue 17): who changed which account, room, juror, category, boundaries,
# holiday calendar, time limits or Open311 client keys.
ADMIN_KINDS = (
    "user",
    "room",
    "juror",
    "category",
    "boundaries",
    "calendar",
    "limits",
    "open311",
    "basemap",
)
KINDS = KINDS + ADMIN_KINDS


class AuditLog(Table, tablename="audit_log"):
    """Who saw personal data unmasked or took data out, what, when and from where."""

    user = ForeignKey(references=User, on_delete=OnDelete.restrict, index=True)
    county = ForeignKey(
        references=Jurisdiction,
        on_delete=OnDelete.restrict,
        index=True,
        help_text="The county whose data it was: the scope of the county admin's page.",
    )
    kind = Varchar(length=16, help_text="|".join(KINDS))
    dispute = ForeignKey(
        references=Dispute, on_delete=OnDelete.restrict, null=True, default=None, index=True
    )
    party = ForeignKey(references=Party, on_delete=OnDelete.restrict, null=True, default=None)
    what = Varchar(
        length=200, help_text="e.g. phone,id_number or the exported report; never the data itself"
    )
    detail = Text(
        default="",
        help_text="An admin change: JSON {before: {...}, after: {...}}, personal numbers masked",
    )
    ip = Varchar(length=64, default="")
    user_agent = Varchar(length=200, default="")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
