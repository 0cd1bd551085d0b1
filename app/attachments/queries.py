"""Read models of attachments. Scope is the case's: a photo of a case you cannot see is 404."""

from __future__ import annotations

import uuid
from typing import Any

from app.attachments.tables import Attachment
from app.auth.actor import Actor
from app.auth.scope import get_or_404
from app.disputes.tables import Dispute
from app.i18n import _


def photo_dict(row: dict[str, Any]) -> dict[str, Any]:
    dispute_id, photo_id = row["dispute"], row["id"]
    url = f"/disputes/{dispute_id}/photos/{photo_id}"
    created = row["created_at"]
    return {
        "id": str(photo_id),
        "dispute_id": str(dispute_id),
        "kind": row["kind"],
        "content_type": row["content_type"],
        "size": row["size"],
        "width": row["width"],
        "height": row["height"],
        "sha256": row["sha256"],
        "url": url,
        "thumb_url": f"{url}/thumb",
        "created_at": created.isoformat().replace("+00:00", "Z") if created else None,
    }


async def photos_of(actor: Actor, dispute_id: uuid.UUID) -> list[dict[str, Any]]:
    await get_or_404(Dispute, dispute_id, actor, Dispute.id)
    rows = await (
        Attachment.select()
        .where((Attachment.dispute == dispute_id) & (Attachment.kind == "photo"))
        .order_by(Attachment.created_at)
        .order_by(Attachment.id)
    )
    return [photo_dict(r) for r in rows]


async def get_photo(actor: Actor, dispute_id: uuid.UUID, photo_id: uuid.UUID) -> dict[str, Any]:
    """The photo's row, if the actor can see its case; otherwise 404."""
    await get_or_404(Dispute, dispute_id, actor, Dispute.id)
    row = (
        await Attachment.select()
        .where((Attachment.id == photo_id) & (Attachment.dispute == dispute_id))
        .first()
    )
    if row is None:
        from litestar.exceptions import NotFoundException

        raise NotFoundException(_("Not found."))
    return row
