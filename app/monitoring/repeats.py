"""Repeat cases (重复): the same applicant, or the same place, again within a year.

Same applicant: the same name and phone (compared as a hash, app/monitoring/facts.py). Same
place: GPS points within RADIUS_M on the WGS84 spheroid. A case is a repeat of the latest
earlier case that matches; it is decided when the case first appears (a case logged late, with
an earlier date, also marks the later ones that match it and were not repeats yet).

Finding places nearby goes through cells of 0.001° latitude by 0.0017° longitude (at least
111 m by 111 m anywhere south of 54° N, which is all of China), so two points within 100 m lie
in the same cell or in neighbouring ones, and each look-up is an indexed equality.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from datetime import timedelta
from typing import Any

from app.geo.measure import geodesic_m
from app.monitoring.tables import CaseFact

RADIUS_M = 100
WITHIN = timedelta(days=365)
CELL_LAT = 0.001
CELL_LON = 0.0017


def cell(lon: float | None, lat: float | None) -> str | None:
    if lon is None or lat is None:
        return None
    return f"{math.floor(lon / CELL_LON)}:{math.floor(lat / CELL_LAT)}"


def neighbours(key: str) -> list[str]:
    x, y = (int(v) for v in key.split(":"))
    return [f"{x + dx}:{y + dy}" for dx in (-1, 0, 1) for dy in (-1, 0, 1)]


_COLUMNS = (
    CaseFact.id,
    CaseFact.created_at,
    CaseFact.applicant_key,
    CaseFact.place_cell,
    CaseFact.lon,
    CaseFact.lat,
    CaseFact.repeat_of,
)


class _Pool:
    """Cases indexed by applicant and by cell, asked for the ones repeating a case."""

    def __init__(self, rows: list[dict]) -> None:
        self.by_key: dict[str, list[dict]] = defaultdict(list)
        self.by_cell: dict[str, list[dict]] = defaultdict(list)
        for row in rows:
            if row["applicant_key"]:
                self.by_key[row["applicant_key"]].append(row)
            if row["place_cell"]:
                self.by_cell[row["place_cell"]].append(row)

    def matching(self, f: dict) -> list[dict]:
        """The cases within a year of `f` (before or after) with its applicant or near its place."""
        found = (
            {c["id"]: c for c in self.by_key.get(f["applicant_key"], [])}
            if f["applicant_key"]
            else {}
        )
        if f["place_cell"]:
            near = [c for n in neighbours(f["place_cell"]) for c in self.by_cell.get(n, [])]
            if near:
                metres = geodesic_m(
                    f["lon"], f["lat"], [c["lon"] for c in near], [c["lat"] for c in near]
                )
                found.update(
                    (c["id"], c)
                    for c, m in zip(near, metres.tolist(), strict=True)
                    if m <= RADIUS_M
                )
        return [
            c
            for c in found.values()
            if c["id"] != f["id"] and abs(c["created_at"] - f["created_at"]) <= WITHIN
        ]


async def _candidates(facts: list[dict], earlier_only: bool) -> list[dict]:
    keys = sorted({f["applicant_key"] for f in facts if f["applicant_key"]})
    cells = sorted({n for f in facts if f["place_cell"] for n in neighbours(f["place_cell"])})
    low = min(f["created_at"] for f in facts) - WITHIN
    high = max(f["created_at"] for f in facts) + (timedelta(0) if earlier_only else WITHIN)
    window = (CaseFact.created_at >= low) & (CaseFact.created_at <= high)
    found: dict[uuid.UUID, dict] = {}
    for column, values in ((CaseFact.applicant_key, keys), (CaseFact.place_cell, cells)):
        for start in range(0, len(values), 900):
            for row in await CaseFact.select(*_COLUMNS).where(
                window & column.is_in(values[start : start + 900])
            ):
                found[row["id"]] = row
    return list(found.values())


def _order(c: dict) -> tuple:
    return (c["created_at"], str(c["id"]))


async def assign(
    facts: list[dict[str, Any]], earlier_only: bool = False
) -> dict[uuid.UUID, uuid.UUID]:
    """Set `repeat_of` on these new facts (dicts, before they are stored). Returns the stored
    cases logged after one of them that now turn out to repeat it: {their id: its id}."""
    if not facts:
        return {}
    ours = {f["id"] for f in facts}
    stored = [c for c in await _candidates(facts, earlier_only) if c["id"] not in ours]
    pool = _Pool(stored + facts)
    later: dict[uuid.UUID, uuid.UUID] = {}
    for f in sorted(facts, key=_order):
        found = pool.matching(f)
        earlier = [c for c in found if _order(c) < _order(f)]
        f["repeat_of"] = max(earlier, key=_order)["id"] if earlier else None
        if earlier_only:
            continue
        for c in found:
            if (
                c["id"] not in ours
                and c["repeat_of"] is None
                and c["id"] not in later
                and _order(c) > _order(f)
            ):
                later[c["id"]] = f["id"]
    return later
