"""`pingli rotate-keys`: rewrite every stored phone and ID number with the first data key.

Tokens made with an older key are re-encrypted; plaintext left from before encryption (or
typed into the database by hand) is encrypted. Run it after putting a new key first in
PINGLI_DATA_KEY, then drop the old key. Safe to run again, and to stop half way: each chunk is
its own transaction and a row already under the first key is rewritten harmlessly.
"""

from __future__ import annotations

from typing import Any

from piccolo.table import Table

from app import crypto, db
from app.auth.tables import User
from app.disputes.tables import Party
from app.notify.tables import Notification
from app.sessions.tables import Juror

# Every column holding a phone or an ID number. A new one must be added here (and encrypted
# where it is written): tests/core/test_personal_data_at_rest.py reads this list.
ENCRYPTED: tuple[tuple[type[Table], tuple[str, ...]], ...] = (
    (Party, ("phone", "id_number")),
    (Juror, ("phone",)),
    (User, ("phone",)),
    (Notification, ("phone",)),
)
CHUNK = 1000


async def _rotate_table(table: type[Table], names: tuple[str, ...]) -> int:
    pk = table._meta.primary_key
    columns = [table._meta.get_column_by_name(n) for n in names]
    last: Any = None
    done = 0
    while True:
        query = table.select(pk, *columns).order_by(pk).limit(CHUNK)
        if last is not None:
            query = query.where(pk > last)
        rows = await query
        if not rows:
            return done
        async with db.transaction():
            for row in rows:
                values = {c: crypto.rotate(row[c._meta.name]) for c in columns if row[c._meta.name]}
                if values:
                    await table.update(values).where(pk == row[pk._meta.name])
                    done += 1
        last = rows[-1][pk._meta.name]


async def rotate_all() -> dict[str, int]:
    """Rows rewritten, per table."""
    return {table._meta.tablename: await _rotate_table(table, names) for table, names in ENCRYPTED}
