"""Files attached to a case. Today: photos taken on patrol, uploaded one by one after the case.

The id is the phone's UUID for the photo, so an upload can be repeated until it is heard;
the bytes live under <data dir>/uploads (never under static/) and are served only through a
scoped route.
"""

from piccolo.columns import (
    UUID,
    ForeignKey,
    Integer,
    OnDelete,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from app.auth.tables import User
from app.disputes.tables import Dispute


class Attachment(Table):
    id = UUID(
        primary_key=True, help_text="Client-generated: the same id uploaded twice is one photo."
    )
    dispute = ForeignKey(references=Dispute, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=16, default="photo", help_text="photo")
    content_type = Varchar(
        length=64, help_text="Of the stored file (photos are re-encoded to JPEG)."
    )
    size = Integer(help_text="Bytes of the stored file.")
    width = Integer(default=0)
    height = Integer(default=0)
    sha256 = Varchar(
        length=64,
        help_text="SHA-256 of the bytes as uploaded: the same id with the same bytes is a replay.",
    )
    storage_path = Varchar(length=255, help_text="Relative to <data dir>/uploads.")
    created_by = ForeignKey(references=User, on_delete=OnDelete.restrict, null=True)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
