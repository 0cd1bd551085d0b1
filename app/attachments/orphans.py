"""Photo files no attachment row points at: what a crash leaves behind.

An upload writes the photo and its thumbnail first and stores the row after (app/attachments/
services.py); a process killed in between (or mid-write: a `.upload-*` temporary file) leaves
files that nothing serves. `pingli check` lists them; the daily job `remove-orphan-photos`
deletes those older than a day (younger ones may belong to an upload still under way).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app import clock
from app.attachments.services import thumb_path, uploads_dir
from app.attachments.tables import Attachment

GRACE = timedelta(days=1)


@dataclass(frozen=True)
class Orphan:
    path: Path  # relative to the uploads folder
    modified: datetime


async def _referenced(folder: Path) -> set[str]:
    """The files of one case's folder that an attachment row points at (photo and thumb)."""
    try:
        dispute_id = uuid.UUID(folder.name)
    except ValueError:
        return set()
    rows = await Attachment.select(Attachment.storage_path).where(Attachment.dispute == dispute_id)
    return {p for r in rows for p in (r["storage_path"], thumb_path(r["storage_path"]))}


async def find(root: Path | None = None) -> list[Orphan]:
    """Every file under the uploads folder that no attachment row points at, oldest first."""
    root = root or uploads_dir()
    if not root.is_dir():
        return []
    found = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        kept = await _referenced(folder)
        for file in sorted(folder.iterdir()):
            relative = f"{folder.name}/{file.name}"
            if file.is_file() and relative not in kept:
                modified = datetime.fromtimestamp(file.stat().st_mtime, UTC)
                found.append(Orphan(Path(relative), modified))
    for file in root.iterdir():  # nothing is stored at the top level
        if file.is_file():
            found.append(Orphan(Path(file.name), datetime.fromtimestamp(file.stat().st_mtime, UTC)))
    return sorted(found, key=lambda o: o.modified)


async def remove_old(now: datetime | None = None, root: Path | None = None) -> dict[str, int]:
    """The daily job: delete the orphans older than a day. Running it again removes nothing
    more; a file a row points at is never touched (each is looked up again just before)."""
    now = now or clock.now()
    root = root or uploads_dir()
    removed = 0
    for orphan in await find(root):
        if now - orphan.modified < GRACE:
            continue
        path = root / orphan.path
        if len(orphan.path.parts) == 2 and str(orphan.path) in await _referenced(path.parent):
            continue  # stored since it was found
        path.unlink(missing_ok=True)
        removed += 1
    return {"removed": removed}
