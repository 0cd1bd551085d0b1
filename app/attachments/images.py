"""Photo bytes in, a clean JPEG out.

The type is decided by the file's first bytes, never by the Content-Type header or the file
name. Every photo is decoded and re-encoded: that drops EXIF (with the GPS position of the
phone, often a party's home), XMP and ICC data, bakes the EXIF orientation into the pixels,
caps the size, and means no byte the client chose is ever served back.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIDE = 1600  # the phone resizes to this already; a no-JS upload is resized here
THUMB_SIDE = 320
MAX_PIXELS = 50_000_000  # refuse before decoding: a tiny file can claim a gigapixel canvas
JPEG_QUALITY = 82
THUMB_QUALITY = 70

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


def reencode(data: bytes) -> Encoded:
    """Decode and re-encode as JPEG without metadata, plus a thumbnail. CPU-bound: run it in a
    thread."""
    kind = sniff(data)
    if kind is None:
        raise UnsupportedImage()
    try:
        with Image.open(io.BytesIO(data), formats=[ACCEPTED[kind]]) as source:
            if source.width * source.height > MAX_PIXELS:
                raise BadImage()
            oriented = ImageOps.exif_transpose(source)
            oriented.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
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
