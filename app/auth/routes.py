"""Signing in and out: the login page, the API token, the language switch, /api/v1/me."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from litestar import Request, Response, Router, get, post
from litestar.datastructures import Cookie
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromPath, FromQuery, JSONBody, URLEncodedBody
from litestar.response import Redirect, Template

from app.auth import sessions, throttle
from app.auth.actor import Actor
from app.auth.guards import signed_in
from app.auth.passwords import verify_password
from app.i18n import LOCALES, _, ngettext
from app.jurisdictions.tables import Jurisdiction
from app.openapi import problem_responses
from app.settings import get_settings
from app.web import problem, render


def safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def session_cookie(value: str, max_age: int | None = None) -> Cookie:
    return Cookie(
        key=sessions.SESSION_COOKIE,
        value=value,
        httponly=True,
        samesite="lax",
        secure=get_settings().https,
        path="/",
        max_age=max_age,
    )


class Throttled(Exception):
    def __init__(self, seconds: int):
        self.seconds = seconds

    @property
    def message(self) -> str:
        minutes = max(1, -(-self.seconds // 60))
        return ngettext(
            "Too many failed sign-ins. Try again in %(num)s minute.",
            "Too many failed sign-ins. Try again in %(num)s minutes.",
            minutes,
        )


def client_address(request: Request) -> str | None:
    # behind a reverse proxy listed in PINGLI_TRUSTED_PROXIES, its X-Forwarded-For (app/main.py)
    return request.client.host if request.client else None


async def authenticate(username: str, password: str, address: str | None) -> dict | None:
    """The active user with this username and password, or None (the failure counted).
    Raises Throttled, without checking the password, while sign-in is paused."""
    username = (username or "").strip()[:64]
    if wait := await throttle.retry_after(username, address):
        raise Throttled(wait)
    user = await sessions.user_by_username(username) if username else None
    ok = verify_password(user["password_hash"] if user else None, password or "")
    if not ok or user is None or not user["active"]:
        await throttle.record_failure(username, address)
        return None
    await throttle.clear_pair(username, address)
    return user


@get("/login", sync_to_thread=False, include_in_schema=False)
def login_page(request: Request, next: FromQuery[str | None] = None) -> Template | Redirect:
    if request.scope.get("user") is not None:
        return Redirect(path="/")
    return render(request, "auth/login.html", next=safe_next(next), error=None, username="")


@post("/login", include_in_schema=False)
async def login_submit(request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
    username = str(data.get("username", ""))
    target = safe_next(str(data.get("next") or "/"))
    try:
        user = await authenticate(username, str(data.get("password", "")), client_address(request))
    except Throttled as throttled:
        page = render(
            request,
            "auth/login.html",
            status_code=429,
            next=target,
            username=username[:64],
            error=throttled.message,
        )
        page.headers["Retry-After"] = str(throttled.seconds)
        return page
    if user is None:
        return render(
            request,
            "auth/login.html",
            status_code=400,
            next=target,
            username=username[:64],
            error=_("Wrong username or password, or the account is disabled."),
        )
    secret = await sessions.start(
        user["id"], "web", replace=request.cookies.get(sessions.SESSION_COOKIE)
    )
    if user["must_change_password"]:
        target = "/account/password?next=" + quote(target, safe="/")
    return Redirect(path=target, cookies=[session_cookie(secret)])


@post("/logout", guards=[signed_in], include_in_schema=False)
async def logout(request: Request) -> Redirect:
    """Signs the user out of every browser (a phone left signed in elsewhere included).
    API tokens end with POST /api/v1/auth/logout, one at a time."""
    await sessions.end_all(request.user.id, kind="web")
    # The browser's HTTP cache may hold a case's photos (private, a week); the outbox lives in
    # IndexedDB ("storage"), which this leaves alone.
    return Redirect(
        path="/login",
        cookies=[session_cookie("", max_age=0)],
        headers={"Clear-Site-Data": '"cache"'},
    )


@get("/lang/{code:str}", sync_to_thread=False, include_in_schema=False)
def switch_language(code: FromPath[str], next: FromQuery[str | None] = None) -> Redirect:
    code = code if code in LOCALES else get_settings().default_locale
    return Redirect(
        path=safe_next(next),
        cookies=[
            Cookie(
                key="lang",
                value=code,
                max_age=365 * 86400,
                samesite="lax",
                path="/",
                httponly=True,
                secure=get_settings().https,
            )
        ],
    )


# ---- API -------------------------------------------------------------------------------


@dataclass
class LoginIn:
    username: str
    password: str


async def me_dict(actor: Actor) -> dict:
    node = (
        await Jurisdiction.select(Jurisdiction.code)
        .where(Jurisdiction.id == actor.jurisdiction_id)
        .first()
    )
    return {
        "id": actor.id,
        "username": actor.username,
        "display_name": actor.display_name,
        "role": actor.role,
        "jurisdiction": {
            "id": actor.jurisdiction_id,
            "name": actor.jurisdiction_name,
            "level": actor.level,
            "code": node["code"] if node else None,
        },
        "must_change_password": actor.must_change_password,
    }


@post(
    "/api/v1/auth/login",
    exclude_from_csrf=True,
    status_code=200,
    responses=problem_responses(429),
)
async def api_login(request: Request, data: JSONBody[LoginIn]) -> Response:
    try:
        user = await authenticate(data.username, data.password, client_address(request))
    except Throttled as throttled:
        answer = problem(429, throttled.message, retry_after=throttled.seconds)
        answer.headers["Retry-After"] = str(throttled.seconds)
        return answer
    if user is None:
        raise NotAuthorizedException(_("Wrong username or password, or the account is disabled."))
    token = await sessions.start(user["id"], "api")
    actor = await sessions.resolve(token, "api")
    assert actor is not None
    body = {"token": token, "token_type": "bearer", "user": await me_dict(actor)}
    return Response(body, headers={"Cache-Control": "no-store"})


@post("/api/v1/auth/logout", guards=[signed_in], status_code=204)
async def api_logout(request: Request) -> None:
    value = request.headers.get("authorization", "")
    if value[:7].lower() == "bearer ":
        await sessions.end(value[7:].strip())


@get("/api/v1/me", guards=[signed_in])
async def api_me(request: Request) -> dict:
    return await me_dict(request.user)


router = Router(
    path="/",
    route_handlers=[
        login_page,
        login_submit,
        logout,
        switch_language,
        api_login,
        api_logout,
        api_me,
    ],
    tags=["auth"],
)
