"""The password policy, as a user meets it on the change-password page and the API."""

from __future__ import annotations

import pytest

from tests.auth.conftest import PASSWORD, make_user


@pytest.fixture
async def signed_in(cast, clients):
    user = await make_user(cast.me["demo-grid"]["jurisdiction"]["id"])
    c = clients()
    await c.sign_in(user["username"])
    return user, c


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("short7!", "至少需要 8 个字符"),
        ("woaini1314", "最常见的密码"),
        ("QWERTYUI", "最常见的密码"),  # case does not help
        ("123456789", "最常见的密码"),
        ("Password1", "最常见的密码"),
    ],
)
async def test_short_and_common_passwords_are_refused(signed_in, new, message):
    _user, c = signed_in
    r = await c.post_form(
        "/account/password",
        {"current_password": PASSWORD, "new_password": new, "confirm_password": new},
    )
    assert r.status_code == 422 and message in r.text
    assert (await c.http.get("/")).status_code == 200  # nothing changed, still signed in


async def test_the_username_is_not_a_password(signed_in):
    user, c = signed_in
    r = await c.post_form(
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": user["username"].upper(),
            "confirm_password": user["username"].upper(),
        },
    )
    assert r.status_code == 422 and "不能与用户名相同" in r.text


async def test_the_api_lists_what_is_wrong_and_answers_a_new_token(clients, cast):
    user = await make_user(cast.me["demo-grid"]["jurisdiction"]["id"])
    c = clients()
    token = (await c.api_login(user["username"])).json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    r = await c.http.post(
        "/api/v1/account/password",
        json={"current_password": "not-it-at-all", "new_password": "iloveyou"},
        headers=bearer,
    )
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert fields == {"current_password", "new_password"}

    r = await c.http.post(
        "/api/v1/account/password",
        json={"current_password": PASSWORD, "new_password": "harbour-tea-88"},
        headers=bearer,
    )
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    fresh = r.json()["token"]
    assert fresh != token
    assert (await c.http.get("/api/v1/me", headers=bearer)).status_code == 401
    assert (
        await c.http.get("/api/v1/me", headers={"Authorization": f"Bearer {fresh}"})
    ).status_code == 200
