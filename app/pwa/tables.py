"""What a phone told the server it had waiting in its outbox (its "announcements").

A phone announces the ids of the entries it holds whenever it is online (static/js/
outbox-device.js). An entry announced once that later disappears from the phone without
reaching the server (no case or check-in with its id) was lost on the phone: the browser
cleared its storage. The row then carries `lost_at` until the worker has seen the notice.
Rows of delivered entries are deleted as soon as the phone reports again.
"""

from piccolo.columns import (
    UUID,
    ForeignKey,
    OnDelete,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from app.auth.tables import User


class DeviceOutboxEntry(Table):
    device_id = UUID(index=True, help_text="The phone's own id, kept in its storage and a cookie.")
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    client_id = UUID(help_text="The entry's UUID: the id the case or check-in gets on arrival.")
    kind = Varchar(length=16, help_text="dispute | checkin")
    label = Varchar(length=120, help_text="What the worker saw in the outbox (a case's title).")
    saved_at = Timestamptz(help_text="When the entry was saved on the phone (the phone's clock).")
    announced_at = Timestamptz(help_text="When the phone last said it held the entry.")
    lost_at = Timestamptz(
        null=True, default=None, help_text="When the phone reported it gone but it never arrived."
    )
