"""Accounts made for one test (the demo cast's logins are shared by the whole run, so tests
that end, lock or change logins use their own users), and clients from chosen addresses."""

from __future__ import annotations

import re
import uuid
from dataclasses import replace

import httpx
import pytest

from app import clock
from app.auth.passwords import hash_password
from app.auth.tables import User
from app.settings import get_settings

PASSWORD = "lantern-orchard-42"
CSRF_RE = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def make_user(
    jurisdiction_id: int, role: str = "grid_worker", password: str = PASSWORD, **extra
) -> dict:
    username = f"t-{uuid.uuid4().hex[:10]}"
    rows = await User.insert(
        User(
            username=username,
            display_name=f"测试 {username}",
            role=role,
            jurisdiction=jurisdiction_id,
            password_hash=hash_password(password),
            **extra,
        )
    ).returning(User.id)
    return {"id": rows[0]["id"], "username": username, "password": password}


class Client:
    """A browser-like client from one address: signs in through the form, keeps cookies."""

    def __init__(self, app, address: str = "127.0.0.1"):
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=(address, 40000)),
            base_url="http://testserver",
            follow_redirects=False,
        )
        self.csrf = ""

    async def sign_in(self, username: str, password: str = PASSWORD) -> httpx.Response:
        page = await self.http.get("/login")
        found = CSRF_RE.search(page.text)
        self.csrf = found.group(1) if found else await self._login_csrf()
        answer = await self.http.post(
            "/login",
            data={
                "username": username,
                "password": password,
                "next": "/",
                "_csrf_token": self.csrf,
            },
        )
        if answer.status_code in (302, 303):
            await self._login_csrf()
        return answer

    async def _login_csrf(self) -> str:
        """The CSRF token is bound to the login: read it from a page of this one."""
        page = await self.http.get("/account/password")
        found = CSRF_RE.search(page.text)
        self.csrf = found.group(1) if found else ""
        return self.csrf

    async def api_login(self, username: str, password: str = PASSWORD) -> httpx.Response:
        return await self.http.post(
            "/api/v1/auth/login", json={"username": username, "password": password}
        )

    async def post_form(self, url: str, data: dict) -> httpx.Response:
        return await self.http.post(url, data=data | {"_csrf_token": self.csrf})

    @property
    def session(self) -> str | None:
        return self.http.cookies.get("pingli_session")


@pytest.fixture
async def clients(app):
    made: list[Client] = []

    def make(address: str = "127.0.0.1") -> Client:
        made.append(Client(app, address))
        return made[-1]

    yield make
    for c in made:
        await c.http.aclose()


@pytest.fixture
def set_clock(monkeypatch):
    """Freeze the app's clock at a moment the test moves."""
    state = {"now": clock.now()}
    monkeypatch.setattr(clock, "now", lambda: state["now"])

    def move(**delta):
        from datetime import timedelta

        state["now"] += timedelta(**delta)
        return state["now"]

    return move


@pytest.fixture
def patch_settings(monkeypatch):
    """Run with some settings changed, as if set in the environment."""

    def patch(**changes):
        changed = replace(get_settings(), **changes)
        for module in ("app.auth.throttle", "app.auth.sessions", "app.auth.routes"):
            monkeypatch.setattr(f"{module}.get_settings", lambda: changed)
        return changed

    return patch
