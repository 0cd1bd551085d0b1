"""The history of a synthetic case: the ledger a real one in its status would have, and the
columns that ledger leaves on the case (holder, attempts, time limit, dates, version).

A case walks the same road the actions build: logged → accepted → records → escalated and
accepted again at each level up → referred, resolved, withdrawn or terminated → followed up →
closed; a time limit that has passed is flagged overdue, and past the grace period the level
above supervises it, just as the scheduler would have done. Pure: no database.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from app.disputes import deadlines, ledger
from app.disputes.deadlines import CHINA
from app.disputes.states import LEVEL_ABOVE
from app.settings import CaseLimits

PATH = ("village", "township", "county")
NOTES = {
    "accepted": ["已受理，已告知双方权利义务", "受理登记，约定调解时间"],
    "investigation": ["走访周边群众，核实情况", "现场查看，拍照取证", "调取相关材料核实"],
    "visit": ["上门走访当事人，了解诉求", "入户走访，听取双方意见"],
    "attempt": ["组织双方面对面调解", "召开评理会，邀请评理员参与", "背对背做工作，缩小分歧"],
    "escalated": ["双方分歧较大，村级难以化解，申请上报", "涉及多部门职责，需上级协调"],
    "resolved": ["双方达成调解协议，当场签字", "经调解双方互谅互让，达成一致"],
    "referred": ["涉及法律适用问题，引导当事人诉讼", "属劳动争议，引导申请仲裁"],
    "withdrawn": ["申请人撤回调解申请", "双方自行和解，申请撤回"],
    "terminated": [
        "多次调解无果，一方拒绝继续调解，终止调解",
        "双方分歧无法弥合，告知通过诉讼途径解决",
    ],
    "followed_up": ["电话回访，协议已履行，双方满意", "上门回访，当事人表示满意"],
    "closed": ["协议履行完毕，回访满意，予以销号"],
}
REPLY = "已收到督办，正抓紧组织调解，近期报告结果"
TERMS = [
    "一方于约定日期前支付补偿款",
    "双方按现状划定界址，不再争议",
    "一方负责清理排水沟并恢复原状",
    "按月支付赡养费",
]


@dataclass
class History:
    """Rows as column dicts, for db.bulk_insert."""

    events: list[dict] = field(default_factory=list)
    columns: dict[str, Any] = field(default_factory=dict)
    terms: list[dict] = field(default_factory=list)
    supervisions: list[dict] = field(default_factory=list)


@dataclass
class _Step:
    kind: str
    level: str  # where the actor stands
    to_status: str | None
    note: str
    data: dict[str, Any]
    at: float  # days after logging, before scaling


def _steps(rng: random.Random, status: str, level: str, limits: CaseLimits) -> list[_Step]:
    """The steps that lead to `status` with the case held at `level`."""
    if status == "logged":
        return [
            _Step(
                "logged",
                "grid" if level == "village" else level,
                "logged",
                "",
                {"source": "patrol"},
                0,
            )
        ]
    steps = [_Step("logged", "grid", "logged", "", {"source": "patrol"}, 0)]
    t = 0.0

    def add(
        kind: str,
        at_level: str,
        to_status: str | None,
        data: dict | None = None,
        note_key: str | None = None,
    ) -> None:
        nonlocal t
        t += rng.uniform(0.2, 4)
        note = rng.choice(NOTES[note_key or kind]) if (note_key or kind) in NOTES else ""
        steps.append(_Step(kind, at_level, to_status, note, data or {}, t))

    rungs = PATH[: PATH.index(level) + 1]
    for i, rung in enumerate(rungs):
        last = i == len(rungs) - 1
        if i > 0:
            add(
                "escalated",
                rungs[i - 1],
                "escalated",
                {
                    "reason": rng.choice(NOTES["escalated"]),
                    "from_level": rungs[i - 1],
                    "to_level": rung,
                },
            )
        if last and status == "escalated":
            return steps
        add("accepted", rung, "accepted", {"rights_notified": i == 0})
        if last and status == "accepted":
            return steps
        add(
            "recorded",
            rung,
            "mediating",
            {"kind": rng.choice(["investigation", "visit"])},
            note_key="visit",
        )
        sessions = limits.attempts[rung] if not last else rng.randint(1, limits.attempts[rung])
        for n in range(sessions):
            outcome = (
                "agreement"
                if last and n == sessions - 1 and status in ("resolved", "closed")
                else "no_agreement"
            )
            add(
                "recorded",
                rung,
                "mediating",
                {"kind": "attempt", "outcome": outcome},
                note_key="attempt",
            )
    if status == "referred" or status == "concluded":
        add(
            "referred",
            level,
            "referred",
            {
                "channel": rng.choice(["court", "arbitration", "agency"]),
                "reason": rng.choice(NOTES["referred"]),
            },
        )
        if status == "concluded":
            add(
                "referral_result",
                level,
                "concluded",
                {"outcome": rng.choice(["settled", "judged"]), "result": "法院已作出判决"},
            )
    elif status in ("resolved", "closed"):
        add("resolved", level, "resolved", {"kind": "agreement", "signed_by": "双方当事人及调解员"})
        if status == "closed":
            add(
                "followed_up",
                level,
                None,
                {
                    "method": rng.choice(["visit", "phone"]),
                    "honoured": "yes",
                    "satisfaction": rng.choice([4, 5, 5]),
                },
            )
            add("closed", level, "closed")
    elif status == "withdrawn":
        add("withdrawn", level, "withdrawn", {"reason": rng.choice(NOTES["withdrawn"])})
    elif status == "unresolvable":
        add("terminated", level, "unresolvable", {"reason": rng.choice(NOTES["terminated"])})
    return steps


def history(
    rng: random.Random,
    case: dict[str, Any],
    now: datetime,
    limits: CaseLimits,
    staff: dict[int, int],
) -> History:
    """case: id, created_at, status, level, county/township/village/grid, created_by.
    staff: node id → a user there, who is named as the actor of that level's steps."""
    steps = _steps(rng, case["status"], case["level"], limits)
    # squeeze the steps into the time the case has existed
    room = max((now - case["created_at"]).total_seconds() / 86400 * 0.9, 0.01)
    scale = min(1.0, room / max(steps[-1].at, 0.01))
    out = History()
    when: dict[str, datetime] = {}
    attempts = 0
    status = None
    for step in steps:
        at = case["created_at"] + timedelta(days=step.at * scale)
        actor = case["created_by"] if step.level == "grid" else staff.get(case[step.level])
        data = dict(step.data)
        if step.kind == "resolved":
            signed = at.astimezone(CHINA).date()
            data |= {
                "signed_on": signed,
                "terms": _terms(rng, out, case, signed, closed=case["status"] == "closed"),
            }
        out.events.append(
            ledger.event_row(
                case["id"],
                step.kind,
                at,
                actor=actor,
                level=step.level,
                from_status=status,
                to_status=step.to_status or status,
                note=step.note,
                data=data,
            )
        )
        status = step.to_status or status
        when[step.kind] = at
        attempts = (
            0 if step.kind == "escalated" else attempts + (step.data.get("kind") == "attempt")
        )
    last = steps[-1]
    status, level = case["status"], case["level"]
    cols: dict[str, Any] = {
        "holder": case[level],
        "attempts": attempts,
        "version": len(steps),  # every step a person took bumped it; the scheduler's do not
        "accepted_at": when.get("accepted"),
        "updated_at": case["created_at"] + timedelta(days=last.at * scale),
        "resolved_at": when.get("resolved") or when.get("referral_result"),
        "followed_up_at": when.get("followed_up"),
        "closed_at": when.get(last.kind)
        if status in ("closed", "withdrawn", "unresolvable")
        else None,
        "agreement_signed_on": when["resolved"].astimezone(CHINA).date()
        if "resolved" in when
        else None,
    }
    cols |= _deadline(status, level, when, case["created_at"], limits)
    out.columns = cols
    _overdue(rng, out, case, now, limits, staff)
    return out


def _terms(rng: random.Random, out: History, case: dict, signed: date, closed: bool) -> list[dict]:
    terms = []
    for position in range(rng.randint(1, 2)):
        due_on = signed + timedelta(days=rng.randint(7, 30))
        text = rng.choice(TERMS)
        out.terms.append(
            {
                "dispute": case["id"],
                "position": position,
                "text": text,
                "due_on": due_on,
                "state": "done" if closed else "pending",
                "checked_at": None,
                "checked_by": None,
            }
        )
        terms.append({"text": text, "due_on": due_on.isoformat()})
    return terms


def _deadline(
    status: str, level: str, when: dict[str, datetime], created: datetime, limits: CaseLimits
) -> dict[str, Any]:
    if status == "logged":
        start, kind, due = created, "accept", deadlines.accept_due(created, limits)
    elif status == "escalated":
        start = when["escalated"]
        kind, due = "accept", deadlines.accept_due(start, limits)
    elif status in ("accepted", "mediating"):
        start = when["accepted"]
        kind, due = "resolve", deadlines.resolve_due(level, start, limits)
    elif status in ("resolved", "concluded"):
        start = when.get("resolved") or when["referral_result"]
        kind, due = "follow_up", deadlines.follow_up_due(start, limits)
    else:
        return {
            "due_at": None,
            "due_from": None,
            "due_kind": None,
            "overdue_at": None,
            "escalation_notice_at": None,
        }
    return {
        "due_at": due,
        "due_from": start,
        "due_kind": kind,
        "overdue_at": None,
        "escalation_notice_at": None,
    }


def _overdue(
    rng: random.Random,
    out: History,
    case: dict,
    now: datetime,
    limits: CaseLimits,
    staff: dict[int, int],
) -> None:
    """What the scheduler would have done about a passed time limit, and most holders' reply."""
    due = out.columns["due_at"]
    if due is None or due > now:
        return
    level = case["level"]
    out.columns["overdue_at"] = due
    out.events.append(
        ledger.event_row(
            case["id"],
            "overdue",
            due,
            actor=None,
            level=level,
            data={"due_at": due, "due_kind": out.columns["due_kind"]},
        )
    )
    noticed = due + timedelta(hours=limits.overdue_grace_hours)
    up = LEVEL_ABOVE.get(level)
    if up is None or noticed > now:
        return
    reply_by = deadlines.add_days(noticed, limits.accept_days, limits.working_days)
    out.columns["escalation_notice_at"] = noticed
    replied = (
        noticed + (min(reply_by, now) - noticed) * rng.uniform(0.2, 0.9)
        if rng.random() < 0.85
        else None
    )
    late = replied is None and reply_by <= now
    holder = staff.get(case[level])
    out.supervisions.append(
        {
            "dispute": case["id"],
            "county": case["county"],
            "township": case["township"],
            "village": case["village"],
            "grid": case["grid"],
            "issuer": case[up],
            "issuer_level": up,
            "issued_by": None,
            "automatic": True,
            "instructions": "",
            "due_at": reply_by,
            "created_at": noticed,
            "replied_at": replied,
            "replied_by": holder if replied else None,
            "reply": REPLY if replied else "",
            "overdue_at": reply_by if late else None,
        }
    )
    out.events.append(
        ledger.event_row(
            case["id"],
            "supervised",
            noticed,
            actor=None,
            level=up,
            data={"automatic": True, "due_at": reply_by},
        )
    )
    if replied:
        out.events.append(
            ledger.event_row(
                case["id"],
                "supervision_replied",
                replied,
                actor=holder,
                level=level,
                data={"reply": REPLY},
            )
        )
        out.columns["version"] += 1
    if late:
        out.events.append(
            ledger.event_row(
                case["id"],
                "supervision_overdue",
                reply_by,
                actor=None,
                level=level,
                data={"due_at": reply_by},
            )
        )
