"""The Open311 clients the administrator issued keys to."""

from piccolo.columns import ForeignKey, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from app.auth.tables import LoginSession, User


class Open311Client(Table, tablename="open311_client"):
    """A platform that reads and reports cases through /open311/v2. Its key is a login of kind
    'open311' (only its SHA-256 is stored) of the account it acts as: the account's area is the
    client's, and revoking the key, or deactivating the account, ends it."""

    name = Varchar(length=100, help_text="Who the client is, e.g. 市社会治理平台.")
    login = ForeignKey(references=LoginSession, on_delete=OnDelete.cascade, unique=True)
    account = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    issued_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
