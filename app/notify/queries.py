"""A person's in-app notices: the unread count for the badge and the centre's pages."""

from __future__ import annotations

import json

from app.notify.outbox import IN_APP, text
from app.notify.tables import Notification
from app.statements import Param, Prepared

PER_PAGE = 20
MAX_PAGE = 50  # the centre shows the latest thousand; older notices stay in the outbox


def mine(user_id: int):
    """A person's in-app notices that were delivered: a reminder waits in the outbox until it
    is due and the drain marks it sent."""
    return (
        (Notification.recipient == user_id)
        & (Notification.channel == IN_APP)
        & Notification.sent_at.is_not_null()
    )


# every page shows the badge: its statement is built once (app/statements.py, Prepared)
_UNREAD = Prepared(
    lambda: Notification.count().where(mine(Param("user")) & Notification.read_at.is_null())
)


async def unread_count(user_id: int) -> int:
    return await _UNREAD.run(user=user_id)


async def page(user_id: int, number: int) -> tuple[list[dict], bool]:
    """Newest first; (items, whether there is a next page)."""
    rows = await (
        Notification.select(
            Notification.id,
            Notification.kind,
            Notification.payload,
            Notification.created_at,
            Notification.read_at,
        )
        .where(mine(user_id))
        .order_by(Notification.id, ascending=False)
        .limit(PER_PAGE + 1)
        .offset((number - 1) * PER_PAGE)
    )
    items = []
    for r in rows[:PER_PAGE]:
        payload = json.loads(r["payload"])
        items.append(
            {
                "id": r["id"],
                "kind": r["kind"],
                "text": text(payload),
                "link": payload.get("link", "/"),
                "created_at": r["created_at"],
                "unread": r["read_at"] is None,
            }
        )
    return items, len(rows) > PER_PAGE


async def link_of(user_id: int, notification_id: int) -> str | None:
    row = (
        await Notification.select(Notification.payload)
        .where(mine(user_id) & (Notification.id == notification_id))
        .first()
    )
    return json.loads(row["payload"]).get("link", "/") if row else None
