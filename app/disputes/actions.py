"""The only writers of a case once it is logged: one function per action.

`perform` runs an action in one transaction: find the case in the actor's scope (404), check
the version the person saw (409), ask the rules whether this person may do this now (403 / 409),
then let the action write its changes with a conditional UPDATE on that version and append its
ledger event. Two people acting on the same version: the second UPDATE finds no row and
answers 409, and nothing of it is kept.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from litestar.exceptions import NotFoundException, PermissionDeniedException

from app import clock, db
from app.auth.actor import Actor
from app.auth.scope import get_or_404, may_view
from app.disputes import deadlines, ledger, notices, queries, states
from app.disputes.action_fields import Fields, parse_action, readable_version
from app.disputes.errors import Conflict, FieldErrors
from app.disputes.tables import AgreementTerm, CaseEvent, Dispute, Party, Supervision
from app.disputes.vocabulary import CASE_LEVELS, label
from app.i18n import _
from app.jurisdictions import nodes
from app.rules import calendar
from app.rules import limits as county_limits
from app.sessions.tables import MediationSession
from app.settings import CaseLimits

# Whatever a new time limit replaces, the scheduler's flags about the old one go with it.
_FRESH_DEADLINE: dict[Any, Any] = {
    Dispute.overdue_at: None,
    Dispute.escalation_notice_at: None,
    Dispute.follow_up_notice_at: None,
}
_NO_DEADLINE: dict[Any, Any] = {
    Dispute.due_at: None,
    Dispute.due_from: None,
    Dispute.due_kind: None,
    **_FRESH_DEADLINE,
}


def snapshot(row: dict[str, Any]) -> dict[str, Any]:
    """The current state a 409 answers with: enough to redraw, no personal data."""
    return {
        "id": str(row["id"]),
        "status": row["status"],
        "level": row["level"],
        "version": row["version"],
        "due_at": row["due_at"].isoformat() if row["due_at"] else None,
    }


@dataclass
class Step:
    """One action under way: who does it, to which case (as read), when, under which limits."""

    actor: Actor
    row: dict[str, Any]
    case: states.CaseState
    now: datetime
    limits: CaseLimits
    version: int | None = None  # the case's version once the action is written

    @property
    def id(self) -> uuid.UUID:
        return self.row["id"]

    def deadline(self, kind: str, due_at: datetime) -> dict:
        return {
            Dispute.due_at: due_at,
            Dispute.due_from: self.now,
            Dispute.due_kind: kind,
            **_FRESH_DEADLINE,
        }

    def today(self) -> date:
        return self.now.astimezone(deadlines.CHINA).date()

    def future_day(self, day: date | None, field: str) -> datetime | None:
        if day is None:
            return None
        if day <= self.today():
            raise FieldErrors({field: _("Choose a day after today.")})
        return deadlines.end_of_day(day)

    async def apply(
        self, kind: str, fields: Fields, values: dict | None = None, to_status: str | None = None
    ) -> int:
        """Write the change if the case is still at the version that was checked, and its event.
        Returns the new version."""
        changes = dict(values or {})
        if to_status:
            changes[Dispute.status] = to_status
        changes |= {Dispute.version: Dispute.version + 1, Dispute.updated_at: self.now}
        rows = await (
            Dispute.update(changes)
            .where((Dispute.id == self.id) & (Dispute.version == self.row["version"]))
            .returning(Dispute.version)
        )
        if not rows:
            raise Conflict(
                _("Someone else changed this case at the same moment. Reload it and try again."),
                snapshot(self.row),
            )
        note = fields.pop("note", "")
        await ledger.append(
            self.id,
            kind,
            self.now,
            actor=self.actor.id,
            level=self.actor.level,
            from_status=self.row["status"],
            to_status=to_status or self.row["status"],
            note=note,
            data=fields,
        )
        self.version = rows[0]["version"]
        return self.version


Handler = Callable[[Step, Fields], Awaitable[None]]


async def perform_submitted(
    actor: Actor, dispute_id: uuid.UUID, action: str, payload: dict
) -> None:
    """An action as a form or a JSON body submitted it, refused in the README's order: the
    case's scope (404), the role or the case rule (403), the version and the state (409), and
    only then the fields (422), so that a role that may not act is told so whatever it sent."""
    await refuse_before_fields(actor, dispute_id, action, readable_version(payload))
    version, fields = parse_action(action, payload)  # 422 for a missing or bad version too
    await perform(
        actor, dispute_id, action, version, fields
    )  # checks all again, in its transaction


async def refuse_before_fields(
    actor: Actor, dispute_id: uuid.UUID, action: str, version: int | None
) -> None:
    """The refusals that come before an action's fields are looked at: the case's scope (404),
    the role or the case rule (403), and with the `version` sent, a stale one or a state that
    does not allow the action (409). Without a readable version, the fields' check names it
    (422)."""
    row = await get_or_404(Dispute, dispute_id, actor, *Dispute.all_columns())
    refusal = states.decide(actor, await queries.load_state(row), action)
    if refusal and refusal.status == 403:
        raise PermissionDeniedException(refusal.message)
    if version is None:
        return
    if version != row["version"]:
        raise Conflict(stale_message(), snapshot(row))
    if refusal:
        raise Conflict(refusal.message, snapshot(row))


def stale_message() -> str:
    return _(
        "This case has changed since you opened it. Here is where it stands now; check and try again."
    )


async def perform(
    actor: Actor,
    dispute_id: uuid.UUID,
    action: str,
    version: int,
    fields: Fields,
    now: datetime | None = None,
    limits: CaseLimits | None = None,
) -> None:
    now = now or clock.now()
    async with db.transaction():
        row = await get_or_404(Dispute, dispute_id, actor, *Dispute.all_columns())
        # A stale version comes first: whatever the person decided, they decided it on a case
        # that has since changed (perhaps it is no longer theirs to act on).
        if version != row["version"]:
            raise Conflict(stale_message(), snapshot(row))
        case = await queries.load_state(row)
        refusal = states.decide(actor, case, action)
        if refusal and refusal.status == 403:
            raise PermissionDeniedException(refusal.message)
        if refusal:
            raise Conflict(refusal.message, snapshot(row))
        await calendar.ensure()
        step = Step(actor, row, case, now, limits or await county_limits.for_case(row))
        await HANDLERS[action](step, dict(fields))
        if step.version is not None:
            # the person who logged the case hears of it, in the same transaction
            await notices.tell_logger(action, row, actor.id, now, step.version)


async def accept(step: Step, f: Fields) -> None:
    due = deadlines.resolve_due(step.case.level, step.now, step.limits)
    values = {Dispute.accepted_at: step.now, **step.deadline("resolve", due)}
    await step.apply("accepted", f | {"due_at": due}, values, to_status="accepted")


async def record(step: Step, f: Fields) -> None:
    values: dict = {}
    if f["kind"] == "attempt":
        if states.attempts_left(step.case, step.limits.attempts) == 0:
            raise Conflict(_ladder_exhausted(step), snapshot(step.row))
        values[Dispute.attempts] = Dispute.attempts + 1
    await step.apply("recorded", f, values, to_status="mediating")


def _json(counts: dict[str, int]) -> str:
    return json.dumps(counts, sort_keys=True)


def _ladder_moves(step: Step, to_level: str) -> dict:
    """The ladder counts the sessions of each level over the case's whole life: leaving a level
    keeps its count, coming back to one finds it again (a hand-back grants no fresh sessions
    unless the officer says so)."""
    held = states.per_level(step.row["attempts_by_level"])
    held[step.case.level] = step.row["attempts"]
    return {Dispute.attempts_by_level: _json(held), Dispute.attempts: held.get(to_level, 0)}


def _ladder_exhausted(step: Step) -> str:
    return ladder_exhausted(
        step.case.level, step.limits.attempts[step.case.level] + step.case.granted
    )


def no_sessions_left(row: dict[str, Any], limits: CaseLimits | None = None) -> str | None:
    """Why the level holding a case (its row: level, attempts, attempts_granted) may hold no
    more mediation sessions, or None while it may (booking a session asks this first)."""
    case = states.CaseState.of(row | {"followed_up_at": None, "due_at": None})
    attempts = (limits or deadlines.limits()).attempts
    if states.attempts_left(case, attempts):
        return None
    return ladder_exhausted(case.level, attempts[case.level] + case.granted)


def ladder_exhausted(level: str, allowed: int) -> str:
    if level == "county":
        return _(
            "The county has made its %(n)s mediation attempts: refer the case or close it as unresolvable.",
            n=allowed,
        )
    return _(
        "The %(level)s has made its %(n)s mediation attempts: escalate the case or refer it.",
        level=label(CASE_LEVELS, level),
        n=allowed,
    )


async def escalate(step: Step, f: Fields) -> None:
    up = states.LEVEL_ABOVE[step.case.level]
    holder = step.row[up]
    due = deadlines.accept_due(step.now, step.limits)
    values = {
        Dispute.level: up,
        Dispute.holder: holder,
        **_ladder_moves(step, up),
        **step.deadline("accept", due),
    }
    fields = f | {"from_level": step.case.level, "to_level": up, "due_at": due}
    version = await step.apply("escalated", fields, values, to_status="escalated")
    await notices.tell("escalated", step.row, [holder], step.now, occasion=str(version))


async def hand_back(step: Step, f: Fields) -> None:
    down = f["to_level"]
    if states.RANK[down] >= states.RANK[step.case.level]:
        raise FieldErrors({"to_level": _("Choose a level below the one holding the case.")})
    given = step.future_day(f.pop("due_on"), "due_on")
    due = given or deadlines.resolve_due(down, step.now, step.limits)
    holder = step.row[down]
    extra = f.pop("extra_attempts") or 0
    granted = states.per_level(step.row["attempts_granted"])
    if extra:
        granted[down] = granted.get(down, 0) + extra
    values = {
        Dispute.level: down,
        Dispute.holder: holder,
        **_ladder_moves(step, down),
        Dispute.attempts_granted: _json(granted),
        Dispute.accepted_at: step.now,
        **step.deadline("hand_back", due),
    }
    # due_given tells the recompute job (app/rules/recompute.py) not to move a chosen day
    fields = f | {
        "from_level": step.case.level,
        "due_at": due,
        "extra_attempts": extra or None,
        "due_given": given is not None,
    }
    # 交办 is an order: the lower level has the case in hand at once, with the deadline given.
    version = await step.apply("handed_back", fields, values, to_status="accepted")
    await notices.tell("handed_back", step.row, [holder], step.now, occasion=str(version))


async def supervise(step: Step, f: Fields) -> None:
    due = step.future_day(f.pop("due_on"), "due_on")
    assert due is not None  # required by the fields
    order = await Supervision.insert(
        Supervision(
            dispute=step.id,
            county=step.row["county"],
            township=step.row["township"],
            village=step.row["village"],
            grid=step.row["grid"],
            issuer=step.actor.jurisdiction_id,
            issuer_level=step.actor.level,
            issued_by=step.actor.id,
            instructions=f["instructions"],
            due_at=due,
            created_at=step.now,
        )
    ).returning(Supervision.id)
    version = await step.apply("supervised", f | {"due_at": due, "supervision_id": order[0]["id"]})
    await notices.tell(
        "supervised", step.row, [step.row["holder"]], step.now, occasion=str(version), due=due
    )


async def reply(step: Step, f: Fields) -> None:
    open_orders = Supervision.select(Supervision.id, Supervision.issuer).where(
        (Supervision.dispute == step.id) & Supervision.replied_at.is_null()
    )
    if f["supervision_id"] is not None:
        open_orders = open_orders.where(Supervision.id == f["supervision_id"])
    order = await open_orders.order_by(Supervision.id).first()
    if order is None:
        raise FieldErrors(
            {"supervision_id": _("No open supervision order of this case has this number.")}
        )
    await Supervision.update(
        {
            Supervision.replied_at: step.now,
            Supervision.replied_by: step.actor.id,
            Supervision.reply: f["reply"],
        }
    ).where(Supervision.id == order["id"])
    version = await step.apply("supervision_replied", f | {"supervision_id": order["id"]})
    await notices.tell(
        "supervision_replied", step.row, [order["issuer"]], step.now, occasion=str(version)
    )


async def refer(step: Step, f: Fields) -> None:
    # The court or agency keeps its own time; the case waits for its result without a limit.
    await step.apply("referred", f, dict(_NO_DEADLINE), to_status="referred")


async def referral_result(step: Step, f: Fields) -> None:
    if f["outcome"] == "returned":
        due = deadlines.resolve_due(step.case.level, step.now, step.limits)
        await step.apply("referral_result", f, step.deadline("resolve", due), to_status="mediating")
        return
    due = deadlines.follow_up_due(step.now, step.limits)
    values = {
        Dispute.resolved_at: step.now,
        Dispute.followed_up_at: None,
        **step.deadline("follow_up", due),
    }
    await step.apply("referral_result", f | {"due_at": due}, values, to_status="concluded")


async def resolve(step: Step, f: Fields) -> None:
    agreement = f["kind"] == "agreement"
    if agreement and step.case.status in states.AWAITING:
        raise Conflict(
            _(
                "Accept the case before recording a mediation agreement, or record it as settled on the spot."
            ),
            snapshot(step.row),
        )
    if agreement and f["signed_on"] > step.today():
        raise FieldErrors({"signed_on": _("The agreement cannot be signed in the future.")})
    due = deadlines.follow_up_due(step.now, step.limits)
    values = {
        Dispute.resolved_at: step.now,
        Dispute.followed_up_at: None,
        Dispute.agreement_signed_on: f.get("signed_on"),
        **step.deadline("follow_up", due),
    }
    await step.apply("resolved", f | {"due_at": due}, values, to_status="resolved")
    # The terms of the latest agreement are tracked; earlier ones stay in their events.
    await AgreementTerm.delete().where(AgreementTerm.dispute == step.id)
    if agreement:
        await AgreementTerm.insert(
            *[
                AgreementTerm(dispute=step.id, position=i, text=t["text"], due_on=_day(t["due_on"]))
                for i, t in enumerate(f["terms"])
            ]
        )


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


async def _finish(step: Step, f: Fields, kind: str, status: str) -> None:
    await step.apply(kind, f, {Dispute.closed_at: step.now, **_NO_DEADLINE}, to_status=status)


async def withdraw(step: Step, f: Fields) -> None:
    await _finish(step, f, "withdrawn", "withdrawn")


async def close(step: Step, f: Fields) -> None:
    """不化解不销号, and no closing without the file: a document missing needs a reason to close
    anyway, which the ledger keeps and the printed file shows."""
    missing = await missing_documents(step.id)
    reason = f.pop("override_reason", "")
    if missing and not reason:
        raise FieldErrors(
            {
                "override_reason": _(
                    "The case file still lacks: %(documents)s. Complete it, or give the reason to close the case without it.",
                    documents="、".join(_(d["label"]) for d in missing),
                )
            }
        )
    if missing:
        f |= {"override_reason": reason, "missing_documents": [d["code"] for d in missing]}
    await _finish(step, f, "closed", "closed")


async def missing_documents(dispute_id: uuid.UUID) -> list[dict[str, Any]]:
    """The documents of the case file (一案一册) its ledger does not hold yet."""
    rows = await CaseEvent.select(CaseEvent.kind, CaseEvent.data).where(
        CaseEvent.dispute == dispute_id
    )
    has_applicant = await Party.exists().where(
        (Party.dispute == dispute_id) & (Party.role == "applicant")
    )
    events = [{"kind": r["kind"], "data": ledger.decode(r)} for r in rows]
    return [d for d in ledger.completeness(events, has_applicant) if not d["present"]]


async def terminate(step: Step, f: Fields) -> None:
    await _finish(step, f, "terminated", "unresolvable")


async def follow_up(step: Step, f: Fields) -> None:
    # Once the parties are visited nothing more is due: the case may be closed.
    await step.apply("followed_up", f, {Dispute.followed_up_at: step.now, **_NO_DEADLINE})


async def performance(step: Step, f: Fields) -> None:
    term = (
        await AgreementTerm.select()
        .where((AgreementTerm.dispute == step.id) & (AgreementTerm.position == f["term"]))
        .first()
    )
    if term is None:
        raise FieldErrors({"term": _("The agreement has no such term.")})
    await AgreementTerm.update(
        {
            AgreementTerm.state: f["state"],
            AgreementTerm.checked_at: step.now,
            AgreementTerm.checked_by: step.actor.id,
        }
    ).where(AgreementTerm.id == term["id"])
    await step.apply("performance", f | {"text": term["text"]})


async def reopen(step: Step, f: Fields) -> None:
    due = deadlines.resolve_due(step.case.level, step.now, step.limits)
    values = {
        Dispute.resolved_at: None,
        Dispute.closed_at: None,
        Dispute.followed_up_at: None,
        Dispute.agreement_signed_on: None,
        **step.deadline("resolve", due),
    }
    await step.apply("reopened", f | {"due_at": due}, values, to_status="mediating")


async def extend(step: Step, f: Fields) -> None:
    due = deadlines.extend_due(step.row["due_at"], f["days"], step.limits.working_days)
    values = {Dispute.due_at: due, **_FRESH_DEADLINE}
    await step.apply("extended", f | {"due_at": due}, values)


async def mark_duplicate(step: Step, f: Fields) -> None:
    try:
        other = await get_or_404(
            Dispute,
            f["duplicate_of"],
            step.actor,
            Dispute.id,
            Dispute.case_no,
            Dispute.status,
            Dispute.level,
        )
    except NotFoundException:
        raise FieldErrors({"duplicate_of": _("No such case in your area.")}) from None
    if other["id"] == step.id or other["status"] == "duplicate":
        raise FieldErrors(
            {"duplicate_of": _("Choose another case that is not itself a duplicate.")}
        )
    await step.apply(
        "marked_duplicate",
        f | {"case_no": other["case_no"]},
        {Dispute.duplicate_of: other["id"], Dispute.closed_at: step.now, **_NO_DEADLINE},
        to_status="duplicate",
    )
    # The other case keeps its state and version; its ledger records the link.
    await ledger.append(
        other["id"],
        "duplicate_linked",
        step.now,
        actor=step.actor.id,
        level=step.actor.level,
        data={"duplicate": step.id, "case_no": step.row["case_no"]},
    )


async def move(step: Step, f: Fields) -> None:
    """To another grid of the officer's area (so perhaps another village or township): the
    case's area columns change, and with them who sees it (the old area answers 404). A case
    held by its village or township goes to the new one; a county case stays with the county.
    Its supervision orders and sessions follow it. The time limit runs on."""
    kept = await nodes.rows((f["grid"], step.row["grid"]))  # app/jurisdictions/nodes.py
    grid = kept.get(f["grid"])
    if grid is None or grid["level"] != "grid" or not may_view(step.actor, grid):
        raise FieldErrors({"grid": _("Choose a grid in your area.")})
    if grid["id"] == step.row["grid"]:
        raise FieldErrors({"grid": _("The case is already in this grid.")})
    area = {
        "township": grid["township"],
        "village": grid["village"],
        "grid": grid["id"],
    }
    values: dict[Any, Any] = {getattr(Dispute, k): v for k, v in area.items()}
    level = step.row["level"]
    if level in ("village", "township") and step.row["holder"] == step.row[level]:
        values[Dispute.holder] = area[level]
    old = kept.get(step.row["grid"])
    await step.apply(
        "moved",
        f
        | {
            "from_grid": old["code"] if old else step.row["grid"],
            "from_name": old["name"] if old else "",
            "grid": grid["code"],
            "to_name": grid["name"],
        },
        values,
    )
    await Supervision.update({getattr(Supervision, k): v for k, v in area.items()}).where(
        Supervision.dispute == step.id
    )
    await MediationSession.update({getattr(MediationSession, k): v for k, v in area.items()}).where(
        MediationSession.dispute == step.id
    )


HANDLERS: dict[str, Handler] = {
    "accept": accept,
    "record": record,
    "escalate": escalate,
    "hand-back": hand_back,
    "supervise": supervise,
    "reply": reply,
    "refer": refer,
    "referral-result": referral_result,
    "resolve": resolve,
    "withdraw": withdraw,
    "follow-up": follow_up,
    "performance": performance,
    "close": close,
    "terminate": terminate,
    "reopen": reopen,
    "extend": extend,
    "mark-duplicate": mark_duplicate,
    "move": move,
}


@dataclass
class HeldSession:
    """What a reasoning session (大家来评理) brings to its case when it is recorded as held."""

    id: int
    outcome: str  # agreement | no_agreement | adjourned
    minutes: str
    attended_parties: list[int]
    attended_jurors: list[int]
    terms: list[dict[str, Any]]  # the agreed terms, one a row: {"text", "due_on"}
    signed_by: str


async def session_held(
    actor: Actor,
    dispute_id: uuid.UUID,
    held: HeldSession,
    now: datetime,
    limits: CaseLimits | None = None,
) -> None:
    """The session's record is the case's record, written in the caller's transaction (the one
    that marks the session held): the hold is one mediation session on the ladder of the level
    holding the case, its minutes are the file's mediation record, and an agreement resolves the
    case with the session's terms, signed the day it is recorded (the court-confirmation window
    starts). A case no longer in mediation (escalated or referred meanwhile) only notes it."""
    row = await get_or_404(Dispute, dispute_id, actor, *Dispute.all_columns())
    rules = limits or await county_limits.for_case(row)
    step = Step(actor, row, await queries.load_state(row), now, rules)
    working = step.case.status in states.WORKING
    values: dict = {}
    if working:
        if states.attempts_left(step.case, step.limits.attempts) == 0:
            raise Conflict(_ladder_exhausted(step), snapshot(row))
        values[Dispute.attempts] = Dispute.attempts + 1
    fields: Fields = {
        "session_id": held.id,
        "outcome": held.outcome,
        "minutes": bool(held.minutes.strip()),
        "attended_parties": sorted(held.attended_parties),
        "attended_jurors": sorted(held.attended_jurors),
        "counted": working,
        # the minutes are the case's mediation record: they go into its ledger whole
        "note": held.minutes.strip(),
    }
    version = await step.apply(
        "session_held", fields, values, to_status="mediating" if working else None
    )
    if not (working and held.outcome == "agreement"):
        return
    after = Step(
        actor, row | {"version": version, "status": "mediating"}, step.case, now, step.limits
    )
    await resolve(
        after,
        {
            "kind": "agreement",
            "terms": held.terms,
            "signed_by": held.signed_by,
            "signed_on": after.today(),
            "session_id": held.id,
        },
    )
    if after.version is not None:  # whoever logged the case hears it was resolved, as by hand
        await notices.tell_logger("resolve", row, actor.id, now, after.version)
