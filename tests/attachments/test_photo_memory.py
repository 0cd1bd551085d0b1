"""A 160 KB PNG of 7000×7000 decodes to ~200 MB: uploads of such files, all at once, must not
add up (one photo is decoded at a time, shrunk as it is decoded) and the memory goes back to
the system afterwards. Measured on this process from /proc: its peak resident memory is reset
first (clear_refs), then read back."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest

from tests.support.photos import big_png

MB = 1024 * 1024
STATUS = Path("/proc/self/status")


def _kb(field: str) -> int:
    line = next(x for x in STATUS.read_text().splitlines() if x.startswith(field + ":"))
    return int(line.split()[1])


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="Linux /proc needed")
async def test_parallel_uploads_of_huge_pngs_stay_within_a_memory_budget(cast):
    case = await cast.log_case("demo-grid")
    api = cast.api["demo-grid"]
    data = big_png(7000, 7000)
    assert len(data) < 200_000
    await asyncio.sleep(0)
    Path("/proc/self/clear_refs").write_text("5")  # the peak starts again from here
    before = _kb("VmRSS")

    answers = await asyncio.gather(
        *[
            api.put(f"/api/v1/disputes/{case['id']}/photos/{uuid.uuid4()}", content=data)
            for _ in range(4)
        ]
    )
    assert [r.status_code for r in answers] == [201] * 4, answers[0].text
    assert {(r.json()["width"], r.json()["height"]) for r in answers} == {(1600, 1600)}
    peak, after = _kb("VmHWM"), _kb("VmRSS")
    assert (peak - before) * 1024 < 300 * MB, f"peak rose by {(peak - before) // 1024} MB"
    assert (after - before) * 1024 < 50 * MB, f"{(after - before) // 1024} MB kept"


async def test_a_transparent_canvas_over_the_decoding_budget_is_refused_before_decoding(cast):
    case = await cast.log_case("demo-grid")
    r = await cast.api["demo-grid"].put(
        f"/api/v1/disputes/{case['id']}/photos/{uuid.uuid4()}",
        content=big_png(7000, 7000, alpha=True),  # ~400 MB to shrink: over the budget
    )
    assert r.status_code == 422
