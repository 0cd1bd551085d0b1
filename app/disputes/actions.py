"""The only writers of a case once it is logged: one function per action.

`perform` runs an action in one transaction: find the case in the actor's scope (404), check
the version the person saw (409), ask the rules whether this person may do this now (403 / 409),
then let the action write its changes with a conditional UPDATE on that version and append its
ledger event. Two people acting on the same version: the second UPDATE finds no row and
answers 409, and nothing of it is kept.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from litestar.exceptions import NotFoundException, PermissionDeniedException

from app import db
from app.auth.actor import Actor
from app.auth.scope import get_or_404
from app.disputes import deadlines, ledger, notices, queries, states
from app.disputes.action_fields import Fields, parse_action, parse_version
from app.disputes.errors import Conflict, FieldErrors
from app.disputes.tables import AgreementTerm, CaseEvent, Dispute, Supervision
from app.disputes.vocabulary import CASE_LEVELS, label
from app.i18n import _
from app.settings import CaseLimits

# Whatever a new time limit replaces, the scheduler's flags about the old one go with it.
_FRESH_DEADLINE: dict[Any, Any] = {Dispute.overdue_at: None, Dispute.escalation_notice_at: None}
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
        await CaseEvent.insert(
            ledger.event(
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
        )
        return rows[0]["version"]


Handler = Callable[[Step, Fields], Awaitable[None]]


async def perform_submitted(
    actor: Actor, dispute_id: uuid.UUID, action: str, payload: dict
) -> None:
    """An action as a form or a JSON body submitted it, refused in the README's order: the
    case's scope (404), the role or the case rule (403), the version and the state (409), and
    only then the fields (422), so that a role that may not act is told so whatever it sent."""
    row = await get_or_404(Dispute, dispute_id, actor, *Dispute.all_columns())
    refusal = states.decide(actor, await queries.load_state(row), action)
    if refusal and refusal.status == 403:
        raise PermissionDeniedException(refusal.message)
    if parse_version(payload) != row["version"]:
        raise Conflict(stale_message(), snapshot(row))
    if refusal:
        raise Conflict(refusal.message, snapshot(row))
    version, fields = parse_action(action, payload)
    await perform(
        actor, dispute_id, action, version, fields
    )  # checks all again, in its transaction


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
    now = now or datetime.now(UTC)
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
        await HANDLERS[action](
            Step(actor, row, case, now, limits or deadlines.limits()), dict(fields)
        )


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


def _ladder_exhausted(step: Step) -> str:
    allowed = step.limits.attempts[step.case.level]
    if step.case.level == "county":
        return _(
            "The county has made its %(n)s mediation attempts: refer the case or close it as unresolvable.",
            n=allowed,
        )
    return _(
        "The %(level)s has made its %(n)s mediation attempts: escalate the case or refer it.",
        level=label(CASE_LEVELS, step.case.level),
        n=allowed,
    )


async def escalate(step: Step, f: Fields) -> None:
    up = states.LEVEL_ABOVE[step.case.level]
    holder = step.row[up]
    due = deadlines.accept_due(step.now, step.limits)
    values = {
        Dispute.level: up,
        Dispute.holder: holder,
        Dispute.attempts: 0,
        **step.deadline("accept", due),
    }
    fields = f | {"from_level": step.case.level, "to_level": up, "due_at": due}
    version = await step.apply("escalated", fields, values, to_status="escalated")
    await notices.tell("escalated", step.row, [holder], step.now, occasion=str(version))


async def hand_back(step: Step, f: Fields) -> None:
    down = f["to_level"]
    if states.RANK[down] >= states.RANK[step.case.level]:
        raise FieldErrors({"to_level": _("Choose a level below the one holding the case.")})
    due = step.future_day(f.pop("due_on"), "due_on") or deadlines.resolve_due(
        down, step.now, step.limits
    )
    holder = step.row[down]
    values = {
        Dispute.level: down,
        Dispute.holder: holder,
        Dispute.attempts: 0,
        Dispute.accepted_at: step.now,
        **step.deadline("hand_back", due),
    }
    fields = f | {"from_level": step.case.level, "due_at": due}
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
    await _finish(step, f, "closed", "closed")


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
        Dispute.attempts: 0,
        **step.deadline("resolve", due),
    }
    await step.apply("reopened", f | {"due_at": due}, values, to_status="mediating")


async def extend(step: Step, f: Fields) -> None:
    due = deadlines.add_days(step.row["due_at"], f["days"], step.limits.working_days)
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
    await CaseEvent.insert(
        ledger.event(
            other["id"],
            "duplicate_linked",
            step.now,
            actor=step.actor.id,
            level=step.actor.level,
            data={"duplicate": step.id, "case_no": step.row["case_no"]},
        )
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
}
