"""Work queues: the named lists a role's home shows, each a filter over the cases in scope.

"Held by me" is one indexed equality (Dispute.holder is the node whose mediators hold the
case). The lists are ordered so the most urgent comes first and read through indexes
(see migrations), so a queue costs the same at a thousand cases as at a hundred thousand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from piccolo.columns.combination import Where

from app.auth.actor import MEDIATING_ROLES, Actor
from app.auth.scope import scope_where
from app.disputes.tables import Dispute, Supervision
from app.disputes.vocabulary import SETTLED_STATUSES
from app.i18n import N_
from app.monitoring.figures import FILTERS

AWAITING = ["logged", "escalated"]  # waiting in "to accept" or "escalated to me"

DUE_SOON = timedelta(days=3)
OFFICERS = ("township_officer", "county_officer")


@dataclass(frozen=True)
class Queue:
    code: str
    title: str
    empty: str
    roles: tuple[str, ...]
    condition: Callable[[Actor, datetime], Where]
    by_due: bool = False  # most urgent deadline first, instead of newest first
    note: str = ""  # what the list covers, where a figure elsewhere might read differently
    actions: str = ""  # what is to be done with its cases


# The overdue lists cover every case in the area whatever its day of logging; a dashboard's
# figures count the cases logged in its period. Each says so.
WHOLE_AREA = N_(
    "All cases in your area as of now, whenever logged; the dashboard counts only those logged in its period."
)


def _overdue(kind: str, now: datetime) -> Where:
    return FILTERS["overdue_kind"].condition(Dispute, kind, now)


def _held(actor: Actor) -> Where:
    return Dispute.holder == actor.jurisdiction_id


def _open_supervision(actor: Actor) -> Where:
    orders = Supervision.select(Supervision.dispute).where(
        scope_where(Supervision, actor) & Supervision.replied_at.is_null()
    )
    return Dispute.id.is_in(orders)


QUEUES: tuple[Queue, ...] = (
    Queue(
        "mine",
        N_("Cases in my grid"),
        N_("No cases in your grid yet."),
        ("grid_worker",),
        lambda a, now: Dispute.grid == a.jurisdiction_id,
    ),
    Queue(
        "follow_up",
        N_("Needs a follow-up visit"),
        N_("No follow-up visits are due."),
        ("grid_worker",),
        lambda a, now: (
            Dispute.status.is_in(list(SETTLED_STATUSES)) & Dispute.followed_up_at.is_null()
        ),
        by_due=True,
    ),
    Queue(
        "to_accept",
        N_("To accept"),
        N_("Nothing waits for acceptance."),
        MEDIATING_ROLES,
        lambda a, now: _held(a) & (Dispute.status == "logged"),
    ),
    Queue(
        "escalated",
        N_("Escalated to me"),
        N_("Nothing was escalated to you."),
        OFFICERS,
        lambda a, now: _held(a) & (Dispute.status == "escalated"),
    ),
    Queue(
        "due_soon",
        N_("Due soon"),
        N_("Nothing falls due in the next three days."),
        MEDIATING_ROLES,
        # what waits to be accepted is already in its own queue
        lambda a, now: (
            _held(a)
            & (Dispute.due_at > now)
            & (Dispute.due_at <= now + DUE_SOON)
            & Dispute.status.not_in(AWAITING)
        ),
        by_due=True,
    ),
    Queue(
        "overdue_resolution",
        N_("Resolution overdue"),
        N_("No case is overdue for acceptance or resolution."),
        MEDIATING_ROLES,
        # the whole area, not only what this level holds: a level watches the ones below it
        lambda a, now: _overdue("resolution", now),
        by_due=True,
        note=WHOLE_AREA,
        actions=N_(
            "Open a case to accept, resolve, extend or escalate it; a level above supervises it (督办)."
        ),
    ),
    Queue(
        "overdue_follow_up",
        N_("Follow-up overdue"),
        N_("No follow-up visit is overdue."),
        MEDIATING_ROLES,
        lambda a, now: _overdue("follow_up", now),
        by_due=True,
        note=WHOLE_AREA,
        actions=N_(
            "Open a case to record the follow-up visit; reopen it if the agreement did not hold."
        ),
    ),
    Queue(
        "overdue",
        N_("Overdue"),
        N_("Nothing is overdue."),
        (),  # on no home: both kinds together, for the boards and older links
        lambda a, now: Dispute.due_at <= now,
        by_due=True,
        note=WHOLE_AREA,
    ),
    Queue(
        "in_progress",
        N_("In progress"),
        N_("No cases in progress."),
        MEDIATING_ROLES,
        lambda a, now: _held(a) & Dispute.status.is_in(["accepted", "mediating", "referred"]),
    ),
    Queue(
        "supervised",
        N_("Under supervision"),
        N_("No supervision orders are open."),
        MEDIATING_ROLES,
        lambda a, now: _open_supervision(a),
    ),
)
BY_CODE = {q.code: q for q in QUEUES}


def for_role(role: str) -> list[Queue]:
    return [q for q in QUEUES if role in q.roles]
