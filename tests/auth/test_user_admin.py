"""Administrators manage the users of their own area: list, create, change, deactivate, reset
a password (shown once, changed at the next sign-in). Others may not; other areas are 404."""

from __future__ import annotations

import re

import pytest

from app.auth.tables import User
from tests.auth.conftest import PASSWORD, make_user

FEED_RE = re.compile(r'value="http://testserver(/calendar/feeds/[^"]+\.ics)"')
TEMP_RE = re.compile(r'id="temporary-password"[^>]*>([^<]+)<')


@pytest.fixture
async def township_admin(cast, clients):
    """An administrator of demo-township's township, signed in."""
    township_id = cast.me["demo-township"]["jurisdiction"]["id"]
    admin = await make_user(township_id, role="admin")
    c = clients()
    assert (await c.sign_in(admin["username"])).status_code == 302
    return c


async def test_an_administrator_lists_only_the_users_of_their_area(cast, township_admin):
    page = await township_admin.http.get("/admin/users")
    assert page.status_code == 200
    assert "demo-village" in page.text and "demo-grid" in page.text
    assert "demo-grid-2" not in page.text and "demo-county" not in page.text
    found = await township_admin.http.get("/admin/users?q=demo-vil", headers={"hx-request": "true"})
    assert (
        found.status_code == 200 and "demo-village" in found.text and "demo-grid" not in found.text
    )
    assert "<html" not in found.text  # the results fragment only

    outsider = cast.me["demo-grid-2"]["id"]
    assert (await township_admin.http.get(f"/admin/users/{outsider}")).status_code == 404
    r = await township_admin.post_form(f"/admin/users/{outsider}/deactivate", {})
    assert r.status_code == 404
    assert (await User.select(User.active).where(User.id == outsider).first())["active"] is True


async def test_only_administrators_reach_the_user_pages(cast):
    for username in ("demo-county", "demo-township", "demo-grid"):
        browser = await cast.browser(username)
        assert (await browser.get("/admin/users")).status_code == 403
        r = await browser.post_form("/admin/users", {"username": "sneaky-user", "role": "admin"})
        assert r.status_code == 403
    assert not await User.exists().where(User.username == "sneaky-user")


async def test_a_new_user_gets_a_temporary_password_and_must_choose_their_own(
    cast, clients, township_admin
):
    grid_id = cast.me["demo-grid"]["jurisdiction"]["id"]
    form = await township_admin.http.get("/admin/users/new")
    assert form.status_code == 200 and 'name="username"' in form.text
    nodes = await township_admin.http.get(
        "/admin/users/nodes",
        params={"q": cast.me["demo-grid"]["jurisdiction"]["name"], "role": "grid_worker"},
    )
    assert f'value="{grid_id}"' in nodes.text

    username = f"new-{grid_id}-worker"
    r = await township_admin.post_form(
        "/admin/users",
        {
            "username": username,
            "display_name": "新网格员",
            "role": "grid_worker",
            "jurisdiction": grid_id,
        },
    )
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    temporary = TEMP_RE.search(r.text).group(1).strip()
    assert len(temporary) >= 8

    newcomer = clients()
    signed = await newcomer.sign_in(username, temporary)
    assert signed.status_code == 302 and signed.headers["location"].startswith("/account/password")
    # every page leads to the change-password page until it is done
    blocked = await newcomer.http.get("/disputes?queue=mine")
    assert blocked.status_code == 303
    assert blocked.headers["location"] == "/account/password?next=/disputes%3Fqueue%3Dmine"
    htmx = await newcomer.http.get("/disputes", headers={"hx-request": "true"})
    assert htmx.headers.get("hx-redirect") == "/account/password"
    page = await newcomer.http.get("/account/password")
    assert page.status_code == 200 and 'id="must-change"' in page.text
    # the offline outbox asks this before sending: refused, it waits instead of sending
    assert (await newcomer.http.get("/api/v1/session")).status_code == 403

    # the API says why, as a problem
    token = (await clients().api_login(username, temporary)).json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    api = await clients().http.get("/api/v1/disputes", headers=bearer)
    assert api.status_code == 403 and api.headers["content-type"].startswith(
        "application/problem+json"
    )
    assert (
        "/account/password" in api.json()["title"]
        and api.json()["code"] == "password_change_required"
    )
    assert (await clients().http.get("/api/v1/me", headers=bearer)).json()[
        "must_change_password"
    ] is True

    r = await newcomer.post_form(
        "/account/password",
        {
            "current_password": temporary,
            "new_password": "meadow-lamp-31",
            "confirm_password": "meadow-lamp-31",
            "next": "/disputes",
        },
    )
    assert r.status_code == 303 and r.headers["location"] == "/disputes"
    assert (await newcomer.http.get("/disputes")).status_code == 200
    assert (
        await clients().http.get("/api/v1/disputes", headers=bearer)
    ).status_code == 401  # ended by the change


async def test_an_administrator_resets_a_password_and_ends_the_users_logins(cast, clients):
    user = await make_user(cast.me["demo-village"]["jurisdiction"]["id"], role="village_mediator")
    own = clients()
    await own.sign_in(user["username"])
    admin = await cast.browser("demo-admin")
    r = await admin.post_form(f"/admin/users/{user['id']}/reset-password", {})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    temporary = TEMP_RE.search(r.text).group(1).strip()
    assert (await own.http.get("/")).status_code == 302
    assert (await clients().sign_in(user["username"], PASSWORD)).status_code == 400
    again = clients()
    assert (
        (await again.sign_in(user["username"], temporary))
        .headers["location"]
        .startswith("/account/password")
    )
    # the temporary password never shows again
    assert temporary not in (await admin.get(f"/admin/users/{user['id']}")).text


async def test_a_users_area_must_lie_in_the_administrators_and_fit_the_role(cast, township_admin):
    other_township_grid = cast.me["demo-grid-2"]["jurisdiction"]["id"]
    r = await township_admin.post_form(
        "/admin/users",
        {
            "username": "far-away-user",
            "display_name": "远方",
            "role": "grid_worker",
            "jurisdiction": other_township_grid,
        },
    )
    assert r.status_code == 422 and "所辖范围内" in r.text
    village_id = cast.me["demo-village"]["jurisdiction"]["id"]
    r = await township_admin.post_form(
        "/admin/users",
        {
            "username": "wrong-level-user",
            "display_name": "错级",
            "role": "grid_worker",
            "jurisdiction": village_id,
        },
    )
    assert r.status_code == 422 and "不在这一级区域" in r.text
    r = await township_admin.post_form(
        "/admin/users",
        {
            "username": "demo-grid",
            "display_name": "重名",
            "role": "grid_worker",
            "jurisdiction": cast.me["demo-grid"]["jurisdiction"]["id"],
        },
    )
    assert r.status_code == 422 and "已被使用" in r.text
    assert not await User.exists().where(User.username.is_in(["far-away-user", "wrong-level-user"]))


async def test_an_administrator_cannot_lock_themselves_out(cast):
    admin = await cast.browser("demo-admin")
    me = cast.me["demo-admin"]
    r = await admin.post_form(f"/admin/users/{me['id']}/deactivate", {})
    assert r.status_code == 422 and "另一位管理员" in r.text
    r = await admin.post_form(
        f"/admin/users/{me['id']}",
        {
            "display_name": me["display_name"],
            "role": "grid_worker",
            "jurisdiction": cast.me["demo-grid"]["jurisdiction"]["id"],
        },
    )
    assert r.status_code == 422
    row = await User.select(User.active, User.role).where(User.id == me["id"]).first()
    assert row == {"active": True, "role": "admin"}


async def test_the_user_pages_speak_english_on_request(cast):
    admin = await cast.browser("demo-admin")
    page = await admin.get("/admin/users", headers={"Accept-Language": "en"})
    assert "New user" in page.text and "All roles" in page.text
    zh = await admin.get("/admin/users")
    assert "新建用户" in zh.text


async def test_areas_are_found_by_name_code_or_village_and_only_at_the_roles_level(
    cast, township_admin
):
    grid = cast.me["demo-grid"]["jurisdiction"]
    village = cast.me["demo-village"]["jurisdiction"]
    by_village = await township_admin.http.get(
        "/admin/users/nodes", params={"q": village["name"], "role": "grid_worker"}
    )
    assert (
        f'value="{grid["id"]}"' in by_village.text
        and f'value="{village["id"]}"' not in by_village.text
    )
    assert village["name"] in by_village.text  # each grid says whose it is
    mediators = await township_admin.http.get(
        "/admin/users/nodes", params={"q": village["name"], "role": "village_mediator"}
    )
    assert (
        f'value="{village["id"]}"' in mediators.text
        and f'value="{grid["id"]}"' not in mediators.text
    )
    by_code = await township_admin.http.get("/admin/users/nodes", params={"q": grid["code"]})
    assert f'value="{grid["id"]}"' in by_code.text
    far = cast.me["demo-grid-2"]["jurisdiction"]
    outside = await township_admin.http.get("/admin/users/nodes", params={"q": far["code"]})
    assert f'value="{far["id"]}"' not in outside.text and "没有匹配的区域" in outside.text


async def test_deactivating_a_user_revokes_their_calendar_feeds(cast, clients, township_admin):
    """A calendar app keeps reading a feed long after its owner left: deactivation revokes
    their room feeds and their personal feed, for good (reactivating brings none back)."""
    village = cast.me["demo-village"]["jurisdiction"]["id"]
    mediator = await make_user(village, role="village_mediator")
    browser = clients()
    assert (await browser.sign_in(mediator["username"])).status_code == 302
    room = (await cast.api["demo-village"].get("/api/v1/rooms")).json()[0]
    paths = []
    for field in ({"room_id": room["id"]}, {"mediator_id": mediator["id"]}):
        made = await browser.post_form("/calendar/feeds", {k: str(v) for k, v in field.items()})
        assert made.status_code == 200, made.text
        paths.append(FEED_RE.search(made.text).group(1))
    anonymous = clients()
    for path in paths:
        assert (await anonymous.http.get(path)).status_code == 200

    off = await township_admin.post_form(f"/admin/users/{mediator['id']}/deactivate", {})
    assert off.status_code in (200, 302, 303), off.text
    for path in paths:
        assert (await anonymous.http.get(path)).status_code in (404, 410), path
    on = await township_admin.post_form(f"/admin/users/{mediator['id']}/activate", {})
    assert on.status_code in (200, 302, 303), on.text
    for path in paths:
        assert (await anonymous.http.get(path)).status_code in (404, 410), path
