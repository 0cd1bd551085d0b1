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
from collections import defaultdict, deque
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


async def _candidates(facts: list[dict]) -> list[dict]:
    keys = sorted({f["applicant_key"] for f in facts if f["applicant_key"]})
    cells = sorted({n for f in facts if f["place_cell"] for n in neighbours(f["place_cell"])})
    low = min(f["created_at"] for f in facts) - WITHIN
    high = max(f["created_at"] for f in facts) + WITHIN
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


def _latest_earlier(f: dict, found: list[dict]) -> uuid.UUID | None:
    """What `f` repeats: the latest of the matching cases logged before it."""
    earlier = [c for c in found if _order(c) < _order(f)]
    return max(earlier, key=_order)["id"] if earlier else None


class Window:
    """Repeats for a pass over every case in the order they were logged (a rebuild): the cases
    already seen, kept in memory for a year behind the newest, are the candidates `assign`
    would otherwise read back from the facts for every batch (at a million cases, half the
    rebuild's time). Feed it batches oldest first; each gets `repeat_of` as `assign` with
    the database would set it, without looking for later cases."""

    _KEPT = ("id", "created_at", "applicant_key", "place_cell", "lon", "lat", "repeat_of")

    def __init__(self) -> None:
        self.pool = _Pool([])
        self.pool.by_key = defaultdict(deque)
        self.pool.by_cell = defaultdict(deque)
        self.seen: deque[dict] = deque()

    def assign(self, facts: list[dict[str, Any]]) -> None:
        if not facts:
            return
        batch = sorted(facts, key=_order)
        # the pool holds only what is within a year of this batch (matching checks it too)
        cutoff = batch[0]["created_at"] - WITHIN
        while self.seen and self.seen[0]["created_at"] < cutoff:
            self._forget(self.seen.popleft())
        slim = [{k: f[k] for k in self._KEPT if k != "repeat_of"} for f in batch]
        for row in slim:
            self._remember(row)
        matches = self.pool.matching(slim)
        for f, row in zip(batch, slim, strict=True):
            f["repeat_of"] = row["repeat_of"] = _latest_earlier(row, matches[row["id"]])

    def _remember(self, row: dict) -> None:
        self.seen.append(row)
        if row["applicant_key"]:
            self.pool.by_key[row["applicant_key"]].append(row)
        if row["place_cell"]:
            self.pool.by_cell[row["place_cell"]].append(row)

    def _forget(self, row: dict) -> None:
        # rows arrive oldest first, so the oldest seen is the first of each of its lists
        for index, key in ((self.pool.by_key, "applicant_key"), (self.pool.by_cell, "place_cell")):
            if row[key]:
                rows = index[row[key]]
                rows.popleft()
                if not rows:
                    del index[row[key]]


async def assign(facts: list[dict[str, Any]]) -> dict[uuid.UUID, uuid.UUID]:
    """Set `repeat_of` on these new facts (dicts, before they are stored). Returns the stored
    cases logged after one of them that now turn out to repeat it: {their id: its id}."""
    if not facts:
        return {}
    ours = {f["id"] for f in facts}
    stored = [c for c in await _candidates(facts) if c["id"] not in ours]
    matches = _Pool(stored + facts).matching(facts)
    later: dict[uuid.UUID, uuid.UUID] = {}
    for f in sorted(facts, key=_order):
        found = matches[f["id"]]
        f["repeat_of"] = _latest_earlier(f, found)
        for c in found:
            if (
                c["id"] not in ours
                and c["repeat_of"] is None
                and c["id"] not in later
                and _order(c) > _order(f)
            ):
                later[c["id"]] = f["id"]
    return later
