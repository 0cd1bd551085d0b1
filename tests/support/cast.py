"""The demo cast, as in the README: who they are and clients signed in as them.

demo-grid logs cases in grid G of village V of township T; demo-village mediates V;
demo-township officers T; demo-county and demo-admin see the county; demo-grid-2 patrols a
grid in another township and must see nothing of T.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from app.auth.tables import LoginSession
from app.seed.demo import DEMO_PASSWORD, DEMO_USERS

USERNAMES = [u.username for u in DEMO_USERS]
CSRF_RE = re.compile(r'name="_csrf_token" value="([^"]+)"')


class Browser:
    """A cookie-carrying client that signs in through the login form, like a person."""

    def __init__(self, app: Any):
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://testserver",
            follow_redirects=False,
        )
        self.csrf = ""

    async def sign_in(self, username: str, password: str = DEMO_PASSWORD) -> httpx.Response:
        page = await self.http.get("/login")
        found = CSRF_RE.search(page.text)
        # signed in already, /login redirects: a page of this login holds its token
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

    async def get(self, url: str, **kw) -> httpx.Response:
        return await self.http.get(url, **kw)

    async def post_form(self, url: str, data: dict, htmx: bool = False) -> httpx.Response:
        headers = {"x-csrftoken": self.csrf}
        if htmx:
            headers["hx-request"] = "true"
        return await self.http.post(url, data=data, headers=headers)


class Cast:
    # Each member signs in through the API once per test run: a token is a database row that
    # outlives the test, and argon2 makes every sign-in cost a few hundred milliseconds.
    _signed_in: dict[str, tuple[str, dict]] = {}

    def __init__(self, app: Any):
        self.app = app
        self.api: dict[str, httpx.AsyncClient] = {}
        self.me: dict[str, dict] = {}
        self._browsers: list[Browser] = []

    async def __aenter__(self) -> Cast:
        for username in USERNAMES:
            client = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=self.app), base_url="http://testserver"
            )
            if username not in Cast._signed_in:
                r = await client.post(
                    "/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD}
                )
                assert r.status_code == 200, r.text
                Cast._signed_in[username] = (r.json()["token"], r.json()["user"])
                # shared by every test of the run, some of which move the app's clock weeks
                # ahead (sessions, reminders): the token must not lapse under them
                await LoginSession.update(
                    {LoginSession.expires_at: datetime(2100, 1, 1, tzinfo=UTC)}
                ).where(
                    LoginSession.token_hash
                    == hashlib.sha256(r.json()["token"].encode()).hexdigest()
                )
            token, me = Cast._signed_in[username]
            client.headers["Authorization"] = f"Bearer {token}"
            self.api[username] = client
            self.me[username] = me
        return self

    async def __aexit__(self, *exc) -> None:
        for client in self.api.values():
            await client.aclose()
        for b in self._browsers:
            await b.http.aclose()

    async def browser(self, username: str | None = None) -> Browser:
        b = Browser(self.app)
        self._browsers.append(b)
        if username:
            r = await b.sign_in(username)
            assert r.status_code == 302, r.text
        return b

    async def log_case(self, username: str = "demo-grid", **fields) -> dict:
        """A case logged through the API, as the phone would."""
        body = {
            "id": str(uuid.uuid4()),
            "title": "邻居排水沟堵塞",
            "category": "neighbours",
        } | fields
        r = await self.api[username].post("/api/v1/disputes", json=body)
        assert r.status_code == 201, r.text
        return r.json()
