"""The ledger (台账): how events are written, read back, and what the case file must hold.

Events are appended, never edited or deleted; a correction is a new event. An event says who
(a user, or the system), when, at which level they acted, what changed (status from → to),
and the action's fields as JSON, attachment ids included.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from typing import Any

from app.disputes.tables import CaseEvent
from app.disputes.vocabulary import CASE_DOCUMENTS
from app.statements import PreparedInsert


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def event_row(
    dispute_id: uuid.UUID,
    kind: str,
    now: datetime,
    *,
    actor: int | None,
    level: str,
    from_status: str | None = None,
    to_status: str | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An event's column values. `actor` is the user's id, None for the system; `level` is
    where the actor stands (their node's level) or, for the system, the level holding the case."""
    return {
        "dispute": dispute_id,
        "kind": kind,
        "actor": actor,
        "level": level,
        "from_status": from_status,
        "to_status": to_status if to_status != from_status else None,
        "note": note,
        "data": json.dumps(
            {k: v for k, v in (data or {}).items() if v not in (None, "", [])},
            ensure_ascii=False,
            default=_jsonable,
        ),
        "created_at": now,
    }


def event(dispute_id: uuid.UUID, kind: str, now: datetime, **fields: Any) -> CaseEvent:
    """An event row to insert (see event_row for the fields)."""
    return CaseEvent(**event_row(dispute_id, kind, now, **fields))


# every action writes one: its SQL made once (app/statements.py)
_APPEND = PreparedInsert(CaseEvent)


async def append(dispute_id: uuid.UUID, kind: str, now: datetime, **fields: Any) -> None:
    """Write one event to the ledger (see event_row for the fields)."""
    await _APPEND.run(**event_row(dispute_id, kind, now, **fields))


def decode(row: dict[str, Any]) -> dict[str, Any]:
    return json.loads(row["data"] or "{}")


# The documents a people's-mediation case file must hold (一案一册), and the events that are them.
DOCUMENTS: tuple[tuple[str, str], ...] = tuple(CASE_DOCUMENTS.items())


def _documents_in(kind: str, data: dict[str, Any], has_applicant: bool) -> set[str]:
    found = set()
    if kind == "logged" and has_applicant:
        found.add("application")
    if (kind == "accepted" and data.get("rights_notified")) or (
        kind == "recorded" and data.get("kind") == "rights_notice"
    ):
        found.add("rights_notice")
    if kind == "recorded" and data.get("kind") in ("investigation", "visit"):
        found.add("investigation")
    if kind == "recorded" and data.get("kind") in ("attempt", "talk"):
        found.add("mediation")
    if kind == "session_held" and data.get("minutes"):  # the session's minutes (评理会笔录)
        found.add("mediation")
    if kind in ("resolved", "terminated", "withdrawn", "referral_result"):
        found.add("outcome")
    if kind == "session_held" and data.get("outcome") == "agreement":  # its 调解协议书
        found.add("outcome")
    if kind == "followed_up":
        found.add("follow_up")
    return found


def completeness(events: list[dict[str, Any]], has_applicant: bool) -> list[dict[str, Any]]:
    """Each required document, present or missing. The application record is the logging of
    the case with its applicant named (an oral application recorded by the mediator)."""
    present: set[str] = set()
    for e in events:
        present |= _documents_in(e["kind"], e["data"], has_applicant)
    return [{"code": code, "label": label, "present": code in present} for code, label in DOCUMENTS]
