"""Static files, served from memory with their fingerprint deciding how long they may be kept.

A URL carrying the file's current content hash (`/static/css/app.css?v=<hash>`, what
`static_url()` writes into every page) names bytes that can never change: it is served
`public, max-age=31536000, immutable`, so no browser or proxy asks again. The same path
without the hash, or with an old one, still answers with the current file but is kept for five
minutes only (an old page, a bookmark, a stylesheet someone typed by hand).

Bodies are compressed once per process, on their first request, and kept: brotli when the
browser accepts it (and the `brotli` package is installed), gzip otherwise. Litestar's
compression middleware, which compresses every answer anew, is skipped for this route.
Pages and API answers keep that middleware's gzip: brotli there would cost each request CPU
for a few percent of bytes.
"""

from __future__ import annotations

import gzip
import mimetypes
from functools import lru_cache

from litestar import Request, Response, route
from litestar.enums import HttpMethod
from litestar.exceptions import NotFoundException

from app.pwa import shell

try:  # optional: without it, gzip only
    import brotli
except ImportError:  # pragma: no cover - the project depends on it
    brotli = None

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"
COMPRESS_MIN = 500  # bytes; smaller bodies are sent as they are
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
SKIP_COMPRESSION = "static_precompressed"  # the opt key CompressionConfig excludes

mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("application/manifest+json", ".webmanifest")


@lru_cache(maxsize=256)
def _encoded(name: str, digest: str, encoding: str) -> bytes:
    """The body of `name` (at content hash `digest`) in `encoding`, computed once."""
    body = shell.current().bodies[name]
    if encoding == "br":
        return brotli.compress(body, quality=11)
    return gzip.compress(body, compresslevel=9, mtime=0)


def _media_type(name: str) -> str:
    guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if guessed.startswith("text/"):
        guessed += "; charset=utf-8"
    return guessed


def _encoding(request: Request, media_type: str, size: int) -> str | None:
    if size < COMPRESS_MIN or not media_type.startswith(COMPRESSIBLE):
        return None
    accepted = {
        part.split(";")[0].strip().lower()
        for part in request.headers.get("accept-encoding", "").split(",")
    }
    if brotli is not None and "br" in accepted:
        return "br"
    return "gzip" if "gzip" in accepted else None


@route(
    "/static/{file_path:path}",
    http_method=[HttpMethod.GET, HttpMethod.HEAD],
    sync_to_thread=False,
    include_in_schema=False,
    opt={SKIP_COMPRESSION: True},
)
def static_file(request: Request, file_path: str) -> Response[bytes]:
    current = shell.current()
    name = file_path.lstrip("/")
    body = current.bodies.get(name)
    if body is None:
        raise NotFoundException()
    digest = current.hashes[name]
    media_type = _media_type(name)
    etag = f'"{digest}"'
    headers = {
        "Cache-Control": IMMUTABLE if request.query_params.get("v") == digest else SHORT,
        "ETag": etag,
        "Vary": "Accept-Encoding",
    }
    if request.headers.get("if-none-match") == etag:
        return Response(b"", status_code=304, headers=headers)
    encoding = _encoding(request, media_type, len(body))
    if encoding is not None:
        body = _encoded(name, digest, encoding)
        headers["Content-Encoding"] = encoding
    if request.method == HttpMethod.HEAD:
        headers["Content-Length"] = str(len(body))
        body = b""
    return Response(body, media_type=media_type, headers=headers)
