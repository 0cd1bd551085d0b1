"""Calendars: a room's or a mediator's day and week, and all rooms in scope for one day (the
township's and the county's view). On a phone a week is seven stacked days; CSS lays them
side by side on a wide screen.

A room can host a session of a case its viewer may not see (a township room lent to a
village of another township): such a session shows as "booked", without its case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from app.auth.actor import MEDIATING_ROLES, Actor
from app.auth.scope import get_or_404, scope_where
from app.auth.tables import User
from app.disputes.tables import Dispute
from app.disputes.vocabulary import label
from app.i18n import _
from app.jurisdictions.tables import Jurisdiction
from app.sessions.rooms import CHINA, WEEKDAYS, get_room, opening
from app.sessions.states import STATUSES
from app.sessions.tables import MediationSession, Room, SessionParticipant

S = MediationSession
SHOWN = ("scheduled", "held", "no_show", "cancelled")  # a rescheduled row lives on in its successor
EVENT_COLUMNS = (
    S.id,
    S.starts_at,
    S.ends_at,
    S.status,
    S.public,
    S.dispute,
    S.room,
    S.room.name.as_alias("room_name"),
    S.dispute.case_no.as_alias("case_no"),
    S.dispute.title.as_alias("case_title"),
)


@dataclass(frozen=True)
class Period:
    days: tuple[date, ...]

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.days[0], time(0), CHINA)

    @property
    def ends_at(self) -> datetime:
        return datetime.combine(self.days[-1] + timedelta(days=1), time(0), CHINA)

    @property
    def previous(self) -> date:
        return self.days[0] - timedelta(days=len(self.days))

    @property
    def next(self) -> date:
        return self.days[0] + timedelta(days=len(self.days))


def period(view: str, day: date) -> Period:
    if view == "day":
        return Period((day,))
    monday = day - timedelta(days=day.weekday())
    return Period(tuple(monday + timedelta(days=i) for i in range(7)))


def parse_day(value: str | None, today: date) -> date:
    try:
        return date.fromisoformat(value) if value else today
    except ValueError:
        return today


async def _visible_cases(actor: Actor, dispute_ids: set) -> set:
    if not dispute_ids:
        return set()
    rows = await Dispute.select(Dispute.id).where(
        Dispute.id.is_in(list(dispute_ids)) & scope_where(Dispute, actor)
    )
    return {r["id"] for r in rows}


async def _events(actor: Actor, where: Any) -> list[dict]:
    rows = (
        await S.select(*EVENT_COLUMNS)
        .where(where & S.status.is_in(list(SHOWN)))
        .order_by(S.starts_at)
    )
    visible = await _visible_cases(actor, {r["dispute"] for r in rows})
    events = []
    for r in rows:
        shown = r["dispute"] in visible
        start, end = r["starts_at"].astimezone(CHINA), r["ends_at"].astimezone(CHINA)
        events.append(
            {
                "id": r["id"] if shown else None,
                "day": start.date(),
                "start": start.strftime("%H:%M"),
                "end": end.strftime("%H:%M"),
                "status": r["status"],
                "status_label": label(STATUSES, r["status"]),
                "public": r["public"],
                "room": r["room_name"],
                "room_id": r["room"],
                "case_no": r["case_no"] if shown else None,
                "title": r["case_title"] if shown else _("Booked"),
            }
        )
    return events


def _by_day(p: Period, events: list[dict], room: dict | None = None) -> list[dict]:
    days = []
    for d in p.days:
        hours = opening(room, d) if room else None
        days.append(
            {
                "date": d,
                "weekday": label(WEEKDAYS, str(d.isoweekday())),
                "closed": room is not None and hours is None,
                "events": [e for e in events if e["day"] == d],
            }
        )
    return days


def _overlapping(p: Period) -> Any:
    return (S.starts_at < p.ends_at) & (S.ends_at > p.starts_at)


async def room_calendar(actor: Actor, room_id: int, p: Period) -> dict[str, Any]:
    room = await get_room(actor, room_id)
    events = await _events(actor, (S.room == room_id) & _overlapping(p))
    return {"room": room, "days": _by_day(p, events, room)}


async def mediator_calendar(actor: Actor, user_id: int, p: Period) -> dict[str, Any]:
    """A mediator's sessions. The mediator is a user in the viewer's scope."""
    person = await get_or_404(User, user_id, actor, User.id, User.display_name, User.role)
    P = SessionParticipant
    ids = await P.select(P.session).where(
        (P.kind == "mediator")
        & (P.user == user_id)
        & (P.starts_at < p.ends_at)
        & (P.ends_at > p.starts_at)
    )
    session_ids = [r["session"] for r in ids]
    events = await _events(actor, S.id.is_in(session_ids)) if session_ids else []
    return {"mediator": person, "days": _by_day(p, events)}


async def mediators_in_scope(actor: Actor) -> list[dict]:
    return await (
        User.select(User.id, User.display_name, User.jurisdiction.name.as_alias("where"))
        .where(
            User.role.is_in(list(MEDIATING_ROLES))
            & (User.active == True)  # noqa: E712 (a Piccolo expression)
            & scope_where(User, actor)
        )
        .order_by(User.display_name)
    )


async def overview(actor: Actor, day: date, township: int | None = None) -> list[dict]:
    """Every active room in scope with its sessions on `day`, busiest first: the township's
    and the county's picture of where reasoning happens today."""
    where = scope_where(Room, actor) & (Room.active == True)  # noqa: E712
    if township:
        where &= Room.township == township
    rooms = (
        await Room.select(
            Room.id,
            Room.name,
            Room.open_weekdays,
            Room.opens_at,
            Room.closes_at,
            Room.township.name.as_alias("township_name"),
        )
        .where(where)
        .order_by(Room.township)
        .order_by(Room.name)
    )
    p = period("day", day)
    room_ids = [r["id"] for r in rooms]
    events = await _events(actor, S.room.is_in(room_ids) & _overlapping(p)) if room_ids else []
    out = []
    for r in rooms:
        mine = [e for e in events if e["room_id"] == r["id"]]
        out.append({**r, "events": mine, "closed": opening(r, day) is None})
    out.sort(key=lambda r: -len(r["events"]))
    return out


async def townships_in_scope(actor: Actor) -> list[dict]:
    return await (
        Jurisdiction.select(Jurisdiction.id, Jurisdiction.name)
        .where((Jurisdiction.level == "township") & scope_where(Jurisdiction, actor))
        .order_by(Jurisdiction.code)
    )
