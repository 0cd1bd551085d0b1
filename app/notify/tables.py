"""The outbox: every notice to a person, once, whatever the channel.

A row is one notice on one channel. The in-app channel is delivered by being stored (the
notification centre reads it); other channels (web push, SMS) send the rows whose sent_at is
empty and count their attempts. Reminders are rows due later: the drain (drain.py) claims each
row once it is due, and an in-app row shows in the centre from then on. The dedupe key is unique, so a notice is created once however
often the code that creates it runs.
"""

from piccolo.columns import ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from app.auth.tables import User


class Notification(Table):
    recipient = ForeignKey(references=User, on_delete=OnDelete.cascade, null=True, default=None)
    phone = Varchar(
        length=200,
        null=True,
        default=None,
        help_text="For a recipient without a login. Encrypted (app/crypto.py).",
    )
    channel = Varchar(length=16, default="in_app", help_text="in_app|web_push|sms")
    kind = Varchar(length=32)
    payload = Text(
        default="{}", help_text='JSON: {"message": msgid, "params": {...}, "link": "/..."}'
    )
    dedupe_key = Varchar(length=200, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    due_at = Timestamptz(default=TimestamptzNow(), help_text="Not to be sent before.")
    sent_at = Timestamptz(null=True, default=None)
    read_at = Timestamptz(null=True, default=None)
    attempts = Integer(default=0)
    last_error = Text(default="")
    claim_token = Varchar(
        length=32, null=True, default=None, help_text="The drain run sending it now (drain.py)."
    )
    claimed_until = Timestamptz(
        null=True,
        default=None,
        help_text="Not to be claimed again before: a sender's lease, or the back-off after a failure.",
    )


class NotificationChoice(Table, tablename="notification_choice"):
    """What routine work a person does not want to be told about (app/notify/choices.py). A
    topic without a row is wanted: the defaults are on."""

    user = ForeignKey(references=User, on_delete=OnDelete.cascade, unique=True)
    off = Varchar(length=200, default="", help_text="The topics turned off, comma-separated.")
