"""The case page's read model: the case, where it stands on the ladder and against its time
limits, its supervision orders and agreement terms, the ledger, the file's completeness, and
what the viewer may do."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from app import clock
from app.attachments.queries import photos_of
from app.auth.actor import Actor
from app.auth.scope import scope_where
from app.disputes import deadlines, duplicates, ledger, queries, states
from app.disputes.tables import AgreementTerm, Supervision
from app.jurisdictions.tables import Jurisdiction

# People's Mediation Law art. 33: within 30 days of an agreement taking effect the parties may
# jointly ask the people's court to confirm it (司法确认), which makes it enforceable.
COURT_CONFIRMATION_DAYS = 30


def court_window(signed_on: date | None, today: date) -> dict[str, Any] | None:
    if signed_on is None:
        return None
    until = signed_on + timedelta(days=COURT_CONFIRMATION_DAYS)
    return {"until": until.isoformat(), "days_left": (until - today).days, "open": today <= until}


def ladder(case: dict[str, Any], attempts_per_level: dict[str, int]) -> dict[str, Any]:
    granted = case["attempts_granted"].get(case["level"], 0)
    allowed = attempts_per_level[case["level"]] + granted
    return {
        "level": case["level"],
        "used": case["attempts"],
        "allowed": allowed,
        "granted": granted,
        "left": max(allowed - case["attempts"], 0),
        "next": states.LEVEL_ABOVE.get(case["level"]),
        "below": [lv for lv in states.CASE_LEVELS if states.RANK[lv] < states.RANK[case["level"]]],
        "rungs": [
            {
                "level": lv,
                "used": case["attempts_by_level"].get(lv, 0),
                "allowed": attempts_per_level[lv] + case["attempts_granted"].get(lv, 0),
                "current": lv == case["level"],
            }
            for lv in states.CASE_LEVELS
        ],
    }


async def case_page(
    actor: Actor, dispute_id: uuid.UUID, now: datetime | None = None
) -> dict[str, Any]:
    now = now or clock.now()
    case = await queries.get_dispute(actor, dispute_id, now)
    events = await queries.events(actor, dispute_id)
    orders = await (
        Supervision.select(
            *Supervision.all_columns(),
            Supervision.issuer.name.as_alias("issuer_name"),
            Supervision.issued_by.display_name.as_alias("issued_by_name"),
        )
        .where(Supervision.dispute == dispute_id)
        .order_by(Supervision.id)
    )
    terms = (
        await AgreementTerm.select()
        .where(AgreementTerm.dispute == dispute_id)
        .order_by(AgreementTerm.position)
    )
    can_mark = "mark-duplicate" in case["available_actions"]
    closing = next((e for e in reversed(events) if e["kind"] == "closed"), None)
    return {
        "case": case,
        "ledger": events,
        "supervisions": [
            o | {"late": o["replied_at"] is None and o["due_at"] <= now} for o in orders
        ],
        "terms": terms,
        "documents": ledger.completeness(
            events, any(p["role"] == "applicant" for p in case["parties"])
        ),
        "ladder": ladder(case, case["attempts_allowed"]),
        # a case closed with documents missing says so, with the reason given
        "close_override": closing["data"]
        if closing and "override_reason" in closing["data"]
        else None,
        "court": court_window(
            date.fromisoformat(case["agreement_signed_on"])
            if case["agreement_signed_on"]
            else None,
            now.astimezone(deadlines.CHINA).date(),
        ),
        "duplicates": await duplicates.suggestions(actor, case) if can_mark else [],
        "move_grids": await move_choices(actor) if "move" in case["available_actions"] else [],
        "can_reveal": states.holds(actor, case["holder"]["id"]),
        "today": now.astimezone(deadlines.CHINA).date().isoformat(),
        "photos": await photos_of(actor, dispute_id),
        "new_photo_id": str(uuid.uuid4()),
    }


async def move_choices(actor: Actor) -> list[dict]:
    """The grids of the officer's area a case may be moved to, by township and village."""
    J = Jurisdiction
    return await (
        J.select(
            J.id,
            J.name,
            J.code,
            J.parent.name.as_alias("village_name"),
            J.township.name.as_alias("township_name"),
        )
        .where((J.level == "grid") & scope_where(J, actor))
        .order_by(J.code)
    )
