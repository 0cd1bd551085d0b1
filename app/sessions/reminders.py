"""Who is reminded of a session, how and when: 24 hours and 1 hour before it, the mediators
in the app and by Web Push (they have logins and phones with the app), the parties and
jurors by SMS (they have phones, not logins).

`plan` is pure; `schedule` writes the plan into the notification outbox inside the booking's
transaction, and `withdraw` takes back what was not sent yet when a session is cancelled or
moved, so nobody is reminded of a session that no longer exists.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from app import crypto
from app.disputes.tables import Party
from app.i18n import N_
from app.notify import choices
from app.notify.outbox import IN_APP, SMS, WEB_PUSH, Notice, payload_of, send, who_may_see
from app.notify.tables import Notification
from app.sessions.rooms import CHINA
from app.sessions.tables import Juror, MediationSession, SessionParticipant

LEADS = (timedelta(hours=24), timedelta(hours=1))
# Messages are rendered when sent, in the recipient's language (SMS: Chinese). Staff see the
# case number; an SMS says only when and where (it may be read by anyone holding the phone).
STAFF = {
    24: N_("Reasoning session tomorrow, %(date)s at %(time)s in %(place)s: case %(case_no)s."),
    1: N_("Reasoning session in one hour, at %(time)s in %(place)s: case %(case_no)s."),
}
BY_SMS = {
    24: N_(
        "Pingli: you are invited to a reasoning session tomorrow, %(date)s at %(time)s, in %(place)s."
    ),
    1: N_("Pingli: your reasoning session starts in one hour, at %(time)s, in %(place)s."),
}
CANCELLED_STAFF = N_(
    "The reasoning session of %(date)s at %(time)s in %(place)s is cancelled: case %(case_no)s."
)
CANCELLED_BY_SMS = N_(
    "Pingli: the reasoning session of %(date)s at %(time)s in %(place)s is cancelled."
)
# the name each SMS goes by at the providers, whose templates are registered in advance
SMS_TEMPLATES = {
    BY_SMS[24]: "session_reminder_24h",
    BY_SMS[1]: "session_reminder_1h",
    CANCELLED_BY_SMS: "session_cancelled",
}
BOOKED_STAFF = N_(
    "A reasoning session was booked with you: %(date)s at %(time)s in %(place)s, case %(case_no)s."
)
CHANNELS = {"inapp": IN_APP, "push": WEB_PUSH, "sms": SMS}
KIND = "session_reminder"


@dataclass(frozen=True)
class Reminder:
    recipient: str  # "user:<id>", "juror:<id>", "party:<id>"
    channel: str  # "inapp" | "push" | "sms"
    due_at: datetime
    lead_hours: int


def plan(participants: list[dict], starts_at: datetime, now: datetime) -> list[Reminder]:
    """The reminders a session needs; a lead time already past is skipped (a session booked
    for this afternoon gets only the one-hour reminder)."""
    out = []
    for lead in LEADS:
        due = starts_at - lead
        if due <= now:
            continue
        hours = int(lead.total_seconds() // 3600)
        for p in participants:
            if p["kind"] == "mediator":
                key = f"user:{p['user']}"
                out += [Reminder(key, "inapp", due, hours), Reminder(key, "push", due, hours)]
            elif p["kind"] == "juror":
                out.append(Reminder(f"juror:{p['juror']}", "sms", due, hours))
            elif p["kind"] == "party":
                out.append(Reminder(f"party:{p['party']}", "sms", due, hours))
    return out


def _key(session_id: int) -> str:
    return f"session:{session_id}:"


async def _session(session_id: int) -> dict | None:
    S = MediationSession
    return (
        await S.select(
            S.id,
            S.status,
            S.starts_at,
            S.room.name.as_alias("room_name"),
            S.room.address.as_alias("room_address"),
            S.dispute.case_no.as_alias("case_no"),
        )
        .where(S.id == session_id)
        .first()
    )


async def _participants(session_id: int) -> tuple[list[dict], dict[str, str]]:
    """The session's people, and the phone of each juror and party who has one, encrypted for
    the outbox (a row from before encryption is encrypted on the way)."""
    P = SessionParticipant
    people = await P.select(P.kind, P.user, P.juror, P.party).where(P.session == session_id)
    phones: dict[str, str] = {}
    jurors = [p["juror"] for p in people if p["kind"] == "juror"]
    parties = [p["party"] for p in people if p["kind"] == "party"]
    if jurors:
        for j in await Juror.select(Juror.id, Juror.phone).where(Juror.id.is_in(jurors)):
            if j["phone"]:
                phones[f"juror:{j['id']}"] = crypto.rotate(j["phone"])
    if parties:
        for p in await Party.select(Party.id, Party.phone).where(Party.id.is_in(parties)):
            if p["phone"]:
                phones[f"party:{p['id']}"] = crypto.rotate(p["phone"])
    return people, phones


def _params(session: dict) -> dict[str, str]:
    local = session["starts_at"].astimezone(CHINA)
    place = session["room_name"]
    if session["room_address"]:
        place += f"（{session['room_address']}）"
    return {
        "date": local.strftime("%Y-%m-%d"),
        "time": local.strftime("%H:%M"),
        "place": place,
        "case_no": session["case_no"],
    }


def _row(
    session_id: int,
    who: str,
    channel: str,
    *,
    kind: str,
    message: str,
    occasion: str,
    params: dict,
    phones: dict[str, str],
    due: datetime,
    until: datetime,
    now: datetime,
) -> Notification | None:
    """One outbox row; None for an SMS to someone without a phone. `until`: the drain drops it
    unsent after then (after downtime, "tomorrow" an hour before the session is wrong)."""
    user = int(who.split(":")[1]) if who.startswith("user:") else None
    phone = phones.get(who) if channel == SMS else None
    if channel == SMS and not phone:
        return None
    notice = Notice(
        kind=kind, message=message, link=f"/sessions/{session_id}", dedupe="", params=params
    )
    payload = json.loads(payload_of(notice))
    payload["until"] = until.isoformat()
    if channel == SMS:
        payload["template"] = SMS_TEMPLATES[message]
    return Notification(
        recipient=user,
        phone=phone,
        channel=channel,
        kind=kind,
        payload=json.dumps(payload, ensure_ascii=False),
        dedupe_key=f"{_key(session_id)}{occasion}:{channel}:{who}",
        created_at=now,
        due_at=due,
        # in the app, a notice due now is delivered by being stored (as outbox.send does)
        sent_at=now if channel == IN_APP and due <= now else None,
    )


async def _insert(rows: list[Notification | None]) -> None:
    wanted = [r for r in rows if r is not None]
    if wanted:
        await Notification.insert(*wanted).on_conflict(action="DO NOTHING")


async def schedule(session_id: int, now: datetime) -> None:
    """Write the session's reminders into the outbox, due 24 h and 1 h before it starts; the
    drain sends each when it falls due. Runs in the booking's transaction; running it twice
    adds nothing (the dedupe keys)."""
    session = await _session(session_id)
    if session is None or session["status"] != "scheduled":
        return
    people, phones = await _participants(session_id)
    params = _params(session)
    rows = []
    for r in plan(people, session["starts_at"], now):
        channel = CHANNELS[r.channel]
        rows.append(
            _row(
                session_id,
                r.recipient,
                channel,
                kind=KIND,
                message=BY_SMS[r.lead_hours] if channel == SMS else STAFF[r.lead_hours],
                occasion=f"remind{r.lead_hours}h",
                params=params,
                phones=phones,
                due=r.due_at,
                # a reminder is stale once the next one is due (the last: once the session starts)
                until=session["starts_at"] - (LEADS[1] if r.lead_hours == 24 else timedelta(0)),
                now=now,
            )
        )
    await _insert(rows)


async def withdraw(session_id: int) -> None:
    """Take back the session's reminders not sent yet (cancelled, moved, held or no-show).
    What was sent stays in the outbox: it happened."""
    N = Notification
    await N.delete().where(
        N.dedupe_key.like(f"{_key(session_id)}remind%") & N.sent_at.is_null() & (N.kind == KIND)
    )


async def announce_cancellation(session_id: int, now: datetime) -> None:
    """Tell everyone invited that the session is off: mediators in the app and by push,
    jurors and parties by SMS. Due at once."""
    session = await _session(session_id)
    if session is None or session["starts_at"] <= now:
        return
    people, phones = await _participants(session_id)
    params = _params(session)
    common = {
        "kind": "session_cancelled",
        "occasion": "cancelled",
        "params": params,
        "phones": phones,
        "due": now,
        "until": session["starts_at"],
        "now": now,
    }
    rows = []
    for p in people:
        if p["kind"] == "mediator":
            who = f"user:{p['user']}"
            rows += [
                _row(session_id, who, ch, message=CANCELLED_STAFF, **common)
                for ch in (IN_APP, WEB_PUSH)
            ]
        else:
            who = f"{p['kind']}:{p[p['kind']]}"
            rows.append(_row(session_id, who, SMS, message=CANCELLED_BY_SMS, **common))
    await _insert(rows)


async def announce_booking(session_id: int, booked_by: int, now: datetime) -> None:
    """Tell the mediators a session was booked with (routine work: those who want it, and
    who may open its case; not whoever booked it). Jurors have no login: they get the SMS
    reminders. In the booking's transaction."""
    S = MediationSession
    session = await (
        S.select(S.id, S.dispute, S.county, S.township, S.village, S.grid).where(S.id == session_id)
    ).first()
    shown = await _session(session_id)
    if session is None or shown is None:
        return
    P = SessionParticipant
    people = await P.select(P.user).where(
        (P.session == session_id) & (P.kind == "mediator") & P.user.is_not_null()
    )
    told = [p["user"] for p in people if p["user"] != booked_by]
    told = await who_may_see(told, [session[k] for k in ("county", "township", "village", "grid")])
    told = await choices.wanting("session_booked", told)
    notice = Notice(
        kind="session_booked",
        message=BOOKED_STAFF,
        link=f"/disputes/{session['dispute']}",
        dedupe=f"session_booked:{session_id}",
        params=_params(shown),
    )
    await send(notice, told, now)
