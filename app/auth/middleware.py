"""Authentication and CSRF at the edge.

A request is authenticated by exactly one of: `Authorization: Bearer <token>` (integrations,
the offline sync) or the session cookie (the browser). A bearer request never looks at the
cookie, which is why it alone may skip the CSRF check.
"""

from __future__ import annotations

from litestar.datastructures import Headers
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from app.auth import sessions
from app.i18n import current_locale, negotiate
from app.settings import get_settings


def _bearer(headers: Headers) -> str | None:
    value = headers.get("authorization", "")
    if value[:7].lower() == "bearer ":
        return value[7:].strip() or None
    return None


class BearerExemptCSRFMiddleware(CSRFMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _bearer(Headers.from_scope(scope)) is not None:
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def auth_middleware_factory(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await app(scope, receive, send)
            return
        headers = Headers.from_scope(scope)
        cookies = _cookies(headers)
        current_locale.set(
            negotiate(
                cookies.get("lang"), headers.get("accept-language"), get_settings().default_locale
            )
        )
        actor = None
        token = _bearer(headers)
        if token is not None:
            actor = await sessions.resolve(token, "api")
        elif secret := cookies.get(sessions.SESSION_COOKIE):
            actor = await sessions.resolve(secret, "web")
        scope["user"] = actor
        scope["auth"] = "bearer" if token is not None else "cookie"
        await app(scope, receive, send)

    return middleware


def _cookies(headers: Headers) -> dict[str, str]:
    from http.cookies import SimpleCookie

    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except Exception:  # a malformed cookie header is treated as no cookies
        return {}
    return {key: morsel.value for key, morsel in jar.items()}
