"""Photos as a phone camera writes them: JPEG with EXIF, GPS position and orientation."""

from __future__ import annotations

import io

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def camera_jpeg(
    width: int = 640, height: int = 480, *, gps: bool = True, orientation: int | None = None
) -> bytes:
    """A JPEG whose EXIF says where it was taken (a party's courtyard, say) and by what."""
    image = Image.new("RGB", (width, height), (200, 120, 60))
    for x in range(0, width, 40):  # some structure, so it is not a flat colour
        image.paste((40, 90, 160), (x, 0, x + 20, height // 2))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Cheap Phone 1"  # Model
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        exif[GPS_IFD] = {
            1: "N",
            2: (32.0, 43.0, 12.5),
            3: "E",
            4: (113.0, 19.0, 30.25),
        }
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def png_with_alpha(width: int = 64, height: int = 48) -> bytes:
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    image.paste((255, 0, 0, 255), (0, 0, width // 2, height))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def webp(width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 200, 10)).save(out, "WEBP")
    return out.getvalue()


def big_png(width: int = 7000, height: int = 7000, *, alpha: bool = False) -> bytes:
    """A PNG of a huge canvas in a small file (~140 KB for 7000×7000): what a hostile (or
    careless) upload looks like. Made without the canvas: one band of rows is deflated (a full
    flush makes the piece stand alone) and repeated."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    bands = 4 if alpha else 3
    header = struct.pack(">IIBBBBB", width, height, 8, 6 if alpha else 2, 0, 0, 0)
    row = b"\0" + bytes([90, 140, 200, 255][:bands]) * width  # filter byte, then the pixels
    step = 50
    deflated, checksum, pieces = [], 1, {}
    for rows in [step] * (height // step) + ([height % step] if height % step else []):
        band = row * rows
        if rows not in pieces:
            squeeze = zlib.compressobj(6, zlib.DEFLATED, -15)
            pieces[rows] = squeeze.compress(band) + squeeze.flush(zlib.Z_FULL_FLUSH)
        deflated.append(pieces[rows])
        checksum = zlib.adler32(band, checksum)
    stream = (
        b"\x78\x9c"
        + b"".join(deflated)
        + zlib.compressobj(6, zlib.DEFLATED, -15).flush()  # the final, empty block
        + struct.pack(">I", checksum)
    )
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", stream) + chunk(b"IEND", b"")
    )
