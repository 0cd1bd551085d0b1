"""Repeat cases as a rebuild finds them: the in-memory window over cases in the order they were
logged must mark exactly what the definition says (the same applicant, or a point within 100 m,
within a year before), whatever the batch boundaries."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

from app.geo.measure import geodesic_m
from app.monitoring import repeats

START = datetime(2025, 1, 1, tzinfo=UTC)


def _cases(n: int, seed: int) -> list[dict]:
    """n cases over two years in a 2 km square, a few applicants coming back."""
    rng = random.Random(seed)
    found = []
    for _ in range(n):
        lon = 113.0 + rng.uniform(0, 0.02)
        lat = 32.0 + rng.uniform(0, 0.018)
        placed = rng.random() > 0.1  # some cases have no GPS point
        found.append(
            {
                "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                "created_at": START + timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60)),
                "applicant_key": rng.choice(["k1", "k2", "k3", None, None, None, None]),
                "lon": lon if placed else None,
                "lat": lat if placed else None,
                "place_cell": repeats.cell(lon, lat) if placed else None,
            }
        )
    return sorted(found, key=lambda c: (c["created_at"], str(c["id"])))


def _by_definition(cases: list[dict]) -> dict[uuid.UUID, uuid.UUID | None]:
    """The latest earlier case within a year with the same applicant or within 100 m."""
    expected = {}
    for i, case in enumerate(cases):
        match = None
        for earlier in cases[:i]:
            if case["created_at"] - earlier["created_at"] > repeats.WITHIN:
                continue
            same_person = (
                case["applicant_key"] and case["applicant_key"] == earlier["applicant_key"]
            )
            near = (
                case["lon"] is not None
                and earlier["lon"] is not None
                and float(geodesic_m(case["lon"], case["lat"], earlier["lon"], earlier["lat"]))
                <= repeats.RADIUS_M
            )
            if same_person or near:
                match = earlier["id"]  # cases are in order: the last match is the latest
        expected[case["id"]] = match
    return expected


def test_a_rebuilds_window_marks_the_repeats_the_definition_names_across_batches():
    cases = _cases(400, seed=3)
    expected = _by_definition(cases)
    assert sum(v is not None for v in expected.values()) > 50  # the fixture has repeats to find
    window = repeats.Window()
    for start in range(0, len(cases), 37):  # batch edges fall anywhere
        batch = [dict(c) for c in cases[start : start + 37]]
        random.Random(start).shuffle(batch)  # the database returns a batch in no order
        window.assign(batch)
        for fact in batch:
            assert fact["repeat_of"] == expected[fact["id"]], fact
    # what it keeps: the cases within a year of the last batch, no older
    last_batch_oldest = cases[(len(cases) - 1) // 37 * 37]["created_at"]
    kept = {row["id"] for row in window.seen}
    assert kept == {c["id"] for c in cases if last_batch_oldest - c["created_at"] <= repeats.WITHIN}
