"""Session events in the case's ledger (台账): one row per change, inside the change's
transaction, so the case file and the session can never disagree."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from app.auth.actor import Actor
from app.disputes.tables import CaseEvent


async def append(
    dispute_id: uuid.UUID,
    kind: str,
    actor: Actor,
    level: str,
    at: datetime,
    note: str = "",
    **data: Any,
) -> None:
    await CaseEvent.insert(
        CaseEvent(
            dispute=dispute_id,
            kind=kind,
            actor=actor.id,
            level=level,
            note=note,
            data=json.dumps(data, ensure_ascii=False, default=str),
            created_at=at,
        )
    )
