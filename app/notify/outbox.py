"""Putting notices in the outbox. Domains describe a notice; this module stores one row per
recipient and channel, once (the dedupe key), inside the caller's transaction when it has one.

A notice's text is a message id with parameters, translated when it is shown or sent, in the
reader's language.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.auth.actor import MEDIATING_ROLES
from app.auth.tables import User
from app.i18n import current_locale
from app.i18n import gettext as translate
from app.notify import choices, robots
from app.notify.subscriptions import PushSubscription
from app.notify.tables import Notification
from app.statements import ByShape, PreparedInsert

IN_APP = "in_app"
WEB_PUSH = "web_push"
SMS = "sms"


@dataclass(frozen=True)
class Notice:
    kind: str
    message: str  # an English msgid marked with N_ where the notice is described
    link: str
    dedupe: str  # what makes this notice one notice; recipient and channel are added
    params: dict[str, Any] = field(default_factory=dict)


# Who hears of a case is asked on every action: the statements are made once per shape (how
# many nodes, users) rather than on every call (app/statements.py).
_USER_IDS = ByShape(lambda where: User.select(User.id).where(where))
_WITH_DEVICES = ByShape(lambda where: PushSubscription.select(PushSubscription.user).where(where))
_INSERT_ONCE = PreparedInsert(Notification, on_conflict="DO NOTHING")  # once: the dedupe key
FEW = 3


@dataclass(frozen=True)
class Reach:
    """People as a notice reaches them: the topics each turned off (app/notify/choices.py) and
    who turned on push notifications on a device."""

    off: dict[int, set[str]]
    devices: frozenset[int]

    @property
    def ids(self) -> list[int]:
        return sorted(self.off)

    def wanting(self, topic: str, user_ids: Iterable[int]) -> list[int]:
        """As `choices.wanting`, from what was read with the people."""
        assert topic in choices.BY_CODE, topic
        return sorted(u for u in set(user_ids) if topic not in self.off.get(u, ()))


# The staff at a node with their choices and devices: asked on every action that tells
# someone, one statement rather than three. Raw, as Piccolo has no correlated subqueries;
# the node ids and roles are passed as values, the placeholders made per count.
_STAFF_REACH = (
    'SELECT u.id, (SELECT c.off FROM notification_choice c WHERE c."user" = u.id) AS off,'
    ' EXISTS (SELECT 1 FROM push_subscription s WHERE s."user" = u.id) AS device'
    " FROM app_user u WHERE u.active AND u.role IN ({roles}) AND u.jurisdiction IN ({nodes})"
)


async def staff_reach(nodes: Iterable[int | None]) -> Reach:
    """The active mediators and officers at these nodes."""
    wanted = sorted({n for n in nodes if n is not None})
    if not wanted:
        return Reach({}, frozenset())
    sql = _STAFF_REACH.format(
        roles=", ".join(["{}"] * len(MEDIATING_ROLES)), nodes=", ".join(["{}"] * len(wanted))
    )
    rows = await User.raw(sql, *MEDIATING_ROLES, *wanted)
    return Reach(
        {r["id"]: choices.topics_off(r["off"]) for r in rows},
        frozenset(r["id"] for r in rows if r["device"]),
    )


async def who_may_see(user_ids: Iterable[int], nodes: Iterable[int | None]) -> list[int]:
    """Those of these active users whose area holds a row placed at `nodes` (a case's county,
    township, village and grid): a notice never names a case its reader may not open. A user
    sees their node's subtree (app/auth/scope.py), so their node is one of the row's."""
    wanted = sorted(set(user_ids))
    places = sorted({n for n in nodes if n is not None})
    if not wanted or not places:
        return []
    rows = await _USER_IDS.run(
        User.id.is_in(wanted) & User.jurisdiction.is_in(places) & (User.active == True)  # noqa: E712
    )
    return sorted(r["id"] for r in rows)


async def grid_workers_at(grid: int | None) -> list[int]:
    if grid is None:
        return []
    rows = await _USER_IDS.run(
        (User.jurisdiction == grid) & (User.role == "grid_worker") & (User.active == True)  # noqa: E712
    )
    return [r["id"] for r in rows]


def payload_of(notice: Notice) -> str:
    return json.dumps(
        {"message": notice.message, "params": notice.params, "link": notice.link},
        ensure_ascii=False,
    )


async def with_devices(user_ids: Iterable[int]) -> set[int]:
    """Those of these users who turned on push notifications on at least one device."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return set()
    rows = await _WITH_DEVICES.run(PushSubscription.user.is_in(wanted))
    return {r["user"] for r in rows}


async def send(
    notice: Notice, recipients: Iterable[int], now: datetime, reach: Reach | None = None
) -> None:
    """In-app delivery is the row itself, so it is sent as it is stored. Those recipients
    who turned on push notifications get a web push row too (sent_at empty), which the drain
    (drain.py) sends. `reach`: the recipients' devices, when read with them."""
    payload = payload_of(notice)
    recipients = sorted(set(recipients))
    devices = reach.devices & set(recipients) if reach else await with_devices(recipients)
    # rows as plain values: a Table instance per row cost more than its insert (see below)
    rows: list[dict[str, Any]] = [
        {
            "recipient": user_id,
            "channel": IN_APP,
            "kind": notice.kind,
            "payload": payload,
            "dedupe_key": f"{notice.dedupe}:{IN_APP}:{user_id}",
            "created_at": now,
            "due_at": now,
            "sent_at": now,
        }
        for user_id in recipients
    ]
    rows += [
        {
            "recipient": user_id,
            "channel": WEB_PUSH,
            "kind": notice.kind,
            "payload": payload,
            "dedupe_key": f"{notice.dedupe}:{WEB_PUSH}:{user_id}",
            "created_at": now,
            "due_at": now,
        }
        for user_id in sorted(devices)
    ]
    # the county officers' group chats, for alerts and overdue notices (once a notice)
    rows += [
        _INSERT_ONCE.values_of(r) for r in robots.rows_for(notice.kind, payload, notice.dedupe, now)
    ]
    if len(rows) <= FEW:
        # most notices go to one or two people: a statement made once per row costs less
        # than Piccolo building the rows' insert
        for row in rows:
            await _INSERT_ONCE.run(**row)
    else:
        await Notification.insert(*(Notification(**row) for row in rows)).on_conflict(
            action="DO NOTHING"
        )


def text(payload: dict[str, Any]) -> str:
    """The notice in the current language (the msgid was marked where the notice was described)."""
    return translate(payload["message"], **payload.get("params", {}))


@contextmanager
def in_locale(locale: str) -> Iterator[None]:
    """Translate in `locale` (a push to a device, an SMS) whatever the request's language."""
    token = current_locale.set(locale)
    try:
        yield
    finally:
        current_locale.reset(token)


async def mark_read(user_id: int, now: datetime, notification_id: int | None = None) -> None:
    """One notice, or all of them, read by their recipient."""
    where = (
        (Notification.recipient == user_id)
        & (Notification.channel == IN_APP)
        & Notification.read_at.is_null()
        & Notification.sent_at.is_not_null()  # a reminder not due yet is not read yet
    )
    if notification_id is not None:
        where &= Notification.id == notification_id
    await Notification.update({Notification.read_at: now}).where(where)
