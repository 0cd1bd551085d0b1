"""Booking a session for a case, and moving it: the checks, then one transaction that makes
double booking impossible.

Refusals, in the order a person would want to hear them: bad fields (422), the case cannot be
mediated now (409), the time does not fit the room (422), the room or a person is taken
(409, naming the booking in the way).

No double booking, even when twenty people press the button at once: on SQLite the check and
the insert run in one BEGIN IMMEDIATE transaction, so bookings are serialized; on PostgreSQL
the checks only make the message friendly, and the exclusion constraints (room; each mediator
and juror) refuse the loser of a race, which then learns from a fresh look who won.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.exceptions import PermissionDeniedException

from app import clock, db
from app.auth import policy
from app.auth.actor import MEDIATING_ROLES, Actor
from app.auth.scope import get_or_404, scope_where
from app.auth.tables import User
from app.disputes import actions as case_actions
from app.disputes.errors import Conflict, FieldErrors
from app.disputes.tables import Dispute, Party
from app.disputes.vocabulary import STATUSES, label
from app.i18n import N_, _
from app.rules import limits as county_limits
from app.sessions import ledger, reminders
from app.sessions.jurors import relation_flag
from app.sessions.rooms import CHINA, outside_hours
from app.sessions.states import LIVE, refusal
from app.sessions.tables import Juror, MediationSession, Room, SessionParticipant
from app.settings import CaseLimits

# Until the case lifecycle names them: a case can be mediated once accepted and until it is
# resolved, referred or closed.
MEDIATABLE_STATUSES = ("accepted", "mediating")

PRIVATE_REASONS: dict[str, str] = {
    "party_objects": N_("A party objects to a public session"),
    "privacy": N_("Privacy: family matters, minors or personal data"),
    "other": N_("Another reason (see the note)"),
}
MIN_LENGTH = timedelta(minutes=15)
MAX_LENGTH = timedelta(hours=10)
MAX_AHEAD = timedelta(days=366)
MAX_MEDIATORS, MAX_JURORS = 5, 12


@dataclass(frozen=True)
class Booking:
    dispute_id: uuid.UUID
    room_id: int
    starts_at: datetime
    ends_at: datetime
    mediator_ids: tuple[int, ...]
    juror_ids: tuple[int, ...] = ()
    party_ids: tuple[int, ...] | None = None  # None: every party of the case is invited
    public: bool = True
    private_reason: str | None = None
    private_note: str = ""
    confirmed_juror_ids: tuple[int, ...] = field(default_factory=tuple)


# ----- parsing ----------------------------------------------------------------------------


def parse_instant(value: Any, name: str, errors: dict[str, str]) -> datetime | None:
    if value in (None, ""):
        errors[name] = _("This field is required.")
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        errors[name] = _("A date and time with its offset, like 2026-05-01T09:30+08:00.")
        return None
    return parsed.astimezone(UTC)


def parse_span(data: dict[str, Any], errors: dict[str, str]) -> tuple[datetime, datetime] | None:
    starts_at = parse_instant(data.get("starts_at"), "starts_at", errors)
    ends_at = parse_instant(data.get("ends_at"), "ends_at", errors)
    if starts_at is None or ends_at is None:
        return None
    if ends_at - starts_at < MIN_LENGTH:
        errors["ends_at"] = _("A session lasts at least %(n)s minutes.", n=15)
    elif ends_at - starts_at > MAX_LENGTH:
        errors["ends_at"] = _("A session lasts at most %(n)s hours.", n=10)
    return starts_at, ends_at


def _ids(value: Any, name: str, errors: dict[str, str], most: int) -> tuple[int, ...]:
    if value in (None, ""):
        return ()
    items = value if isinstance(value, list | tuple) else [value]
    try:
        ids = tuple(dict.fromkeys(int(v) for v in items if not isinstance(v, bool)))
    except (TypeError, ValueError):
        errors[name] = _("Must be a list of ids.")
        return ()
    if len(ids) > most:
        errors[name] = _("At most %(n)s.", n=most)
    return ids


def _flag(value: Any, default: bool) -> bool:
    if value in (None, ""):
        return default
    return value is True or str(value).lower() in ("1", "true", "on", "yes")


def parse_booking(data: dict[str, Any]) -> Booking:
    """A booking from JSON or a form, or FieldErrors naming each bad field."""
    errors: dict[str, str] = {}
    try:
        dispute_id = uuid.UUID(str(data.get("dispute_id")))
    except ValueError:
        errors["dispute_id"] = _("Must be a UUID.")
        dispute_id = uuid.UUID(int=0)
    try:
        room_id = int(data.get("room_id"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        errors["room_id"] = _("Choose a room.")
        room_id = 0
    span = parse_span(data, errors)
    mediator_ids = _ids(data.get("mediator_ids"), "mediator_ids", errors, MAX_MEDIATORS)
    if not mediator_ids and "mediator_ids" not in errors:
        errors["mediator_ids"] = _("Choose at least one mediator.")
    juror_ids = _ids(data.get("juror_ids"), "juror_ids", errors, MAX_JURORS)
    raw_parties = data.get("party_ids")
    party_ids = None if raw_parties is None else _ids(raw_parties, "party_ids", errors, 50)
    public = _flag(data.get("public"), True)
    reason = data.get("private_reason") or None
    note = str(data.get("private_note") or "").strip()
    if not public and reason not in PRIVATE_REASONS:
        errors["private_reason"] = _("Say why the session is not public.")
    if not public and reason == "other" and not note:
        errors["private_note"] = _("This field is required.")
    if len(note) > 500:
        errors["private_note"] = _("At most %(n)s characters.", n=500)
    confirmed = _ids(data.get("confirmed_juror_ids"), "confirmed_juror_ids", errors, MAX_JURORS)
    if errors or span is None:
        raise FieldErrors(errors)
    return Booking(
        dispute_id=dispute_id,
        room_id=room_id,
        starts_at=span[0],
        ends_at=span[1],
        mediator_ids=mediator_ids,
        juror_ids=juror_ids,
        party_ids=party_ids,
        public=public,
        private_reason=reason if not public else None,
        private_note=note if not public else "",
        confirmed_juror_ids=confirmed,
    )


# ----- conflicts --------------------------------------------------------------------------


@dataclass(frozen=True)
class Clash:
    """The booking in the way: a room or a person already taken at that time."""

    what: str  # "room" | "person"
    name: str
    room: str
    session_id: int
    starts_at: datetime
    ends_at: datetime
    case_no: str | None  # only when the asker may see that case

    def message(self) -> str:
        when = (
            self.starts_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
            + "–"
            + self.ends_at.astimezone(CHINA).strftime("%H:%M")
        )
        values = {
            "name": self.name,
            "room": self.room,
            "when": when,
            "session": self.session_id,
            "case_no": self.case_no or "",
        }
        if self.what == "room":
            if self.case_no:
                return _(
                    "%(room)s is already booked for %(when)s: session #%(session)s, case %(case_no)s.",
                    **values,
                )
            return _("%(room)s is already booked for %(when)s: session #%(session)s.", **values)
        if self.case_no:
            return _(
                "%(name)s is already booked for %(when)s in %(room)s: session #%(session)s, case %(case_no)s.",
                **values,
            )
        return _(
            "%(name)s is already booked for %(when)s in %(room)s: session #%(session)s.", **values
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "conflict": self.what,
            "name": self.name,
            "room": self.room,
            "session_id": self.session_id,
            "starts_at": self.starts_at.astimezone(CHINA).isoformat(timespec="minutes"),
            "ends_at": self.ends_at.astimezone(CHINA).isoformat(timespec="minutes"),
            "case_no": self.case_no,
        }

    def error(self) -> Conflict:
        return Conflict(self.message(), current=self.as_json())


async def _case_no_if_visible(actor: Actor, dispute_id: uuid.UUID) -> str | None:
    row = (
        await Dispute.select(Dispute.case_no)
        .where((Dispute.id == dispute_id) & scope_where(Dispute, actor))
        .first()
    )
    return row["case_no"] if row else None


async def find_clash(
    actor: Actor,
    room_id: int,
    starts_at: datetime,
    ends_at: datetime,
    people: list[str],
    exclude: int | None = None,
) -> Clash | None:
    """The first live booking that overlaps: the room first, then any of `people`. `exclude`
    is the session being moved, which may overlap its own new time."""
    S = MediationSession
    P = SessionParticipant
    others_s = S.id != exclude if exclude else S.id.is_not_null()
    others_p = P.session != exclude if exclude else P.session.is_not_null()
    room = (
        await S.select(S.id, S.starts_at, S.ends_at, S.dispute, S.room.name.as_alias("room_name"))
        .where(
            (S.room == room_id)
            & S.status.is_in(list(LIVE))
            & (S.starts_at < ends_at)
            & (S.ends_at > starts_at)
            & others_s
        )
        .order_by(S.starts_at)
        .first()
    )
    if room is not None:
        return Clash(
            "room",
            room["room_name"],
            room["room_name"],
            room["id"],
            room["starts_at"],
            room["ends_at"],
            await _case_no_if_visible(actor, room["dispute"]),
        )
    if not people:
        return None
    person = (
        await P.select(
            P.name,
            P.starts_at,
            P.ends_at,
            P.session.id.as_alias("session_id"),
            P.session.dispute.as_alias("dispute_id"),
            P.session.room.name.as_alias("room_name"),
        )
        .where(
            P.person.is_in(people)
            & (P.active == True)  # noqa: E712 (a Piccolo expression)
            & (P.starts_at < ends_at)
            & (P.ends_at > starts_at)
            & others_p
        )
        .order_by(P.starts_at)
        .first()
    )
    if person is None:
        return None
    return Clash(
        "person",
        person["name"],
        person["room_name"],
        person["session_id"],
        person["starts_at"],
        person["ends_at"],
        await _case_no_if_visible(actor, person["dispute_id"]),
    )


# ----- the checks -------------------------------------------------------------------------


def _require_mediating_role(actor: Actor) -> None:
    if not policy.may(actor, "manage_sessions"):
        raise PermissionDeniedException(_("Only mediators book sessions."))


async def _room_for(actor: Actor, room_id: int) -> dict:
    room = await Room.select().where((Room.id == room_id) & scope_where(Room, actor)).first()
    if room is None or not room["active"]:
        raise FieldErrors({"room_id": _("No such room in your area.")})
    return room


def _check_time(room: dict, starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    if starts_at < now:
        raise FieldErrors({"starts_at": _("The time has passed.")})
    if starts_at > now + MAX_AHEAD:
        raise FieldErrors({"starts_at": _("At most a year ahead.")})
    if problem := outside_hours(room, starts_at, ends_at):
        raise FieldErrors({"starts_at": problem})


def _check_case(case: dict, limits: CaseLimits) -> None:
    if case["status"] not in MEDIATABLE_STATUSES:
        raise Conflict(
            _(
                "Case %(case_no)s is %(status)s: only an accepted case in mediation can have a session.",
                case_no=case["case_no"],
                status=label(STATUSES, case["status"]),
            )
        )
    if problem := case_actions.no_sessions_left(
        case, limits
    ):  # a held session counts on the ladder
        raise Conflict(problem)


async def _people(actor: Actor, b: Booking, case: dict) -> list[dict]:
    """The participant rows to write (without session and times), or FieldErrors."""
    rows: list[dict] = []
    mediators = await User.select(User.id, User.display_name).where(
        User.id.is_in(list(b.mediator_ids))
        & (User.active == True)  # noqa: E712
        & User.role.is_in(list(MEDIATING_ROLES))
        & scope_where(User, actor)
    )
    if len(mediators) != len(b.mediator_ids):
        raise FieldErrors({"mediator_ids": _("Choose mediators from your area.")})
    for m in sorted(mediators, key=lambda m: b.mediator_ids.index(m["id"])):
        rows.append(
            {
                "kind": "mediator",
                "user": m["id"],
                "name": m["display_name"],
                "person": f"user:{m['id']}",
            }
        )
    parties = (
        await Party.select(Party.id, Party.name)
        .where(Party.dispute == b.dispute_id)
        .order_by(Party.position)
    )
    if b.party_ids is not None:
        known = {p["id"] for p in parties}
        if not set(b.party_ids) <= known:
            raise FieldErrors({"party_ids": _("Invite parties of this case only.")})
        parties = [p for p in parties if p["id"] in b.party_ids]
    if b.juror_ids:
        jurors = await Juror.select(Juror.id, Juror.name, Juror.village).where(
            Juror.id.is_in(list(b.juror_ids))
            & (Juror.active == True)  # noqa: E712
            & scope_where(Juror, actor)
        )
        if len(jurors) != len(b.juror_ids):
            raise FieldErrors({"juror_ids": _("Choose jurors from your area's pools.")})
        all_parties = await Party.select(Party.name).where(Party.dispute == b.dispute_id)
        unconfirmed = []
        for j in sorted(jurors, key=lambda j: b.juror_ids.index(j["id"])):
            flag = relation_flag(j, case["village"], all_parties)
            if j["id"] not in b.confirmed_juror_ids:
                unconfirmed.append(f"{j['name']}{'（' + flag + '）' if flag else ''}")
            rows.append(
                {
                    "kind": "juror",
                    "juror": j["id"],
                    "name": j["name"],
                    "person": f"juror:{j['id']}",
                    "flag": flag,
                    "no_relation_confirmed_by": actor.id,
                }
            )
        if unconfirmed:
            raise FieldErrors(
                {
                    "confirmed_juror_ids": _(
                        "Confirm that each juror is not related to or in business with a party: %(names)s.",
                        names="、".join(unconfirmed),
                    )
                }
            )
    # A party is a person too: one case's two sessions cannot both hold them at once.
    rows += [
        {"kind": "party", "party": p["id"], "name": p["name"], "person": f"party:{p['id']}"}
        for p in parties
    ]
    return rows


def _check_capacity(room: dict, people: list[dict]) -> None:
    if len(people) > room["capacity"]:
        raise FieldErrors(
            {
                "room_id": _(
                    "%(room)s seats %(capacity)s; this session needs %(needed)s.",
                    room=room["name"],
                    capacity=room["capacity"],
                    needed=len(people),
                )
            }
        )


# ----- writing ----------------------------------------------------------------------------


async def _insert(session: dict[str, Any], people: list[dict], now: datetime) -> int:
    rows = await MediationSession.insert(MediationSession(**session)).returning(MediationSession.id)
    session_id = rows[0]["id"]
    await SessionParticipant.insert(
        *[
            SessionParticipant(
                session=session_id,
                starts_at=session["starts_at"],
                ends_at=session["ends_at"],
                active=True,
                no_relation_confirmed_at=now if p.get("no_relation_confirmed_by") else None,
                **p,
            )
            for p in people
        ]
    )
    return session_id


async def _write_exclusively(
    actor: Actor,
    room_id: int,
    starts_at: datetime,
    ends_at: datetime,
    people: list[dict],
    write: Callable[[], Awaitable[int]],
    moving: int | None = None,
) -> int:
    """Run `write()` (which returns the new session's id) only if the room and the people are
    free; of many simultaneous callers exactly one wins, the others get the Conflict."""
    keys = [p["person"] for p in people if p.get("person")]
    try:
        async with db.transaction():
            if clash := await find_clash(actor, room_id, starts_at, ends_at, keys, moving):
                raise clash.error()
            return await write()
    except Exception as exc:
        # Two bookings of one person inserted at once each wait for the other's row under the
        # exclusion constraint: PostgreSQL aborts one as a deadlock, and the other goes on.
        if not (db.is_exclusion_violation(exc) or db.is_deadlock(exc)):
            raise
    # PostgreSQL: a simultaneous booking won between our check and our insert.
    clash = await find_clash(actor, room_id, starts_at, ends_at, keys, moving)
    if clash is None:
        raise Conflict(_("Someone booked this time a moment ago. Choose another time."))
    raise clash.error()


async def book(actor: Actor, b: Booking) -> int:
    """Book a session; returns its id."""
    _require_mediating_role(actor)
    now = clock.now()
    case = await get_or_404(
        Dispute,
        b.dispute_id,
        actor,
        Dispute.id,
        Dispute.case_no,
        Dispute.status,
        Dispute.level,
        Dispute.attempts,
        Dispute.attempts_granted,
        Dispute.county,
        Dispute.township,
        Dispute.village,
        Dispute.grid,
        Dispute.holder,
        Dispute.category,
        Dispute.limits_version,
    )
    room = await _room_for(actor, b.room_id)
    _check_case(case, await county_limits.for_case(case))
    _check_time(room, b.starts_at, b.ends_at, now)
    people = await _people(actor, b, case)
    _check_capacity(room, people)
    session = {
        "dispute": b.dispute_id,
        "room": b.room_id,
        "starts_at": b.starts_at,
        "ends_at": b.ends_at,
        "status": "scheduled",
        "public": b.public,
        "private_reason": b.private_reason,
        "private_note": b.private_note,
        "county": case["county"],
        "township": case["township"],
        "village": case["village"],
        "grid": case["grid"],
        "created_by": actor.id,
        "created_at": now,
        "updated_at": now,
    }

    async def write() -> int:
        session_id = await _insert(session, people, now)
        await ledger.append(
            b.dispute_id,
            "session_booked",
            actor,
            case["level"],
            now,
            session_id=session_id,
            room=room["name"],
            starts_at=b.starts_at.isoformat(),
            ends_at=b.ends_at.isoformat(),
            public=b.public,
            private_reason=b.private_reason,
            jurors=[p["name"] for p in people if p["kind"] == "juror"],
        )
        await reminders.schedule(session_id, now)
        await reminders.announce_booking(session_id, actor.id, now)
        return session_id

    return await _write_exclusively(actor, b.room_id, b.starts_at, b.ends_at, people, write)


async def reschedule(actor: Actor, session_id: int, data: dict[str, Any]) -> int:
    """Move a scheduled session to another time (and room): the old row becomes
    `rescheduled`, a new one replaces it with the same people. Returns the new id."""
    _require_mediating_role(actor)
    now = clock.now()
    old = await get_or_404(MediationSession, session_id, actor, *MediationSession.all_columns())
    if problem := refusal("reschedule", old["status"], old["starts_at"], old["ends_at"], now):
        raise Conflict(problem)
    errors: dict[str, str] = {}
    span = parse_span(data, errors)
    room_id = data.get("room_id") or old["room"]
    try:
        room_id = int(room_id)
    except (TypeError, ValueError):
        errors["room_id"] = _("Choose a room.")
    reason = str(data.get("reason") or "").strip()
    if len(reason) > 500:
        errors["reason"] = _("At most %(n)s characters.", n=500)
    if errors or span is None:
        raise FieldErrors(errors)
    starts_at, ends_at = span
    room = await _room_for(actor, room_id)
    _check_time(room, starts_at, ends_at, now)
    people = await SessionParticipant.select(
        SessionParticipant.kind,
        SessionParticipant.user,
        SessionParticipant.juror,
        SessionParticipant.party,
        SessionParticipant.name,
        SessionParticipant.person,
        SessionParticipant.flag,
        SessionParticipant.no_relation_confirmed_by,
    ).where(SessionParticipant.session == session_id)
    _check_capacity(room, people)
    case = await Dispute.select(Dispute.level).where(Dispute.id == old["dispute"]).first()
    fresh = {
        k: old[k]
        for k in (
            "dispute",
            "public",
            "private_reason",
            "private_note",
            "county",
            "township",
            "village",
            "grid",
        )
    }
    fresh.update(
        room=room_id,
        starts_at=starts_at,
        ends_at=ends_at,
        status="scheduled",
        replaces=session_id,
        created_by=actor.id,
        created_at=now,
        updated_at=now,
    )

    async def write() -> int:
        # Free the old slot first, in the same transaction: the new time may overlap it.
        claimed = (
            await MediationSession.update(
                {MediationSession.status: "rescheduled", MediationSession.updated_at: now}
            )
            .where((MediationSession.id == session_id) & (MediationSession.status == "scheduled"))
            .returning(MediationSession.id)
        )
        if not claimed:
            raise Conflict(_("This session was changed a moment ago. Reload and look again."))
        await SessionParticipant.update({SessionParticipant.active: False}).where(
            SessionParticipant.session == session_id
        )
        new_id = await _insert(fresh, people, now)
        await ledger.append(
            old["dispute"],
            "session_rescheduled",
            actor,
            case["level"],
            now,
            note=reason,
            session_id=new_id,
            replaces=session_id,
            room=room["name"],
            starts_at=starts_at.isoformat(),
            ends_at=ends_at.isoformat(),
            was_starts_at=old["starts_at"].isoformat(),
        )
        await reminders.withdraw(session_id)
        await reminders.schedule(new_id, now)
        return new_id

    return await _write_exclusively(
        actor, room_id, starts_at, ends_at, people, write, moving=session_id
    )
