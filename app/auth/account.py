"""The signed-in user's own account: which routine notices they want, and changing the
password (forced after a reset).

A change needs the current password (a borrowed, still-open phone is not enough), follows the
password policy, ends every login of the user, and gives this browser a new session id (or
this API client a new token).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.params import FromQuery, JSONBody, URLEncodedBody
from litestar.response import Redirect, Template

from app.auth import sessions, throttle
from app.auth.actor import Actor
from app.auth.guards import signed_in
from app.auth.passwords import hash_password, password_problem, verify_password
from app.auth.routes import Throttled, client_address, me_dict, safe_next, session_cookie
from app.auth.tables import User
from app.disputes.errors import FieldErrors
from app.i18n import _
from app.notify import choices
from app.openapi import problem_responses
from app.web import problem, render


async def check_change(
    actor: Actor, current: str, new: str, confirm: str | None, address: str | None
) -> dict[str, str]:
    """Field errors of a password change, empty when it may go ahead. Wrong current passwords
    count towards sign-in throttling, so the form is no way around it."""
    if wait := await throttle.retry_after(actor.username, address):
        raise Throttled(wait)
    row = await User.select(User.password_hash).where(User.id == actor.id).first()
    errors: dict[str, str] = {}
    if row is None or not verify_password(row["password_hash"], current):
        await throttle.record_failure(actor.username, address)
        errors["current_password"] = _("The current password is wrong.")
    if problem_text := password_problem(new, actor.username):
        errors["new_password"] = problem_text
    elif new == current:
        errors["new_password"] = _("Choose a password different from the current one.")
    elif confirm is not None and confirm != new:
        errors["confirm_password"] = _("The two new passwords differ.")
    return errors


async def apply_change(actor: Actor, new: str, kind: str) -> str:
    """Store the new password, end every login of the user and start a fresh one."""
    await User.update(
        {User.password_hash: hash_password(new), User.must_change_password: False}
    ).where(User.id == actor.id)
    await sessions.end_all(actor.id)
    return await sessions.start(actor.id, kind)


@get("/account", guards=[signed_in], include_in_schema=False)
async def account_page(request: Request, saved: FromQuery[int] = 0) -> Template:
    """The topics of routine notices the person's role may choose, each on unless turned off."""
    off = await choices.turned_off(request.user.id)
    topics = [
        {"code": t.code, "label": t.label, "help": t.help, "on": t.code not in off}
        for t in choices.for_role(request.user.role)
    ]
    return render(request, "auth/account.html", topics=topics, saved=bool(saved))


@post("/account/notifications", guards=[signed_in], include_in_schema=False)
async def notifications_submit(request: Request) -> Redirect:
    """A ticked box is a topic wanted; an unticked one is off (a form sends only the ticked)."""
    form = await request.form()
    await choices.save(request.user.id, request.user.role, form.getall("topics"))
    return Redirect(path="/account?saved=1", status_code=303)


@get("/account/password", guards=[signed_in], include_in_schema=False)
async def password_page(request: Request, next: FromQuery[str | None] = None) -> Template:
    return render(request, "auth/change_password.html", next=safe_next(next), errors={})


@post("/account/password", guards=[signed_in], include_in_schema=False)
async def password_submit(request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
    target = safe_next(str(data.get("next") or "/"))
    current = str(data.get("current_password", ""))
    new = str(data.get("new_password", ""))
    try:
        errors = await check_change(
            request.user,
            current,
            new,
            str(data.get("confirm_password", "")),
            client_address(request),
        )
    except Throttled as throttled:
        errors = {"current_password": throttled.message}
        page = render(
            request, "auth/change_password.html", status_code=429, next=target, errors=errors
        )
        page.headers["Retry-After"] = str(throttled.seconds)
        return page
    if errors:
        return render(
            request, "auth/change_password.html", status_code=422, next=target, errors=errors
        )
    secret = await apply_change(request.user, new, "web")
    return Redirect(path=target, cookies=[session_cookie(secret)], status_code=303)


@dataclass
class PasswordChangeIn:
    current_password: str
    new_password: str


@post(
    "/api/v1/account/password",
    guards=[signed_in],
    status_code=200,
    tags=["auth"],
    responses=problem_responses(429),
)
async def api_password(request: Request, data: JSONBody[PasswordChangeIn]) -> Response:
    """Change your password. Every login of yours ends, this token included: the answer
    carries a new token."""
    try:
        errors = await check_change(
            request.user, data.current_password, data.new_password, None, client_address(request)
        )
    except Throttled as throttled:
        answer = problem(429, throttled.message, retry_after=throttled.seconds)
        answer.headers["Retry-After"] = str(throttled.seconds)
        return answer
    if errors:
        raise FieldErrors(errors)
    token = await apply_change(request.user, data.new_password, "api")
    actor = await sessions.resolve(token, "api")
    assert actor is not None
    body = {"token": token, "token_type": "bearer", "user": await me_dict(actor)}
    return Response(body, headers={"Cache-Control": "no-store"})


router = Router(
    path="/",
    route_handlers=[
        account_page,
        notifications_submit,
        password_page,
        password_submit,
        api_password,
    ],
)
