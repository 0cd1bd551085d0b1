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
    """Cases indexed by applicant and by cell, asked for the ones repeating each of a batch.
    The distances of a whole batch are measured in one vectorised call."""

    def __init__(self, rows: list[dict]) -> None:
        self.by_key: dict[str, list[dict]] = defaultdict(list)
        self.by_cell: dict[str, list[dict]] = defaultdict(list)
        for row in rows:
            if row["applicant_key"]:
                self.by_key[row["applicant_key"]].append(row)
            if row["place_cell"]:
                self.by_cell[row["place_cell"]].append(row)

    def matching(self, facts: list[dict]) -> dict[uuid.UUID, list[dict]]:
        """Per fact, the cases within a year of it (before or after) with its applicant or
        within RADIUS_M of its place."""
        found: dict[uuid.UUID, dict[uuid.UUID, dict]] = {f["id"]: {} for f in facts}
        pairs: list[tuple[dict, dict]] = []
        for f in facts:
            if f["applicant_key"]:
                found[f["id"]].update((c["id"], c) for c in self.by_key.get(f["applicant_key"], []))
            if f["place_cell"]:
                pairs += [
                    (f, c) for n in neighbours(f["place_cell"]) for c in self.by_cell.get(n, [])
                ]
        if pairs:
            metres = geodesic_m(
                [f["lon"] for f, _c in pairs],
                [f["lat"] for f, _c in pairs],
                [c["lon"] for _f, c in pairs],
                [c["lat"] for _f, c in pairs],
            )
            for (f, c), m in zip(pairs, metres.tolist(), strict=True):
                if m <= RADIUS_M:
                    found[f["id"]][c["id"]] = c
        by_id = {f["id"]: f for f in facts}
        return {
            fid: [
                c
                for c in cases.values()
                if c["id"] != fid and abs(c["created_at"] - by_id[fid]["created_at"]) <= WITHIN
            ]
            for fid, cases in found.items()
        }


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
    matches = _Pool(stored + facts).matching(facts)
    later: dict[uuid.UUID, uuid.UUID] = {}
    for f in sorted(facts, key=_order):
        found = matches[f["id"]]
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
