"""A login's life: a new id at sign-in and at a privilege or password change; signing out,
deactivation and a reset end the user's logins; idle and absolute lifetimes."""

from __future__ import annotations

import pytest

from tests.auth.conftest import PASSWORD, make_user


@pytest.fixture
async def grid_id(cast) -> int:
    return cast.me["demo-grid"]["jurisdiction"]["id"]


async def test_signing_in_again_replaces_the_session_id(clients, grid_id):
    user = await make_user(grid_id)
    c = clients()
    await c.sign_in(user["username"])
    first = c.session
    await c.sign_in(user["username"])
    assert c.session and c.session != first
    stale = clients()
    stale.http.cookies.set("pingli_session", first)
    assert (await stale.http.get("/")).status_code == 302


async def test_signing_out_ends_the_users_sessions_in_every_browser(clients, grid_id):
    user = await make_user(grid_id)
    office, phone = clients(), clients()
    await office.sign_in(user["username"])
    await phone.sign_in(user["username"])
    token = (await clients().api_login(user["username"])).json()["token"]
    assert (await phone.http.get("/")).status_code == 200

    r = await office.post_form("/logout", {})
    assert r.status_code == 302 and r.headers["location"] == "/login"
    assert (await office.http.get("/")).status_code == 302
    assert (await phone.http.get("/")).status_code == 302
    # an API token is ended on its own (POST /api/v1/auth/logout), as the README says
    me = await clients().http.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200


async def test_deactivation_ends_every_login_at_once_and_refuses_new_ones(cast, clients, grid_id):
    user = await make_user(grid_id)
    browser = clients()
    await browser.sign_in(user["username"])
    token = (await clients().api_login(user["username"])).json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert (await browser.http.get("/disputes")).status_code == 200

    admin = await cast.browser("demo-admin")
    r = await admin.post_form(f"/admin/users/{user['id']}/deactivate", {})
    assert r.status_code == 303

    assert (await browser.http.get("/disputes")).status_code == 302  # to the login page
    assert (await clients().http.get("/api/v1/me", headers=bearer)).status_code == 401
    refused = await clients().sign_in(user["username"])
    assert refused.status_code == 400 and "账号已停用" in refused.text
    assert (await clients().api_login(user["username"])).status_code == 401

    assert (await admin.post_form(f"/admin/users/{user['id']}/activate", {})).status_code == 303
    assert (await clients().sign_in(user["username"])).status_code == 302


async def test_a_change_of_role_or_area_ends_the_users_logins(cast, clients):
    village_id = cast.me["demo-village"]["jurisdiction"]["id"]
    user = await make_user(village_id, role="village_mediator")
    browser = clients()
    await browser.sign_in(user["username"])
    token = (await clients().api_login(user["username"])).json()["token"]

    admin = await cast.browser("demo-admin")
    same = await admin.post_form(
        f"/admin/users/{user['id']}",
        {"display_name": "改了名字", "role": "village_mediator", "jurisdiction": village_id},
    )
    assert same.status_code == 303
    assert (await browser.http.get("/")).status_code == 200  # a new name is no privilege change

    township_id = cast.me["demo-township"]["jurisdiction"]["id"]
    r = await admin.post_form(
        f"/admin/users/{user['id']}",
        {"display_name": "升任乡镇", "role": "township_officer", "jurisdiction": township_id},
    )
    assert r.status_code == 303 and "done=rights" in r.headers["location"]
    assert (await browser.http.get("/")).status_code == 302
    me = await clients().http.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401

    again = clients()
    assert (await again.sign_in(user["username"])).status_code == 302
    assert again.session != browser.session
    me = (await again.api_login(user["username"])).json()["user"]
    assert me["role"] == "township_officer" and me["jurisdiction"]["id"] == township_id


async def test_changing_ones_password_rotates_this_session_and_ends_the_others(clients, grid_id):
    user = await make_user(grid_id)
    here, there = clients(), clients()
    await here.sign_in(user["username"])
    await there.sign_in(user["username"])
    before = here.session

    r = await here.post_form(
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "kite-river-2077",
            "confirm_password": "kite-river-2077",
        },
    )
    assert r.status_code == 303
    assert here.session and here.session != before
    assert (await here.http.get("/")).status_code == 200
    assert (await there.http.get("/")).status_code == 302
    assert (await clients().sign_in(user["username"], PASSWORD)).status_code == 400
    assert (await clients().sign_in(user["username"], "kite-river-2077")).status_code == 302


async def test_a_login_ends_after_the_idle_time_without_requests(
    clients, grid_id, set_clock, patch_settings
):
    patch_settings(session_idle_minutes=30, session_max_hours=8)
    user = await make_user(grid_id)
    c = clients()
    await c.sign_in(user["username"])
    set_clock(minutes=29)
    assert (await c.http.get("/")).status_code == 200  # a request keeps it alive
    set_clock(minutes=29)
    assert (await c.http.get("/")).status_code == 200
    set_clock(minutes=31)
    assert (await c.http.get("/")).status_code == 302


async def test_a_login_ends_at_its_absolute_lifetime_however_busy(
    clients, grid_id, set_clock, patch_settings
):
    patch_settings(session_idle_minutes=30, session_max_hours=2)
    user = await make_user(grid_id)
    c = clients()
    await c.sign_in(user["username"])
    for _ in range(5):  # 1 h 55 min of steady use
        set_clock(minutes=23)
        assert (await c.http.get("/")).status_code == 200
    set_clock(minutes=6)
    assert (await c.http.get("/")).status_code == 302
