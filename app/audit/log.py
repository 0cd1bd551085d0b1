"""Writing the audit log: `record` for every unmasked view and every export, `record_change`
for every admin change."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from litestar import Request

from app import clock
from app.audit.tables import AuditLog
from app.auth.actor import Actor


@dataclass(frozen=True)
class Origin:
    """From where: the client's address and browser, as the request tells them."""

    ip: str = ""
    user_agent: str = ""

    @classmethod
    def of(cls, request: Request) -> Origin:
        return cls(
            ip=(request.client.host if request.client else "")[:64],
            user_agent=request.headers.get("user-agent", "")[:200],
        )


def county_of(actor: Actor) -> int:
    """The county of an actor's node (a county's own node has none above it)."""
    return actor.county_id or actor.jurisdiction_id


async def record(
    actor: Actor,
    kind: str,
    county: int,
    what: str,
    origin: Origin,
    dispute: uuid.UUID | None = None,
    party: int | None = None,
    now: datetime | None = None,
) -> None:
    """`what` names the data (fields, a report), never the data itself."""
    await AuditLog.insert(
        AuditLog(
            user=actor.id,
            county=county,
            kind=kind,
            dispute=dispute,
            party=party,
            what=what[:200],
            ip=origin.ip,
            user_agent=origin.user_agent,
            created_at=now or clock.now(),
        )
    )


# Fields holding a personal number: an admin change records them masked, never whole.
_PERSONAL = {"phone": "phone", "id_number": "id_number"}


def _shown(name: str, value: Any) -> Any:
    from app.disputes import privacy

    if name in _PERSONAL and value:
        return (
            privacy.mask_phone(value)
            if _PERSONAL[name] == "phone"
            else privacy.mask_id_number(value)
        )
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, Any]:
    """What changed, as {before: {...}, after: {...}} of the fields that differ (all of them
    for a creation), personal numbers masked."""
    before, after = before or {}, after or {}
    names = [n for n in dict.fromkeys([*before, *after]) if before.get(n) != after.get(n)]
    return {
        "before": {n: _shown(n, before.get(n)) for n in names if n in before},
        "after": {n: _shown(n, after.get(n)) for n in names if n in after},
    }


async def record_change(
    actor: Actor,
    kind: str,
    what: str,
    origin: Origin | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    county: int | None = None,
    now: datetime | None = None,
    *,
    action: str,
    params: dict[str, Any] | None = None,
) -> None:
    """An admin change (a user, room, juror, category, boundary import...): who, when, what,
    before → after of the fields that changed, personal numbers masked. Call it in the
    service's transaction, after the write.

    `action` (one of app.audit.present.ACTIONS) and `params` say what was done; the page puts
    them in words in the reader's language, as a notice's message and params are. `what` is a
    short machine summary (e.g. "create user demo-x") kept for searching the table."""
    from app.audit.present import ACTIONS

    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    detail = {"action": action, "params": params or {}, **changes(before, after)}
    await AuditLog.insert(
        AuditLog(
            user=actor.id,
            county=county or county_of(actor),
            kind=kind,
            what=what[:200],
            detail=json.dumps(detail, ensure_ascii=False, default=str),
            ip=(origin or Origin()).ip,
            user_agent=(origin or Origin()).user_agent,
            created_at=now or clock.now(),
        )
    )
