"""What happens to a booked session: held (attendance, outcome, minutes, the agreement's
terms), cancelled (a reason), nobody came. Rescheduling lives with booking: it books.

Each action is a conditional UPDATE from `scheduled` (two people pressing at once: one wins,
the other hears that it changed) with its ledger event in the same transaction.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from app import clock, db
from app.auth import policy
from app.auth.actor import Actor
from app.auth.scope import get_or_404
from app.disputes import actions as case_actions
from app.disputes.action_fields import MAX_TERMS
from app.disputes.errors import Conflict, FieldErrors
from app.i18n import _
from app.sessions import ledger, reminders
from app.sessions.booking import reschedule
from app.sessions.states import OUTCOMES, TARGET, refusal
from app.sessions.tables import MediationSession, SessionParticipant

MAX_MINUTES_TEXT = 20_000
MAX_TERM_TEXT = 500  # as a case's agreement term holds it


def _text(data: dict, name: str, errors: dict, limit: int, required: bool = False) -> str:
    value = str(data.get(name) or "").strip()
    if "\x00" in value:
        errors[name] = _("Contains a character that is not allowed.")
    elif required and not value:
        errors[name] = _("This field is required.")
    elif len(value) > limit:
        errors[name] = _("At most %(n)s characters.", n=limit)
    return value


def _id_set(value: Any) -> set[int]:
    items = value if isinstance(value, list | tuple) else ([] if value in (None, "") else [value])
    try:
        return {int(v) for v in items}
    except (TypeError, ValueError):
        raise FieldErrors({"attended": _("Must be a list of ids.")}) from None


# "1." "2、" "（三）" "四、": the numbering people type before a term
_NUMBERING = re.compile(r"^(?:[(（]?[0-9一二三四五六七八九十]{1,3}[)）.．、:：]|[-•·*])\s*")


def split_terms(text: str) -> list[str]:
    """The agreed terms, one a line (the case tracks each one until it is carried out)."""
    lines = (_NUMBERING.sub("", line.strip()).strip() for line in text.splitlines())
    return [line for line in lines if line]


def _check_terms(text: str, errors: dict) -> None:
    terms = split_terms(text)
    if len(terms) > MAX_TERMS:
        errors["agreement_terms"] = _("At most %(n)s terms, one a line.", n=MAX_TERMS)
    elif any(len(t) > MAX_TERM_TEXT for t in terms):
        errors["agreement_terms"] = _(
            "A term is at most %(n)s characters: put each term on a line of its own.",
            n=MAX_TERM_TEXT,
        )


def parse_hold(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    outcome = data.get("outcome")
    if outcome not in OUTCOMES:
        errors["outcome"] = _("Choose the outcome.")
    agreed = outcome == "agreement"
    fields = {
        "outcome": outcome,
        "minutes": _text(data, "minutes", errors, MAX_MINUTES_TEXT),
        "agreement_facts": _text(data, "agreement_facts", errors, 5000),
        "agreement_terms": _text(data, "agreement_terms", errors, 10000, required=agreed),
        "performance": _text(data, "performance", errors, 2000, required=agreed),
        "performance_deadline": None,
    }
    raw_deadline = data.get("performance_deadline")
    if raw_deadline not in (None, ""):
        try:
            fields["performance_deadline"] = date.fromisoformat(str(raw_deadline))
        except ValueError:
            errors["performance_deadline"] = _("Must be a date like 2026-05-01.")
    if agreed and "agreement_terms" not in errors:
        _check_terms(fields["agreement_terms"], errors)
    if errors:
        raise FieldErrors(errors)
    fields["attended_parties"] = _id_set(data.get("attended_party_ids"))
    fields["attended_jurors"] = _id_set(data.get("attended_juror_ids"))
    return fields


async def _load(actor: Actor, session_id: int, action: str, now: datetime) -> dict:
    policy.require(actor, "manage_sessions")
    row = await get_or_404(
        MediationSession,
        session_id,
        actor,
        *MediationSession.all_columns(),
        MediationSession.dispute.level.as_alias("case_level"),
        MediationSession.dispute.description.as_alias("case_description"),
    )
    if problem := refusal(action, row["status"], row["starts_at"], row["ends_at"], now):
        raise Conflict(problem)
    return row


async def _claim(session_id: int, action: str, values: dict, now: datetime) -> None:
    """Move the session out of `scheduled`, or learn that someone else did first."""
    S = MediationSession
    changes = {getattr(S, k): v for k, v in values.items()}
    changes[S.status] = TARGET[action]
    changes[S.updated_at] = now
    claimed = await (
        S.update(changes).where((S.id == session_id) & (S.status == "scheduled")).returning(S.id)
    )
    if not claimed:
        raise Conflict(_("This session was changed a moment ago. Reload and look again."))


async def hold(actor: Actor, session_id: int, data: dict[str, Any]) -> int:
    now = clock.now()
    row = await _load(actor, session_id, "hold", now)
    fields = parse_hold(data)
    parties, jurors = fields.pop("attended_parties"), fields.pop("attended_jurors")
    if fields["outcome"] == "agreement" and not fields["agreement_facts"]:
        fields["agreement_facts"] = row["case_description"]
    P = SessionParticipant
    async with db.transaction():
        await _claim(session_id, "hold", {**fields, "recorded_at": now}, now)
        await P.update({P.attended: True}).where((P.session == session_id) & (P.kind == "mediator"))
        await P.update({P.attended: False}).where(
            (P.session == session_id) & P.kind.is_in(["party", "juror"])
        )
        if parties:
            await P.update({P.attended: True}).where(
                (P.session == session_id) & (P.kind == "party") & P.party.is_in(list(parties))
            )
        if jurors:
            await P.update({P.attended: True}).where(
                (P.session == session_id) & (P.kind == "juror") & P.juror.is_in(list(jurors))
            )
        # the session's record is the case's record: the ladder, the file, the agreement
        deadline = fields["performance_deadline"]
        await case_actions.session_held(
            actor,
            row["dispute"],
            case_actions.HeldSession(
                id=session_id,
                outcome=fields["outcome"],
                minutes=fields["minutes"],
                attended_parties=sorted(parties),
                attended_jurors=sorted(jurors),
                terms=[
                    {"text": t, "due_on": deadline.isoformat() if deadline else None}
                    for t in split_terms(fields["agreement_terms"])
                ],
                signed_by=await _signatories(session_id),
            ),
            now,
        )
        await reminders.withdraw(session_id)
    return session_id


async def _signatories(session_id: int) -> str:
    """Who signs the agreement: the parties who came and the mediators."""
    P = SessionParticipant
    people = await (
        P.select(P.name)
        .where(
            (P.session == session_id)
            & (((P.kind == "party") & (P.attended == True)) | (P.kind == "mediator"))  # noqa: E712
        )
        .order_by(P.kind, ascending=False)  # the parties, then the mediators
        .order_by(P.id)
    )
    return "、".join(p["name"] for p in people)[:300]


async def _close(actor: Actor, session_id: int, action: str, note: str, values: dict) -> int:
    """Cancel or mark a no-show: the session frees its room and its people."""
    now = clock.now()
    row = await _load(actor, session_id, action, now)
    async with db.transaction():
        await _claim(session_id, action, values, now)
        await SessionParticipant.update({SessionParticipant.active: False}).where(
            SessionParticipant.session == session_id
        )
        kind = "session_cancelled" if action == "cancel" else "session_no_show"
        await ledger.append(
            row["dispute"], kind, actor, row["case_level"], now, note=note, session_id=session_id
        )
        await reminders.withdraw(session_id)
        if action == "cancel":
            await reminders.announce_cancellation(session_id, now)
    return session_id


async def cancel(actor: Actor, session_id: int, data: dict[str, Any]) -> int:
    errors: dict[str, str] = {}
    reason = _text(data, "reason", errors, 500, required=True)
    if errors:
        raise FieldErrors(errors)
    return await _close(actor, session_id, "cancel", reason, {"cancel_reason": reason})


async def no_show(actor: Actor, session_id: int, data: dict[str, Any]) -> int:
    errors: dict[str, str] = {}
    note = _text(data, "note", errors, 500)
    if errors:
        raise FieldErrors(errors)
    return await _close(actor, session_id, "no-show", note, {"minutes": note})


async def act(actor: Actor, session_id: int, action: str, data: dict[str, Any]) -> int:
    """Run `action`; returns the id of the session to show next (a new one after a move)."""
    policy.require(actor, "manage_sessions")  # who, before what they sent
    if action == "hold":
        return await hold(actor, session_id, data)
    if action == "cancel":
        return await cancel(actor, session_id, data)
    if action == "no-show":
        return await no_show(actor, session_id, data)
    if action == "reschedule":
        return await reschedule(actor, session_id, data)
    raise FieldErrors({"action": _("Unknown action.")})
