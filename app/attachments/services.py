"""The only writer of attachments: store a photo of a case, once."""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
import uuid
from pathlib import Path

from litestar.exceptions import HTTPException

from app import clock
from app.attachments import images
from app.attachments.tables import Attachment
from app.auth.actor import Actor
from app.auth.scope import get_or_404
from app.disputes.errors import Conflict, FieldErrors
from app.disputes.tables import Dispute
from app.i18n import _
from app.idempotency import create_once, is_replay
from app.settings import get_settings

# A phone sends a few hundred KB (it resizes first); a camera file sent without JavaScript is
# a few MB. Anything larger (PINGLI_MAX_UPLOAD_MB, default 12) is refused with 413 before it is
# decoded; the routes refuse the request body itself beyond it (app/attachments/routes.py).
MAX_UPLOAD_BYTES = get_settings().max_upload_mb * 1024 * 1024


def uploads_dir() -> Path:
    return get_settings().data_dir / "uploads"


def thumb_path(storage_path: str) -> str:
    return storage_path.removesuffix(".jpg") + ".thumb.jpg"


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file and rename: a reader (or a racing duplicate upload, which
    writes the very same bytes) never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


async def store_photo(
    actor: Actor, dispute_id: uuid.UUID, photo_id: uuid.UUID, data: bytes
) -> bool:
    """Attach `data` as photo `photo_id` of a case the actor can see. True when stored now;
    False when this id already holds these bytes for this case (a repeat)."""
    await get_or_404(Dispute, dispute_id, actor, Dispute.id)
    if len(data) > MAX_UPLOAD_BYTES:
        raise HTTPException(status_code=413, detail=_("The upload is too large."))
    if not data:
        raise FieldErrors({"photo": _("The file is empty.")})
    digest = hashlib.sha256(data).hexdigest()
    identity = {Attachment.sha256: digest, Attachment.dispute: dispute_id}
    conflict = _("A different photo was already stored with this id.")
    if await is_replay(Attachment, photo_id, identity, conflict):  # no need to decode it again
        return False
    try:
        encoded = await images.recode(data)
    except images.UnsupportedImage as exc:
        raise HTTPException(
            status_code=415, detail=_("Only JPEG, PNG or WebP photos can be uploaded.")
        ) from exc
    except images.BadImage as exc:
        raise FieldErrors({"photo": _("This image cannot be read, or it is too large.")}) from exc

    # Named after the uploaded bytes: a repeat writes the same file, a conflicting upload
    # writes another one (and removes it again below).
    storage_path = f"{dispute_id}/{photo_id}-{digest[:16]}.jpg"
    root = uploads_dir()
    await asyncio.to_thread(_write_atomically, root / storage_path, encoded.photo)
    await asyncio.to_thread(_write_atomically, root / thumb_path(storage_path), encoded.thumb)

    async def insert() -> None:
        await Attachment.insert(
            Attachment(
                id=photo_id,
                dispute=dispute_id,
                kind="photo",
                content_type="image/jpeg",
                size=len(encoded.photo),
                width=encoded.width,
                height=encoded.height,
                sha256=digest,
                storage_path=storage_path,
                created_by=actor.id,
                created_at=clock.now(),
            )
        )

    try:
        return await create_once(Attachment, photo_id, identity, insert, conflict)
    except Conflict:
        (root / storage_path).unlink(missing_ok=True)
        (root / thumb_path(storage_path)).unlink(missing_ok=True)
        raise
