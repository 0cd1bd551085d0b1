"""The writer of cases imported from a county's ledger (台账): each with the history its ledger
row gives, on the row's own dates, every event marked {"imported": true, "row": n}.

A case logged today goes through services.create_dispute; an imported one happened long ago:
its dates are the ledger's, nobody is notified, and its time limits are those its dates give
(an open case whose limit passed is flagged by the next deadline sweep). Its id derives from
the row key (app/imports/rows.py), so a row imported twice is one case.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from app import crypto, db
from app.auth.actor import Actor
from app.disputes import deadlines, ledger, numbers
from app.disputes.deadlines import CHINA
from app.disputes.tables import CaseEvent, Dispute, Party
from app.jurisdictions.tables import Jurisdiction

if TYPE_CHECKING:
    from app.imports.rows import Row

SOURCE = "ledger"
LEVEL = "village"  # a ledger row is the village's case; escalations are not in a ledger
_FINISH_KIND = {"withdrawn": "withdrawn", "unresolvable": "terminated"}


def moment(day: date, step: int = 0) -> datetime:
    """A ledger date as a moment: 09:00 China time, a second per step so that the events of
    one day keep their order."""
    return datetime.combine(day, time(9, 0), CHINA) + timedelta(seconds=step)


async def _claim_numbers(county: dict, year: int, n: int) -> list[str]:
    """n case numbers of the county's year (inside the caller's transaction)."""
    claimed = await numbers.claim(numbers.key(county["code"], year), n)
    prefix = county["abbr"] or county["code"]
    return [f"{prefix}-{year}-{number:06d}" for number in claimed]


def _history(row: Row, by: int, import_id: int) -> tuple[list[dict], dict[str, Any]]:
    """The row's ledger events and the case columns they leave."""
    limits = deadlines.limits()
    mark = {"imported": True, "row": row.number, "import": import_id, "by": by}
    events: list[dict] = []
    status: str | None = None

    def add(kind: str, at: datetime, to_status: str | None, note: str = "", **data: Any) -> None:
        nonlocal status
        events.append(
            ledger.event_row(
                row.id,
                kind,
                at,
                actor=None,
                level=LEVEL,
                from_status=status,
                to_status=to_status or status,
                note=note,
                data=mark | data,
            )
        )
        status = to_status or status

    logged = moment(row.registered)
    columns: dict[str, Any] = {
        "due_at": None,
        "due_from": None,
        "due_kind": None,
        "accepted_at": None,
        "resolved_at": None,
        "followed_up_at": None,
        "closed_at": None,
    }
    due = deadlines.accept_due(logged, limits)
    add("logged", logged, "logged", row.summary[:500], source=SOURCE, due_at=due)
    columns |= {"due_at": due, "due_from": logged, "due_kind": "accept"}
    if row.status != "logged":
        accepted = moment(row.registered, 1)
        due = deadlines.resolve_due(LEVEL, accepted, limits)
        add(
            "accepted",
            accepted,
            "mediating" if row.status == "mediating" else "accepted",
            due_at=due,
        )
        columns |= {
            "accepted_at": accepted,
            "due_at": due,
            "due_from": accepted,
            "due_kind": "resolve",
        }
    if row.status in ("resolved", "closed") and row.resolved:
        resolved = moment(row.resolved, 2)
        due = deadlines.follow_up_due(resolved, limits)
        add("resolved", resolved, "resolved", due_at=due)
        columns |= {
            "resolved_at": resolved,
            "due_at": due,
            "due_from": resolved,
            "due_kind": "follow_up",
        }
        if row.followed_up:
            followed = moment(row.followed_up, 3)
            add("followed_up", followed, None)
            columns |= {
                "followed_up_at": followed,
                "due_at": None,
                "due_from": None,
                "due_kind": None,
            }
    if row.status == "closed" and row.closed:
        closed = moment(row.closed, 4)
        add("closed", closed, "closed")
        columns |= {"closed_at": closed, "due_at": None, "due_from": None, "due_kind": None}
    if row.status in _FINISH_KIND:
        ended = moment(row.resolved or row.registered, 2)
        add(_FINISH_KIND[row.status], ended, row.status)
        columns |= {"closed_at": ended, "due_at": None, "due_from": None, "due_kind": None}
    last = max(e["created_at"] for e in events)
    return events, columns | {
        "status": status,
        "version": len(events),
        "updated_at": last,
    }


async def existing(ids: list[uuid.UUID]) -> set[uuid.UUID]:
    rows = await Dispute.select(Dispute.id).where(Dispute.id.is_in(ids)) if ids else []
    return {r["id"] for r in rows}


async def write(actor: Actor, import_id: int, rows: list[Row]) -> tuple[int, int]:
    """Create the cases of these rows that do not exist yet, inside the caller's transaction.
    Returns (created, already there)."""
    if not rows:
        return 0, 0
    there = await existing([r.id for r in rows])
    fresh, seen = [], set(there)
    for r in rows:
        if r.id not in seen:
            fresh.append(r)
            seen.add(r.id)
    if not fresh:
        return 0, len(rows)
    grids = {
        g["id"]: g
        for g in await Jurisdiction.select(
            Jurisdiction.id,
            Jurisdiction.county,
            Jurisdiction.township,
            Jurisdiction.village,
            Jurisdiction.county.code.as_alias("county_code"),
            Jurisdiction.county.abbr.as_alias("county_abbr"),
        ).where(Jurisdiction.id.is_in(sorted({r.grid for r in fresh})))
    }
    by_year: dict[tuple[int, int], list[Row]] = defaultdict(list)
    for r in fresh:
        by_year[(grids[r.grid]["county"], moment(r.registered).astimezone(CHINA).year)].append(r)
    numbers: dict[uuid.UUID, str] = {}
    for (_county, year), group in sorted(by_year.items()):
        g = grids[group[0].grid]
        claimed = await _claim_numbers(
            {"code": g["county_code"], "abbr": g["county_abbr"]}, year, len(group)
        )
        numbers |= dict(zip((r.id for r in group), claimed, strict=True))
    disputes, parties, events = [], [], []
    for r in fresh:
        grid = grids[r.grid]
        history, columns = _history(r, actor.id, import_id)
        events += history
        disputes.append(
            {
                "id": r.id,
                "case_no": numbers[r.id],
                "category": r.category,
                "title": r.title,
                "description": r.summary,
                "occurred_at": None,
                "source": SOURCE,
                "lon": None,
                "lat": None,
                "gps_accuracy_m": None,
                "county": grid["county"],
                "township": grid["township"],
                "village": grid["village"],
                "grid": r.grid,
                "people_involved": r.people,
                "risk_level": "low",
                "level": LEVEL,
                "holder": grid["village"],
                "content_hash": r.key[:64] if len(r.key) <= 64 else r.key[-64:],
                "created_by": actor.id,
                "created_at": moment(r.registered),
                "overdue_at": None,
                "escalation_notice_at": None,
                "duplicate_of": None,
                **columns,
            }
        )
        for position, name in enumerate(r.parties):
            parties.append(
                {
                    "dispute": r.id,
                    "role": "applicant" if position == 0 else "respondent",
                    "name": name,
                    "phone": crypto.encrypt(r.phone) if position == 0 and r.phone else None,
                    "id_number": None,
                    "address": "",
                    "position": position,
                }
            )
    await db.bulk_insert(Dispute, disputes)
    await db.bulk_insert(Party, parties)
    await db.bulk_insert(CaseEvent, events)
    return len(fresh), len(rows) - len(fresh)
