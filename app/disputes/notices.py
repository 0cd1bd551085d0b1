"""What a case tells people, and whom: each notice's words and its recipients.

Recipients are the mediators and officers at a node (the holder, the level above, the
township). The dedupe key names the occasion, so a job that runs twice tells nobody twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from app.disputes.deadlines import CHINA
from app.i18n import N_
from app.notify.outbox import Notice, send, staff_at

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
}


def _day(value: datetime) -> str:
    return value.astimezone(CHINA).strftime("%Y-%m-%d")


async def tell(
    kind: str,
    case: dict[str, Any],
    nodes: Iterable[int | None],
    now: datetime,
    occasion: str,
    due: datetime | None = None,
) -> None:
    """Notify the staff at `nodes` about `case`. `occasion` makes the notice unique (the
    version the action produced, the deadline that passed)."""
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
    await send(notice, await staff_at(nodes), now)
