"""Response headers every answer carries: CSP without inline scripts, no framing, no sniffing,
and `Cache-Control: no-store` on signed-in API answers and on pages that show people (see
`cache_control`)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

from app.settings import Settings

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


def tile_source(tile_url: str) -> str | None:
    """The CSP source of a tile URL template: its origin, with a `{s}` subdomain as `*`."""
    parts = urlsplit(tile_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    labels = parts.netloc.split(".")
    if "{" in labels[0]:
        labels[0] = "*"
    if any("{" in label for label in labels):
        return None
    return f"{parts.scheme}://{'.'.join(labels)}"


def content_security_policy(settings: Settings, sources: tuple[str, ...] = ()) -> str:
    """CSP, plus the tile servers in img-src: PINGLI_TILE_URL's, and `sources` (the base maps
    the counties chose, app/rules/basemap.py). Maps make no other outside request."""
    extra = set(sources)
    if settings.tile_url and (source := tile_source(settings.tile_url)) is not None:
        extra.add(source)
    if not extra:
        return CSP
    hosts = " ".join(sorted(extra))
    return CSP.replace("img-src 'self' data: blob:", f"img-src 'self' data: blob: {hosts}")


# Same for everybody, signed in or not: their own caching rules stand.
_PUBLIC_PREFIXES = ("/static/", "/sw.js", "/manifest.webmanifest")
# Signed-in pages that show people (parties, jurors, users) or what happened to them: never
# stored anywhere. Other pages (lists, forms, dashboards) may stay on the user's own phone for
# offline use (`private`, revalidated each time; signing out clears them), which field work
# needs: the capture form and the recently seen lists open with no signal.
_PERSONAL_PREFIXES = (
    "/disputes/",
    "/sessions/",
    "/jurors",
    "/admin/",
    "/account/",
    "/notifications",
)
_SHELL_PAGES = ("/disputes/new",)  # under /disputes/ but a blank form: kept for offline capture


def cache_control(path: str, signed_in: bool, current: str | None, html: bool) -> str | None:
    """The Cache-Control an answer leaves with (None: leave it as it is)."""
    if path.startswith(_PUBLIC_PREFIXES):
        return None
    if current and (current.startswith("private") or "no-store" in current):
        # a handler's own choice stands (a case photo: its bytes never change and only the
        # user's own device keeps them)
        return None
    if signed_in and (
        not html or (path.startswith(_PERSONAL_PREFIXES) and path not in _SHELL_PAGES)
    ):
        return "no-store"  # API answers carry personal data; so do the pages above
    if html and not current:
        return "private, no-cache"
    return None


def security_headers_hook(settings: Settings, tile_sources: Callable[[], list[str]] = list):
    """A `before_send` hook of the app, not a middleware: Litestar runs middleware only for a
    matched route, so a 404 for an unknown path, a 405 and errors raised by a middleware (the
    CSRF 403) would leave without these headers. The hook sees every answer. `tile_sources`
    names the tile hosts the counties' base maps use now (they change without a restart)."""
    policies: dict[tuple[str, ...], str] = {}

    def policy_for(sources: tuple[str, ...]) -> str:
        if sources not in policies:
            policies[sources] = content_security_policy(settings, sources)
        return policies[sources]

    async def hook(message: Message, scope: Scope) -> None:
        if scope["type"] != "http" or message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["X-Frame-Options"] = "DENY"
        headers["Content-Security-Policy"] = policy_for(tuple(tile_sources()))
        html = headers.get("content-type", "").startswith("text/html")
        policy = cache_control(
            scope["path"], scope.get("user") is not None, headers.get("cache-control"), html
        )
        if policy is not None:
            headers["Cache-Control"] = policy
        if settings.https:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"

    return hook
