"""Writing the audit log: the one function every unmasked view and every export calls."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from litestar import Request

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
            created_at=now or datetime.now(UTC),
        )
    )
