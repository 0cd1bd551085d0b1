"""Open cases near a point (a grid worker on patrol), nearest first, in the worker's area."""

from __future__ import annotations

import uuid

from app.auth.actor import Actor
from app.auth.scope import scope_where
from app.disputes.queries import LIST_COLUMNS, summaries
from app.disputes.tables import Dispute
from app.disputes.vocabulary import OPEN_STATUSES
from app.geo.backend import CaseFilter, current
from app.i18n import _

RADII_M = (200, 500, 1000, 2000, 5000)
DEFAULT_RADIUS_M = 1000
MAX_RADIUS_M = 20_000
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


async def open_cases_near(
    actor: Actor, lon: float, lat: float, radius_m: int, limit: int = DEFAULT_LIMIT
) -> list[dict]:
    """Case summaries with `distance_m` (on the WGS84 spheroid, rounded to 0.1 m)."""
    found = await current().nearby(
        CaseFilter(actor=actor, statuses=OPEN_STATUSES), lon, lat, radius_m, limit
    )
    if not found:
        return []
    rows = await Dispute.select(*LIST_COLUMNS, Dispute.lon, Dispute.lat).where(
        scope_where(Dispute, actor)
        & Dispute.id.is_in([uuid.UUID(case_id) for case_id, _m in found])
    )
    by_id = {s["id"]: (s, r) for s, r in zip(await summaries(rows), rows, strict=True)}
    return [
        {
            **by_id[case_id][0],
            "distance_m": round(metres, 1),
            "lon": by_id[case_id][1]["lon"],
            "lat": by_id[case_id][1]["lat"],
        }
        for case_id, metres in found
        if case_id in by_id
    ]


def distance_label(metres: float) -> str:
    if metres < 1000:
        return _("%(n)s m", n=int(round(metres)))
    return _("%(n)s km", n=f"{metres / 1000:.1f}".removesuffix(".0"))
