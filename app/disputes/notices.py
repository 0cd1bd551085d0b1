"""What a case tells people, and whom: each notice's words and its recipients.

Recipients are the mediators and officers at a node (the holder, the level above, the
township), the person who logged the case, or the grid workers of its grid. The dedupe key
names the occasion, so a job that runs twice tells nobody twice.

Routine notices (ROUTINE) go only to those who want their topic (app/notify/choices.py, the
account page), never to the person who did what they tell of, and never to anyone who may not
open the case. They are written in the transaction of the change they tell of.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from app.disputes.deadlines import CHINA
from app.i18n import N_
from app.notify import choices
from app.notify.outbox import Notice, Reach, grid_workers_at, send, staff_reach, who_may_see

PLACES = ("county", "township", "village", "grid")

MESSAGES = {
    "group_dispute": N_(
        "Group dispute logged: %(case_no)s “%(title)s”, %(people)s people involved."
    ),
    "high_risk": N_("High-risk case logged: %(case_no)s “%(title)s”."),
    "escalated": N_("Case %(case_no)s “%(title)s” was escalated to you."),
    "handed_back": N_("Case %(case_no)s “%(title)s” was handed back to you with instructions."),
    "supervised": N_("Supervision order on case %(case_no)s “%(title)s”: reply by %(due)s."),
    "supervision_replied": N_("Case %(case_no)s: your supervision order has a reply."),
    "overdue": N_("Case %(case_no)s “%(title)s” is overdue."),
    "auto_supervised": N_(
        "Case %(case_no)s “%(title)s” is still overdue: it is now under supervision, reply by %(due)s."
    ),
    "supervision_overdue": N_("Case %(case_no)s: the reply to the supervision order is overdue."),
    # routine work
    "to_accept": N_("New case to accept: %(case_no)s “%(title)s”."),
    "case_accepted": N_("Your case %(case_no)s “%(title)s” was accepted."),
    "case_escalated": N_("Your case %(case_no)s “%(title)s” was escalated to the level above."),
    "case_handed_back": N_("Your case %(case_no)s “%(title)s” was handed back to a lower level."),
    "case_resolved": N_("Your case %(case_no)s “%(title)s” was resolved."),
    "case_closed": N_("Your case %(case_no)s “%(title)s” was closed."),
    "case_terminated": N_("Your case %(case_no)s “%(title)s” was closed as unresolvable."),
    "follow_up_due": N_("Follow-up visit due by %(due)s: case %(case_no)s “%(title)s”."),
}
# The routine notices and the topic (app/notify/choices.py) that lets a person turn each off.
ROUTINE = {
    "to_accept": "new_case",
    "escalated": "new_case",
    "handed_back": "new_case",
    "case_accepted": "my_case",
    "case_escalated": "my_case",
    "case_handed_back": "my_case",
    "case_resolved": "my_case",
    "case_closed": "my_case",
    "case_terminated": "my_case",
    "follow_up_due": "follow_up_due",
}
# What the person who logged a case hears of it: the action, and the notice it makes.
LOGGER_NEWS = {
    "accept": "case_accepted",
    "escalate": "case_escalated",
    "hand-back": "case_handed_back",
    "resolve": "case_resolved",
    "close": "case_closed",
    "terminate": "case_terminated",
}


def _day(value: datetime) -> str:
    """The last day a deadline is met on: one set as a day is stored as the midnight ending
    it, and "reply by 12-12" must not read "12-13" (app/web.py due_day)."""
    return (value.astimezone(CHINA) - timedelta(microseconds=1)).strftime("%Y-%m-%d")


async def tell(
    kind: str,
    case: dict[str, Any],
    nodes: Iterable[int | None],
    now: datetime,
    occasion: str,
    due: datetime | None = None,
    actor: int | None = None,
) -> None:
    """Notify the staff at `nodes` about `case`. `occasion` makes the notice unique (the
    version the action produced, the deadline that passed)."""
    nodes = [n for n in nodes if n is not None]
    # staff standing at the case's own places may see it: no need to ask (one statement less
    # on every action)
    placed = set(nodes) <= {case.get(p) for p in PLACES}
    reach = await staff_reach(nodes)
    await tell_people(
        kind, case, reach.ids, now, occasion, due=due, actor=actor, placed=placed, reach=reach
    )


async def tell_people(
    kind: str,
    case: dict[str, Any],
    people: Iterable[int],
    now: datetime,
    occasion: str,
    due: datetime | None = None,
    actor: int | None = None,
    placed: bool = False,
    reach: Reach | None = None,
) -> None:
    """Notify these users about `case`; a routine notice only those who want it, who may see
    the case (`case` must say where it is) and who did not do it themselves (`actor`).
    `placed`: the people are known to stand at the case's places (they may see it); `reach`:
    their choices and devices, read with them."""
    people = [p for p in people if p != actor]
    if kind in ROUTINE:
        if not placed:
            people = await who_may_see(people, [case.get(p) for p in PLACES])
        topic = ROUTINE[kind]
        people = reach.wanting(topic, people) if reach else await choices.wanting(topic, people)
    params = {
        "case_no": case["case_no"],
        "title": case["title"],
        "people": case.get("people_involved"),
    }
    if due is not None:
        params["due"] = _day(due)
    notice = Notice(
        kind=kind,
        message=MESSAGES[kind],
        link=f"/disputes/{case['id']}",
        dedupe=f"{kind}:{case['id']}:{occasion}",
        params=params,
    )
    await send(notice, people, now, reach)


async def tell_logger(action: str, case: dict[str, Any], actor: int, now: datetime, version: int):
    """Tell whoever logged `case` what `action` did to it (LOGGER_NEWS), unless they did it."""
    kind = LOGGER_NEWS.get(action)
    if kind is None or case.get("created_by") is None:
        return
    await tell_people(kind, case, [case["created_by"]], now, str(version), actor=actor)


async def tell_follow_up_due(case: dict[str, Any], now: datetime) -> None:
    """The visit after a resolution: the grid workers of its grid and the level holding it."""
    people = await grid_workers_at(case["grid"]) + (await staff_reach([case["holder"]])).ids
    await tell_people(
        "follow_up_due", case, people, now, occasion=case["due_at"].isoformat(), due=case["due_at"]
    )
