"""Photos of a case: the idempotent upload API the outbox uses, a plain form upload for phones
without JavaScript, and the scoped routes that serve the files."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Request, Response, Router, get, post, put
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import File, Redirect

from app.attachments import images, queries, services
from app.attachments.services import MAX_UPLOAD_BYTES, thumb_path, uploads_dir
from app.auth.actor import Actor
from app.auth.guards import signed_in
from app.disputes.errors import FieldErrors
from app.i18n import _
from app.openapi import RAW_BODY, REPLAYED

# The request may carry a little more than the photo (multipart framing, the CSRF field).
BODY_LIMIT = MAX_UPLOAD_BYTES + 64 * 1024


@put(
    "/api/v1/disputes/{dispute_id:uuid}/photos/{photo_id:uuid}",
    guards=[signed_in],
    request_max_body_size=BODY_LIMIT,
    status_code=201,
    tags=["attachments"],
    responses=REPLAYED,
    opt={RAW_BODY: sorted(images.ACCEPTED)},
)
async def put_photo(
    request: Request, dispute_id: FromPath[uuid.UUID], photo_id: FromPath[uuid.UUID]
) -> Response[dict[str, Any]]:
    """Upload photo `photo_id` (the phone's UUID) of a case: the raw JPEG, PNG or WebP bytes
    as the body. Repeating it with the same bytes answers the same (200); other bytes 409.

    The bytes decide, not the Content-Type: what is not a JPEG, PNG or WebP is 415; a picture
    over 50 megapixels or too large to decode within the memory budget, or a damaged one, is
    422 naming `photo`; more than PINGLI_MAX_UPLOAD_MB is 413."""
    created = await services.store_photo(request.user, dispute_id, photo_id, await request.body())
    body = queries.photo_dict(await queries.get_photo(request.user, dispute_id, photo_id))
    return Response(
        body, status_code=201 if created else 200, headers={"Cache-Control": "no-store"}
    )


@get("/api/v1/disputes/{dispute_id:uuid}/photos", guards=[signed_in], tags=["attachments"])
async def list_photos(
    request: Request, dispute_id: FromPath[uuid.UUID]
) -> Response[list[dict[str, Any]]]:
    return Response(
        await queries.photos_of(request.user, dispute_id), headers={"Cache-Control": "no-store"}
    )


@dataclass
class PhotoForm:
    photo: UploadFile
    photo_id: str = ""


@post(
    "/disputes/{dispute_id:uuid}/photos",
    guards=[signed_in],
    request_max_body_size=BODY_LIMIT,
    include_in_schema=False,
)
async def upload_form(
    request: Request,
    dispute_id: FromPath[uuid.UUID],
    data: Annotated[PhotoForm, Body(media_type=RequestEncodingType.MULTI_PART)],
) -> Redirect:
    """The case page's "add a photo" form, for phones without JavaScript. The form carries a
    photo id minted with the page, so submitting it twice stores one photo."""
    try:
        photo_id = uuid.UUID(data.photo_id) if data.photo_id else uuid.uuid4()
    except ValueError as exc:
        raise FieldErrors({"photo_id": _("Must be a UUID.")}) from exc
    await services.store_photo(request.user, dispute_id, photo_id, await data.photo.read())
    return Redirect(path=f"/disputes/{dispute_id}#photos")


async def _serve(actor: Actor, dispute_id: uuid.UUID, photo_id: uuid.UUID, thumb: bool) -> File:
    row = await queries.get_photo(actor, dispute_id, photo_id)
    relative = thumb_path(row["storage_path"]) if thumb else row["storage_path"]
    return File(
        path=uploads_dir() / relative,
        media_type=row["content_type"],
        content_disposition_type="inline",
        filename=f"{photo_id}{'-thumb' if thumb else ''}.jpg",
        # Personal data: the phone may keep it, shared caches may not. The bytes behind an id
        # never change, so the phone need not ask again for a week.
        headers={"Cache-Control": "private, max-age=604800"},
    )


@get(
    "/disputes/{dispute_id:uuid}/photos/{photo_id:uuid}",
    guards=[signed_in],
    include_in_schema=False,
)
async def photo_file(
    request: Request, dispute_id: FromPath[uuid.UUID], photo_id: FromPath[uuid.UUID]
) -> File:
    return await _serve(request.user, dispute_id, photo_id, thumb=False)


@get(
    "/disputes/{dispute_id:uuid}/photos/{photo_id:uuid}/thumb",
    guards=[signed_in],
    include_in_schema=False,
)
async def photo_thumb(
    request: Request, dispute_id: FromPath[uuid.UUID], photo_id: FromPath[uuid.UUID]
) -> File:
    return await _serve(request.user, dispute_id, photo_id, thumb=True)


router = Router(
    path="/",
    route_handlers=[put_photo, list_photos, upload_form, photo_file, photo_thumb],
)
