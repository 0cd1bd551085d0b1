"""Every unsafe request authenticated by the session cookie needs the CSRF token: forms, htmx,
the JSON API and the offline outbox's sync. A request with a bearer token is authenticated by
that token alone (the cookie is not read), and only such a request goes without the token."""

from __future__ import annotations

import re
import uuid
from dataclasses import replace

import httpx
import pytest

from app.settings import get_settings
from tests.auth.conftest import CSRF_RE, make_user


@pytest.fixture
async def browser(cast, clients):
    user = await make_user(cast.me["demo-grid"]["jurisdiction"]["id"])
    c = clients()
    assert (await c.sign_in(user["username"])).status_code == 302
    c.user = user
    return c


def case_body() -> dict:
    return {"id": str(uuid.uuid4()), "title": "水渠纠纷", "category": "neighbours"}


async def test_a_form_without_the_token_is_refused_and_changes_nothing(browser):
    r = await browser.http.post("/logout", data={})
    assert r.status_code == 403 and "表单已过期" in r.text
    assert (await browser.http.get("/")).status_code == 200  # still signed in
    r = await browser.http.post("/logout", data={"_csrf_token": "forged-token"})
    assert r.status_code == 403


async def test_an_htmx_request_without_the_token_is_refused(browser):
    r = await browser.http.post("/notifications/read", headers={"hx-request": "true"})
    assert r.status_code == 403 and r.headers.get("hx-retarget") == "#flash"
    ok = await browser.http.post(
        "/notifications/read", headers={"hx-request": "true", "x-csrftoken": browser.csrf}
    )
    assert ok.status_code in (200, 303)


async def test_the_json_api_with_the_cookie_needs_the_token(browser):
    body = case_body()
    r = await browser.http.post("/api/v1/disputes", json=body)
    assert r.status_code == 403 and r.headers["content-type"].startswith("application/problem+json")
    assert (
        await browser.http.get(f"/api/v1/disputes/{body['id']}")
    ).status_code == 404  # not logged


async def test_the_outbox_sync_sends_with_the_token_it_asks_for_and_nothing_without(browser, cast):
    """What static/js/outbox-sync.js does: ask /api/v1/session, then send with x-csrftoken."""
    session = await browser.http.get("/api/v1/session")
    token = session.json()["csrf_token"]
    assert token

    body = case_body()
    assert (await browser.http.post("/api/v1/disputes", json=body)).status_code == 403
    photo = f"/api/v1/disputes/{body['id']}/photos/{uuid.uuid4()}"
    assert (await browser.http.put(photo, content=b"\xff\xd8\xff")).status_code == 403
    checkin = {
        "id": str(uuid.uuid4()),
        "grid_id": cast.me["demo-grid"]["jurisdiction"]["id"],
        "lon": 113.32,
        "lat": 32.72,
    }
    assert (await browser.http.post("/api/v1/checkins", json=checkin)).status_code == 403

    sent = await browser.http.post("/api/v1/disputes", json=body, headers={"x-csrftoken": token})
    assert sent.status_code == 201


async def test_a_bearer_request_needs_no_token_and_ignores_the_cookie(browser, cast):
    token = cast.api["demo-grid-2"].headers["Authorization"]
    me = await browser.http.get("/api/v1/me", headers={"Authorization": token})
    assert me.json()["username"] == "demo-grid-2"  # the token decides, not the cookie

    body = case_body()
    r = await browser.http.post("/api/v1/disputes", json=body, headers={"Authorization": token})
    assert r.status_code == 201
    # logged in demo-grid-2's grid, another township: the cookie's user cannot even see it
    assert (await cast.api["demo-grid-2"].get(f"/api/v1/disputes/{body['id']}")).status_code == 200
    assert (await browser.http.get(f"/api/v1/disputes/{body['id']}")).status_code == 404


async def test_a_bad_bearer_token_does_not_fall_back_to_the_cookie(browser):
    body = case_body()
    r = await browser.http.post(
        "/api/v1/disputes", json=body, headers={"Authorization": "Bearer made-up"}
    )
    assert r.status_code == 401
    r = await browser.http.post("/logout", headers={"Authorization": "Bearer made-up"})
    assert r.status_code in (302, 401) and r.headers.get("location") != "/login"
    assert (await browser.http.get("/")).status_code == 200  # the cookie's session was not used


async def test_a_planted_csrf_cookie_with_its_matching_token_is_refused(browser, clients):
    """The attacker's own valid pair (from the login page) planted in the victim's browser
    (a sibling subdomain can set a cookie): the token is bound to the victim's login, so it
    proves nothing."""
    attacker = clients("10.9.9.9")
    page = await attacker.http.get("/login")
    planted_cookie = attacker.http.cookies["csrftoken"]
    planted_token = CSRF_RE.search(page.text).group(1)
    browser.http.cookies.set("csrftoken", planted_cookie)

    r = await browser.http.post("/logout", data={"_csrf_token": planted_token})
    assert r.status_code == 403
    body = case_body()
    r = await browser.http.post(
        "/api/v1/disputes", json=body, headers={"x-csrftoken": planted_token}
    )
    assert r.status_code == 403
    assert (await browser.http.get(f"/api/v1/disputes/{body['id']}")).status_code == 404
    assert (await browser.http.get("/")).status_code == 200  # still signed in

    # the token of the victim's own pages works, from the form and from hx-headers
    home = await browser.http.get("/")
    own = re.search(r'"x-csrftoken": "([^"]+)"', home.text).group(1)
    assert own != planted_token
    r = await browser.http.post("/api/v1/disputes", json=body, headers={"x-csrftoken": own})
    assert r.status_code == 201


async def test_the_csrf_cookie_is_httponly_and_host_prefixed_under_https(monkeypatch):
    from app import db
    from app.main import create_app

    for https, name in ((False, "csrftoken"), (True, "__Host-csrftoken")):
        settings = replace(get_settings(), https=https)
        app = create_app(settings, run_scheduler=False)
        await db.start(pool_size=2)
        try:
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),
                base_url=("https" if https else "http") + "://testserver",
            ) as c:
                page = await c.get("/login")
        finally:
            await db.stop()
        cookie = page.headers["set-cookie"]
        parts = {p.strip().split("=")[0].lower() for p in cookie.split(";")}
        assert cookie.startswith(name + "="), cookie
        assert "httponly" in parts and "path" in parts
        assert ("secure" in parts) is https
        assert "domain" not in parts
