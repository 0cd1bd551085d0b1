"""Photo bytes in, a clean JPEG out.

The type is decided by the file's first bytes, never by the Content-Type header or the file
name. Every photo is decoded and re-encoded: that drops EXIF (with the GPS position of the
phone, often a party's home), XMP and ICC data, bakes the EXIF orientation into the pixels,
caps the size, and means no byte the client chose is ever served back.

Memory: a 140 KB PNG can claim a 7000×7000 canvas, ~200 MB once decoded (Pillow keeps 4 bytes
a pixel for RGB too). So the canvas is checked before decoding (pixels and bytes), a JPEG is
decoded at a fraction of its size (`draft`: the DCT scales it while decoding), the decoded
canvas is shrunk in place before anything else is made of it (no full-size copy for the EXIF
orientation), and `recode` runs one photo at a time per process, on its own thread, handing the
memory back to the system afterwards (large blocks are mapped and unmapped, not kept in
malloc's arenas).
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIDE = 1600  # the phone resizes to this already; a no-JS upload is resized here
THUMB_SIDE = 320
# A phone camera's full-size photo is 12 to 50 MP; refuse a larger canvas before decoding (a
# tiny file can claim a gigapixel one).
MAX_PIXELS = 50_000_000
# The decoded canvas at most (after a JPEG's draft), with the copy an alpha channel needs: a
# 7000×7000 RGB PNG just fits (a transparent one of 5000×5000), and with one photo at a time
# this is about what uploads can add to the process's memory.
DECODE_BUDGET_BYTES = 200_000_000
PHOTO_WORKERS = 1  # photos decoded at once per process; the others wait their turn
JPEG_QUALITY = 82
THUMB_QUALITY = 70
# Shrink by whole steps first (a box filter, cheap, and the big canvas goes at once), then
# resample the last step of at most this factor with Lanczos.
REDUCING_GAP = 1.0

# content type -> Pillow format name
ACCEPTED = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


class UnsupportedImage(Exception):
    """Not a JPEG, PNG or WebP by its content."""


class BadImage(Exception):
    """It claims to be one, but cannot be decoded, or is absurdly large."""


@dataclass(frozen=True)
class Encoded:
    photo: bytes
    thumb: bytes
    width: int
    height: int


def sniff(data: bytes) -> str | None:
    """The content type by magic number: JPEG, PNG or WebP, else None."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _working_bytes(image: Image.Image) -> int:
    """What decoding and shrinking `image` takes at its peak: the canvas (RGB is kept as RGBX,
    4 bytes a pixel), twice over with an alpha channel (Pillow shrinks a premultiplied copy)."""
    mode = image.mode
    per_pixel = 1 if mode in ("1", "L", "P") else 2 if mode.startswith("I;16") else 4
    copies = 2 if mode in ("LA", "RGBA", "PA") else 1
    return image.width * image.height * per_pixel * copies


def reencode(data: bytes) -> Encoded:
    """Decode and re-encode as JPEG without metadata, plus a thumbnail. CPU- and memory-bound:
    call it through `recode`, which runs it off the event loop, one at a time."""
    kind = sniff(data)
    if kind is None:
        raise UnsupportedImage()
    try:
        with Image.open(io.BytesIO(data), formats=[ACCEPTED[kind]]) as source:
            if source.width * source.height > MAX_PIXELS:
                raise BadImage()
            # a JPEG decodes at 1/2, 1/4 or 1/8 when that still leaves twice the size kept
            source.draft("RGB" if source.mode == "RGB" else None, (2 * MAX_SIDE, 2 * MAX_SIDE))
            if _working_bytes(source) > DECODE_BUDGET_BYTES:
                raise BadImage()
            # shrink in place first: the full-size canvas is dropped as soon as it is decoded,
            # and the orientation is applied to the small one (exif_transpose copies)
            source.thumbnail(
                (MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS, reducing_gap=REDUCING_GAP
            )
            source.load()
            oriented = ImageOps.exif_transpose(source)
            photo = _flatten(oriented)
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        raise BadImage() from exc
    thumb = photo.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    return Encoded(
        photo=_jpeg(photo, JPEG_QUALITY),
        thumb=_jpeg(thumb, THUMB_QUALITY),
        width=photo.width,
        height=photo.height,
    )


def _flatten(image: Image.Image) -> Image.Image:
    """A fresh RGB image holding only the pixels: no info dict, no EXIF, no profiles.
    Transparency (PNG, WebP) is laid on white."""
    clean = Image.new("RGB", image.size, (255, 255, 255))
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        clean.paste(rgba, mask=rgba.getchannel("A"))
    else:
        clean.paste(image.convert("RGB"))
    return clean


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


# ---- one at a time, and the memory given back -------------------------------------------------

_POOL = ThreadPoolExecutor(max_workers=PHOTO_WORKERS, thread_name_prefix="photo")


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        if libc is not None:
            libc.malloc_trim  # noqa: B018  (glibc only)
            libc.mallopt  # noqa: B018
        return libc
    except (OSError, AttributeError):
        return None


_LIBC = _libc()
M_MMAP_THRESHOLD = -3
if _LIBC is not None:
    # Blocks of 1 MB or more (Pillow allocates a canvas in 16 MB blocks) are mapped on their
    # own and unmapped when freed. Without this glibc raises the threshold after the first
    # free and keeps later canvases in its arenas: eight big photos left the process at 2.4 GB.
    _LIBC.mallopt(M_MMAP_THRESHOLD, 1024 * 1024)


def _reencode_and_give_back(data: bytes) -> Encoded:
    try:
        return reencode(data)
    finally:
        if _LIBC is not None:
            _LIBC.malloc_trim(0)


async def recode(data: bytes) -> Encoded:
    """`reencode` on the photo thread: off the event loop, one photo at a time per process
    (PHOTO_WORKERS), and whatever it took handed back to the system afterwards."""
    return await asyncio.get_running_loop().run_in_executor(_POOL, _reencode_and_give_back, data)
