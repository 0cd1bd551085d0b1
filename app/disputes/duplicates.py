"""Possible duplicates: open cases of the same category within 250 m of a new one.

A bounding box narrows the candidates in SQL (an index on category and latitude), then the
haversine distance in Python keeps those truly within reach. Small on purpose: the geo domain
(app/geo) is where PostGIS distance queries belong.
"""

from __future__ import annotations

import math
import uuid
from typing import Any

from app.auth.actor import Actor
from app.auth.scope import scope_where
from app.disputes.tables import Dispute
from app.disputes.vocabulary import OPEN_STATUSES

NEAR_METRES = 250.0
EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE_LAT = 111_320.0
MAX_SUGGESTIONS = 10


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def bounding_box(lon: float, lat: float, metres: float) -> tuple[float, float, float, float]:
    dlat = metres / METRES_PER_DEGREE_LAT
    dlon = metres / (METRES_PER_DEGREE_LAT * max(math.cos(math.radians(lat)), 1e-6))
    return lon - dlon, lat - dlat, lon + dlon, lat + dlat


async def suggestions(actor: Actor, case: dict[str, Any]) -> list[dict[str, Any]]:
    """Open cases the actor can see, same category, within NEAR_METRES of `case`, nearest first."""
    if case.get("lon") is None or case.get("lat") is None:
        return []
    west, south, east, north = bounding_box(case["lon"], case["lat"], NEAR_METRES)
    rows = await Dispute.select(
        Dispute.id,
        Dispute.case_no,
        Dispute.title,
        Dispute.status,
        Dispute.lon,
        Dispute.lat,
        Dispute.created_at,
    ).where(
        scope_where(Dispute, actor)
        & (Dispute.category == case["category"])
        & (Dispute.lat >= south)
        & (Dispute.lat <= north)
        & (Dispute.lon >= west)
        & (Dispute.lon <= east)
        & Dispute.status.is_in(list(OPEN_STATUSES))
        & (Dispute.id != uuid.UUID(str(case["id"])))
    )
    near = []
    for r in rows:
        distance = haversine_m(case["lon"], case["lat"], r["lon"], r["lat"])
        if distance <= NEAR_METRES:
            near.append(r | {"id": str(r["id"]), "distance_m": round(distance)})
    return sorted(near, key=lambda r: r["distance_m"])[:MAX_SUGGESTIONS]
