"""A phone's outbox as the server knows it: the only writer of DeviceOutboxEntry.

The phone reports the entries it holds (`report`); the server compares that with what the
same phone reported before. An entry reported once, gone from the phone now, neither
delivered (no case or check-in of this worker with its id), discarded by the worker, nor
acknowledged as lost, was lost on the phone. It stays in every answer until the worker has
seen the notice (acknowledged), so a notice shown while the page was closing is not missed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app import clock, db
from app.auth.actor import Actor
from app.checkins.tables import PatrolCheckin
from app.disputes.tables import Dispute
from app.pwa.tables import DeviceOutboxEntry

E = DeviceOutboxEntry
MAX_LABEL = 120


@dataclass(frozen=True)
class Held:
    """One entry the phone holds."""

    id: uuid.UUID
    kind: str
    label: str
    saved_at: datetime


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def _delivered(actor: Actor, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these ids arrived as this worker's case or check-in."""
    wanted = list(set(ids))
    if not wanted:
        return set()
    cases = await Dispute.select(Dispute.id).where(
        Dispute.id.is_in(wanted) & (Dispute.created_by == actor.id)
    )
    checkins = await PatrolCheckin.select(PatrolCheckin.id).where(
        PatrolCheckin.id.is_in(wanted) & (PatrolCheckin.user == actor.id)
    )
    return {_uuid(r["id"]) for r in cases} | {_uuid(r["id"]) for r in checkins}


def _uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


async def report(
    actor: Actor,
    device_id: uuid.UUID,
    held: list[Held],
    discarded: Iterable[uuid.UUID] = (),
    acknowledged: Iterable[uuid.UUID] = (),
) -> list[dict[str, Any]]:
    """Record what the phone holds now; answer with the entries it lost (oldest first).
    Sending the same report twice changes nothing the second time."""
    now = clock.now()
    holding = {h.id: h for h in held}
    forget = set(discarded) | set(acknowledged)
    async with db.transaction():
        rows = await E.select(E.id, E.client_id, E.lost_at).where(
            (E.device_id == device_id) & (E.user == actor.id)
        )
        known = {_uuid(r["client_id"]): r for r in rows}
        arrived = await _delivered(actor, set(known) | set(holding))
        for client_id, row in known.items():
            if client_id in arrived or (client_id in forget and client_id not in holding):
                await E.delete().where(E.id == row["id"])
            elif client_id in holding:
                h = holding[client_id]
                # back on the phone (an outbox file imported): not lost after all
                await E.update(
                    {
                        E.kind: h.kind,
                        E.label: h.label[:MAX_LABEL],
                        E.saved_at: _aware(h.saved_at),
                        E.announced_at: now,
                        E.lost_at: None,
                    }
                ).where(E.id == row["id"])
            elif row["lost_at"] is None:
                await E.update({E.lost_at: now}).where(E.id == row["id"])
        for client_id, h in holding.items():
            if client_id in known or client_id in arrived:
                continue
            await E.insert(
                E(
                    device_id=device_id,
                    user=actor.id,
                    client_id=client_id,
                    kind=h.kind,
                    label=h.label[:MAX_LABEL],
                    saved_at=_aware(h.saved_at),
                    announced_at=now,
                )
            ).on_conflict(action="DO NOTHING")
        lost = (
            await E.select(E.client_id, E.kind, E.label, E.saved_at, E.announced_at, E.lost_at)
            .where((E.device_id == device_id) & (E.user == actor.id) & E.lost_at.is_not_null())
            .order_by(E.saved_at, E.id)
        )
    return [
        {
            "id": str(r["client_id"]),
            "kind": r["kind"],
            "label": r["label"],
            "saved_at": _aware(r["saved_at"]).isoformat(),
            "announced_at": _aware(r["announced_at"]).isoformat(),
            "lost_at": _aware(r["lost_at"]).isoformat(),
        }
        for r in lost
    ]
