"""Web Push subscriptions: one row per installed device (a browser's push endpoint).

The PWA subscribes with the server's VAPID public key and posts the subscription here; the
push sender deletes a row when the push service answers 404/410 (the device unsubscribed).
"""

from __future__ import annotations

from piccolo.columns import ForeignKey, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from app.auth.tables import User


class PushSubscription(Table):
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    endpoint = Text(unique=True, help_text="The push service URL of one device")
    p256dh = Varchar(length=128, help_text="The device's public key (base64url)")
    auth = Varchar(length=64, help_text="The device's auth secret (base64url)")
    user_agent = Varchar(length=200, default="")
    locale = Varchar(length=8, default="zh_Hans", help_text="The language notices are pushed in")
    created_at = Timestamptz(default=TimestamptzNow())
    last_sent_at = Timestamptz(null=True, default=None)
