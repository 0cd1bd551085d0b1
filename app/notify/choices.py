"""Which routine notices a person wants: the topics each role may choose on the account page.

Routine work (a case to accept, my case moving on, a follow-up visit due, a session booked with
me) is told only to those who want it; every topic is on until its person turns it off. What is
not routine (a group dispute, a supervision order, an overdue case) is always told.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.auth.actor import MEDIATING_ROLES
from app.i18n import N_
from app.notify.tables import NotificationChoice
from app.statements import ByShape

LOGGING_ROLES = ("grid_worker", *MEDIATING_ROLES)


@dataclass(frozen=True)
class Topic:
    code: str
    label: str
    help: str
    roles: tuple[str, ...]


TOPICS: tuple[Topic, ...] = (
    Topic(
        "new_case",
        N_("A case to accept in my area"),
        N_("A case logged, escalated or handed back to the level I work at."),
        MEDIATING_ROLES,
    ),
    Topic(
        "my_case",
        N_("News of the cases I logged"),
        N_("Accepted, escalated, handed back, resolved or closed."),
        LOGGING_ROLES,
    ),
    Topic(
        "follow_up_due",
        N_("A follow-up visit due"),
        N_("A resolved case whose follow-up visit falls due within three days."),
        LOGGING_ROLES,
    ),
    Topic(
        "session_booked",
        N_("A reasoning session booked with me"),
        N_("Someone else booked a session with me as a mediator."),
        MEDIATING_ROLES,
    ),
)
BY_CODE = {t.code: t for t in TOPICS}


def for_role(role: str) -> list[Topic]:
    return [t for t in TOPICS if role in t.roles]


async def turned_off(user_id: int) -> set[str]:
    row = (
        await NotificationChoice.select(NotificationChoice.off)
        .where(NotificationChoice.user == user_id)
        .first()
    )
    return topics_off(row["off"] if row else "")


def topics_off(stored: str | None) -> set[str]:
    """The topics a stored choice turns off (a comma-separated list)."""
    return {c for c in (stored or "").split(",") if c}


# asked on every action that tells someone: made once per number of people (app/statements.py)
_CHOICES = ByShape(
    lambda where: NotificationChoice.select(NotificationChoice.user, NotificationChoice.off).where(
        where
    )
)


async def wanting(topic: str, user_ids: Iterable[int]) -> list[int]:
    """Those of `user_ids` who did not turn `topic` off."""
    assert topic in BY_CODE, topic
    wanted = sorted(set(user_ids))
    if not wanted:
        return []
    rows = await _CHOICES.run(NotificationChoice.user.is_in(wanted))
    off = {r["user"] for r in rows if topic in topics_off(r["off"])}
    return [u for u in wanted if u not in off]


async def save(user_id: int, role: str, wanted: Iterable[str]) -> None:
    """Keep the person's choice: the topics of their role not in `wanted` are off. Unknown
    codes are ignored (a form is only a request)."""
    keep = set(wanted)
    off = ",".join(t.code for t in for_role(role) if t.code not in keep)
    updated = await (
        NotificationChoice.update({NotificationChoice.off: off})
        .where(NotificationChoice.user == user_id)
        .returning(NotificationChoice.id)
    )
    if not updated:
        await NotificationChoice.insert(NotificationChoice(user=user_id, off=off)).on_conflict(
            target=NotificationChoice.user, action="DO UPDATE", values=[NotificationChoice.off]
        )
