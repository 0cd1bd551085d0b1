"""Files a killed upload leaves behind (photo and thumbnail written, row never stored; a
half-written temporary file): `pingli check` lists them, the daily job removes those older
than a day, and never a photo a row points at."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

from app.attachments.services import uploads_dir
from app.scheduler import jobs
from app.settings import REPO_ROOT
from tests.support.photos import camera_jpeg

DAY = 24 * 3600


def _leave(path, age_seconds: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xff\xd8\xff" + b"\0" * 100)
    then = time.time() - age_seconds
    os.utime(path, (then, then))


async def test_orphan_photo_files_are_listed_and_the_daily_job_removes_the_old_ones(cast):
    case = await cast.log_case("demo-grid")
    kept = await cast.api["demo-grid"].put(
        f"/api/v1/disputes/{case['id']}/photos/{uuid.uuid4()}", content=camera_jpeg()
    )
    assert kept.status_code == 201
    folder = uploads_dir() / case["id"]
    real = sorted(p.name for p in folder.iterdir())
    assert len(real) == 2  # the photo and its thumbnail
    for name in real:  # old, but a row points at them
        os.utime(folder / name, (time.time() - 3 * DAY,) * 2)
    killed = f"{uuid.uuid4()}-{'0' * 16}"
    old = [folder / f"{killed}.jpg", folder / f"{killed}.thumb.jpg", folder / ".upload-x1y2"]
    fresh = folder / f"{uuid.uuid4()}-{'1' * 16}.jpg"  # maybe an upload under way
    for path in old:
        _leave(path, 2 * DAY)
    _leave(fresh, 60)

    checked = subprocess.run(
        [sys.executable, "-m", "app.cli", "check"],
        cwd=REPO_ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=300,
    )
    listed = checked.stdout
    for path in [*old, fresh]:
        assert f"uploads/{case['id']}/{path.name}" in listed, listed
    for name in real:
        assert name not in listed

    job = next(j for j in jobs() if j.name == "remove-orphan-photos")
    assert await job.func() == {"removed": 3}
    assert sorted(p.name for p in folder.iterdir()) == sorted([*real, fresh.name])
    assert await job.func() == {"removed": 0}  # idempotent
    served = await cast.api["demo-grid"].get(kept.json()["url"])
    assert served.status_code == 200
