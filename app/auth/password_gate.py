"""A user whose password was reset must choose their own before doing anything else.

Run before every route handler (the app's before_request): while `must_change_password` is
set, pages redirect to the change-password page and the API answers 403 with a problem that
says why. What stays open: changing the password, signing out, and what carries no data.
`/api/v1/session` stays closed on purpose: the offline outbox asks it before sending, and an
answer that is not 200 makes it wait (nothing it holds is refused) until the password is changed.
"""

from __future__ import annotations

from urllib.parse import quote

from litestar import Request, Response
from litestar.response import Redirect

from app.i18n import _
from app.web import is_api, problem

CHANGE_PAGE = "/account/password"
OPEN_PATHS = frozenset(
    {
        CHANGE_PAGE,
        "/api/v1/account/password",
        "/logout",
        "/api/v1/auth/logout",
        "/api/v1/me",
        "/login",
        "/offline",
        "/outbox",
        "/sw.js",
        "/manifest.webmanifest",
        "/healthz",
    }
)
OPEN_PREFIXES = ("/static/", "/lang/")


def message() -> str:
    return _(
        "Your password was reset: choose a new one first, on the change-password page "
        "(/account/password) or with POST /api/v1/account/password."
    )


async def password_gate(request: Request) -> Response | None:
    actor = request.scope.get("user")
    if actor is None or not actor.must_change_password:
        return None
    path = request.url.path
    if path in OPEN_PATHS or path.startswith(OPEN_PREFIXES):
        return None
    if is_api(request):
        return problem(403, message(), code="password_change_required")
    if request.headers.get("hx-request") == "true":
        return Response(b"", status_code=403, headers={"HX-Redirect": CHANGE_PAGE})
    target = path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(path=f"{CHANGE_PAGE}?next={quote(target, safe='/')}", status_code=303)
