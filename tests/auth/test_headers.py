"""Security headers on every answer: every GET route the app has, asked by every demo role (and
by nobody), with demo objects for the ids in its path."""

from __future__ import annotations

import re
import uuid
from dataclasses import replace

import httpx
import pytest

from app.main import create_app
from app.monitoring.tables import Alert, Report
from app.sessions.tables import Juror, MediationSession, Room
from app.settings import get_settings
from tests.support.cast import USERNAMES

PARAM = re.compile(r"\{(\w+):[^}]+\}")
UNCACHED_OK = ("/static/", "/sw.js", "/manifest.webmanifest")
# pages that show parties, jurors or users, or a case's story
PERSONAL = ("/disputes/", "/sessions/", "/jurors", "/admin/", "/account/", "/notifications")


def get_paths(app) -> list[str]:
    paths = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if "GET" in handler.http_methods and route.path not in paths:
                paths.append(route.path)
    return paths


async def _first_id(table) -> int:
    row = await table.select(table.id).order_by(table.id).first()
    return row["id"] if row else 1


@pytest.fixture
async def demo_ids(cast) -> dict[str, str]:
    case = await cast.log_case()
    return {
        "dispute_id": case["id"],
        "device_id": str(uuid.uuid4()),
        "photo_id": str(uuid.uuid4()),
        "user_id": str(cast.me["demo-village"]["id"]),
        "node_id": str(cast.me["demo-grid"]["jurisdiction"]["id"]),
        "room_id": str(await _first_id(Room)),
        "juror_id": str(await _first_id(Juror)),
        "session_id": str(await _first_id(MediationSession)),
        "alert_id": str(await _first_id(Alert)),
        "report_id": str(await _first_id(Report)),
        "code": "en",
        "fmt": "csv",
        "token": "not-a-feed",
        "file_path": "css/app.css",
        "path": "openapi.json",
        "request_id": "BY-1.json",
        "import_id": "1",
    }


def assert_secure(path: str, r: httpx.Response, signed_in: bool) -> bool:
    """The headers of one answer; True when it was an HTML page."""
    where = f"{r.request.method} {path} -> {r.status_code}"
    assert r.headers.get("x-content-type-options") == "nosniff", where
    assert r.headers.get("referrer-policy") == "same-origin", where
    html = r.headers.get("content-type", "").startswith("text/html")
    if html:
        csp = r.headers.get("content-security-policy", "")
        directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in csp.split(";") if d.strip())
        assert "'unsafe-inline'" not in directives.get("script-src", "unsafe"), where
        assert directives.get("script-src") == "'self'", where
        assert directives.get("object-src") == "'none'", where
        assert directives.get("base-uri") == "'none'", where
        assert directives.get("frame-ancestors") == "'none'", where
    if signed_in and not path.startswith(UNCACHED_OK):
        cache = r.headers.get("cache-control", "")
        if not html or (path.startswith(PERSONAL) and path != "/disputes/new"):
            # API answers and pages that show people are never stored (a case photo may stay
            # on the user's own phone: private)
            assert cache == "no-store" or cache.startswith("private, max-age"), where
        else:
            # lists and forms may stay on the user's own phone for offline use, never shared
            assert cache in ("private, no-cache", "no-store"), where
    assert "strict-transport-security" not in r.headers, where
    return html


@pytest.mark.parametrize("username", [None, *USERNAMES])
async def test_every_get_route_carries_the_security_headers(app, cast, demo_ids, username):
    client = (await cast.browser(username)).http if username else (await cast.browser()).http
    pages = 0
    for template in get_paths(app):
        path = PARAM.sub(lambda m: demo_ids[m.group(1)], template)
        r = await client.get(path)
        pages += assert_secure(path, r, signed_in=username is not None)
    # the walk reached real pages, not only redirects to the login page
    assert pages >= (30 if username else 4)  # signed out: sign-in, offline, outbox, …


async def test_api_answers_to_a_token_are_never_stored(cast):
    for path in ("/api/v1/me", "/api/v1/disputes", "/api/v1/session", "/api/v1/categories"):
        r = await cast.api["demo-village"].get(path)
        assert r.status_code == 200 and r.headers["cache-control"] == "no-store", path


async def test_https_adds_hsts_and_secure_cookies(monkeypatch):
    from app import db

    secure = replace(get_settings(), https=True)
    monkeypatch.setattr("app.auth.routes.get_settings", lambda: secure)
    app = create_app(secure, run_scheduler=False)
    await db.start(pool_size=2)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="https://testserver",
            follow_redirects=False,
        ) as c:
            page = await c.get("/login")
            assert page.headers["strict-transport-security"].startswith("max-age=31536000")
            assert "secure" in page.headers["set-cookie"].lower()  # the CSRF cookie
            token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
            r = await c.post(
                "/login",
                data={
                    "username": "demo-grid",
                    "password": "pingli-demo-2026",
                    "_csrf_token": token,
                },
            )
            assert r.status_code == 302
            cookie = next(
                v for k, v in r.headers.multi_items() if k == "set-cookie" and "pingli_session" in v
            )
            assert {"secure", "httponly", "samesite=lax"} <= {
                p.strip().lower() for p in cookie.split(";")
            }
    finally:
        await db.stop()


async def test_plain_http_has_no_hsts_and_no_secure_flag(client):
    page = await client.get("/login")
    assert "strict-transport-security" not in page.headers
    assert "secure" not in page.headers["set-cookie"].lower()


async def test_errors_carry_the_security_headers_too(monkeypatch):
    """404 for an unknown path and for a path of the wrong type, 405, the CSRF 403 and a 500:
    raised before any route's middleware runs, or by it."""
    from app import db

    secure = replace(get_settings(), https=True)
    app = create_app(secure, run_scheduler=False)

    async def boom(*args, **kwargs):
        raise RuntimeError("the disk is gone")

    monkeypatch.setattr("app.auth.sessions.resolve", boom)
    await db.start(pool_size=2)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
            base_url="https://testserver",
        ) as c:
            answers = {
                "unknown path": await c.get("/no-such-page"),
                "unknown API path": await c.get("/api/v1/no-such-thing"),
                "path of the wrong type": await c.get("/disputes/not-a-uuid/file"),
                "wrong method": await c.delete("/login"),
                "CSRF refusal": await c.post("/login", data={"username": "x", "password": "y"}),
                "server error": await c.get("/disputes", cookies={"pingli_session": "x"}),
            }
    finally:
        await db.stop()
    codes = {name: r.status_code for name, r in answers.items()}
    assert codes == {
        "unknown path": 404,
        "unknown API path": 404,
        "path of the wrong type": 404,
        "wrong method": 405,
        "CSRF refusal": 403,
        "server error": 500,
    }
    for name, r in answers.items():
        assert r.headers.get("x-content-type-options") == "nosniff", name
        assert r.headers.get("referrer-policy") == "same-origin", name
        assert r.headers.get("x-frame-options") == "DENY", name
        assert "frame-ancestors 'none'" in r.headers.get("content-security-policy", ""), name
        assert r.headers.get("strict-transport-security", "").startswith("max-age="), name
