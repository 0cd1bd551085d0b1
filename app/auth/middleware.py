"""Authentication and CSRF at the edge.

A request is authenticated by exactly one of: `Authorization: Bearer <token>` (integrations,
the offline sync) or the session cookie (the browser). A bearer request never looks at the
cookie, which is why it alone may skip the CSRF check.

The CSRF token of a signed-in browser is bound to its login: an HMAC, under the secret key, of
the session cookie's value. A token planted with a `csrftoken` cookie of the attacker's (a
sibling subdomain or plain HTTP can set one) therefore proves nothing; only a page of this
login holds the right one. Before signing in (the login form) the token is Litestar's
double-submit cookie, `__Host-csrftoken` under HTTPS so that no subdomain can plant it, and
HttpOnly: pages carry the token in the form or in `<body hx-headers>`, never read it from the
cookie.
"""

from __future__ import annotations

import hashlib
import hmac

from litestar import Request
from litestar.datastructures import Headers
from litestar.enums import RequestEncodingType
from litestar.exceptions import PermissionDeniedException
from litestar.middleware._utils import should_bypass_middleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from app.auth import sessions
from app.i18n import current_locale, negotiate
from app.settings import get_settings


def _bearer(headers: Headers) -> str | None:
    value = headers.get("authorization", "")
    if value[:7].lower() == "bearer ":
        return value[7:].strip() or None
    return None


def csrf_cookie_name(https: bool) -> str:
    return "__Host-csrftoken" if https else "csrftoken"


def session_csrf_token(secret_key: str, session_secret: str) -> str:
    """The CSRF token of one login (see the module's docstring)."""
    return hmac.new(
        secret_key.encode(), b"csrf\n" + session_secret.encode(), hashlib.sha256
    ).hexdigest()


# Reads no login and sets no cookie: a load balancer asks it many times a second, and these two
# middlewares cost it a third to a half of its throughput (issue #15).
UNAUTHENTICATED_PATHS = frozenset({"/healthz"})


class SessionBoundCSRFMiddleware(CSRFMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNAUTHENTICATED_PATHS:
            await self.app(scope, receive, send)
            return
        headers = Headers.from_scope(scope)
        session_secret = _cookies(headers).get(sessions.SESSION_COOKIE)
        if _bearer(headers) is not None:
            await self.app(scope, receive, send)
            return
        if not session_secret:  # signed out: the double-submit cookie
            await super().__call__(scope, receive, send)
            return
        if should_bypass_middleware(
            scope=scope,
            scopes=self.scopes,
            exclude_opt_key=self.config.exclude_from_csrf_key,
            exclude_path_pattern=self.exclude,
        ):
            await self.app(scope, receive, send)
            return
        expected = session_csrf_token(self.config.secret, session_secret)
        state = ScopeState.from_scope(scope)
        request: Request = scope["litestar_app"].request_class(scope=scope, receive=receive)
        if request.method in self.config.safe_methods:
            state.csrf_token = expected
            await self.app(scope, receive, send)
            return
        sent = request.headers.get(self.config.header_name)
        content_type, _params = request.content_type
        if not sent and content_type in (
            RequestEncodingType.URL_ENCODED,
            RequestEncodingType.MULTI_PART,
        ):
            sent = (await request.form()).get("_csrf_token")
        if not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
            raise PermissionDeniedException("CSRF token verification failed")
        state.csrf_token = expected
        await self.app(scope, receive, send)


def auth_middleware_factory(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await app(scope, receive, send)
            return
        if scope["path"] in UNAUTHENTICATED_PATHS:
            scope["user"] = None
            scope["auth"] = "cookie"
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
