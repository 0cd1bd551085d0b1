"""A row inserted through a statement made once (app/statements.py, PreparedInsert) is the row
`table.insert(table(...))` would have written: the values given, and for a column left out its
default worked out at that insert — not the first insert's, carried along in the statement."""

from __future__ import annotations

import asyncio
import uuid

from app.auth.tables import User
from app.notify.tables import Notification
from app.statements import PreparedInsert


async def test_a_prepared_insert_writes_what_piccolo_writes_with_defaults_of_its_own_moment(app):
    user = (await User.select(User.id).where(User.username == "demo-county").first())["id"]
    tag = uuid.uuid4().hex[:8]
    insert = PreparedInsert(Notification)
    await insert.run(recipient=user, kind="prepared", dedupe_key=f"{tag}:1")
    await asyncio.sleep(0.05)
    await insert.run(recipient=user, kind="prepared", dedupe_key=f"{tag}:2", payload='{"a": 1}')
    await Notification.insert(
        Notification(recipient=user, kind="prepared", dedupe_key=f"{tag}:piccolo")
    )
    rows = {
        r["dedupe_key"].split(":")[1]: r
        for r in await Notification.select().where(Notification.dedupe_key.like(f"{tag}:%"))
    }
    try:
        assert rows["1"]["payload"] == "{}" and rows["2"]["payload"] == '{"a": 1}'
        assert rows["1"]["channel"] == rows["piccolo"]["channel"] == "in_app"
        assert rows["1"]["attempts"] == rows["piccolo"]["attempts"] == 0
        assert rows["1"]["sent_at"] is None and rows["1"]["recipient"] == user
        # the time defaults are each insert's own
        assert rows["2"]["created_at"] > rows["1"]["created_at"]
        assert rows["piccolo"]["created_at"] > rows["2"]["created_at"]
    finally:
        await Notification.delete().where(Notification.dedupe_key.like(f"{tag}:%"))
