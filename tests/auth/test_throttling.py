"""Sign-in throttling: counted per username and per client address in the database, so every
web worker sees the same counts; 429 with Retry-After; a success clears the username's count."""

from __future__ import annotations

import re

import pytest

from app.auth import throttle
from app.auth.tables import LoginFailure
from app.seed.demo import DEMO_PASSWORD
from tests.auth.conftest import PASSWORD, make_user


@pytest.fixture
async def grid_id(cast) -> int:
    return cast.me["demo-grid"]["jurisdiction"]["id"]


@pytest.fixture(autouse=True)
def limits(patch_settings):
    return patch_settings(
        login_max_failures=3, login_max_failures_per_address=5, login_window_minutes=15
    )


async def test_wrong_passwords_pause_the_account_even_for_the_right_password_until_the_window_passes(
    clients, grid_id, set_clock
):
    victim = await make_user(grid_id)
    attacker = clients("10.0.0.1")
    for _ in range(3):
        assert (await attacker.sign_in(victim["username"], "wrong-guess-1")).status_code == 400

    r = await attacker.sign_in(victim["username"], PASSWORD)
    assert r.status_code == 429
    assert 0 < int(r.headers["retry-after"]) <= 15 * 60
    assert "登录失败次数过多" in r.text and "15 分钟" in r.text
    assert "pingli_session" not in r.headers.get("set-cookie", "")

    # the account is paused from everywhere, for the API too, with a problem body
    elsewhere = clients("10.0.0.2")
    api = await elsewhere.api_login(victim["username"])
    assert api.status_code == 429 and api.headers["retry-after"]
    assert api.headers["content-type"].startswith("application/problem+json")
    assert "登录失败次数过多" in api.json()["title"]

    # another account, from another address, is not affected
    other = await make_user(grid_id)
    assert (await clients("10.0.0.3").sign_in(other["username"])).status_code == 302

    set_clock(minutes=15, seconds=1)
    again = clients("10.0.0.1")
    assert (await again.sign_in(victim["username"])).status_code == 302
    assert (await again.http.get("/")).status_code == 200


async def test_a_successful_sign_in_clears_the_accounts_count(clients, grid_id, set_clock):
    user = await make_user(grid_id)
    c = clients("10.0.1.1")
    for _ in range(2):
        await c.sign_in(user["username"], "wrong-guess-2")
    assert (await c.sign_in(user["username"])).status_code == 302
    # two more wrong ones would have made four in the window without the reset
    for _ in range(2):
        assert (
            await clients("10.0.1.1").sign_in(user["username"], "wrong-guess-3")
        ).status_code == 400
    assert (await clients("10.0.1.1").sign_in(user["username"])).status_code == 302


async def test_one_address_guessing_many_accounts_is_paused_but_others_are_not(
    clients, grid_id, set_clock
):
    targets = [await make_user(grid_id) for _ in range(5)]
    guesser = clients("10.0.2.1")
    for target in targets:  # one wrong guess each: no account reaches its own limit
        assert (await guesser.sign_in(target["username"], "wrong-guess-4")).status_code == 400

    paused = await clients("10.0.2.1").sign_in(targets[0]["username"])
    assert paused.status_code == 429 and int(paused.headers["retry-after"]) > 0
    # the same account from another address signs in
    assert (await clients("10.0.2.2").sign_in(targets[0]["username"])).status_code == 302
    # a success elsewhere does not clear the address's count
    assert (await clients("10.0.2.1").sign_in(targets[1]["username"])).status_code == 429

    set_clock(minutes=16)
    assert (await clients("10.0.2.1").sign_in(targets[1]["username"])).status_code == 302


async def test_unknown_usernames_count_like_known_ones(clients, grid_id, set_clock):
    c = clients("10.0.3.1")
    for _ in range(3):
        assert (await c.sign_in("nobody-by-this-name", "x-wrong-guess")).status_code == 400
    assert (await c.sign_in("nobody-by-this-name", "x-wrong-guess")).status_code == 429


async def test_wrong_current_passwords_on_the_change_form_count_too(clients, grid_id, set_clock):
    user = await make_user(grid_id)
    c = clients("10.0.4.1")
    assert (await c.sign_in(user["username"])).status_code == 302
    for _ in range(3):
        r = await c.post_form(
            "/account/password",
            {
                "current_password": "guessing-it",
                "new_password": "a-new-secret-9",
                "confirm_password": "a-new-secret-9",
            },
        )
        assert r.status_code == 422
    r = await c.post_form(
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "a-new-secret-9",
            "confirm_password": "a-new-secret-9",
        },
    )
    assert r.status_code == 429 and r.headers["retry-after"]


async def test_a_password_reset_lets_a_locked_out_user_in_at_once(
    cast, clients, grid_id, set_clock
):
    user = await make_user(grid_id)
    for _ in range(3):
        await clients("10.0.5.1").sign_in(user["username"], "forgot-it-again")
    assert (await clients("10.0.5.1").sign_in(user["username"])).status_code == 429
    # (from an address of its own: this module's per-address limit is low, and other tests'
    # refused sign-ins from the default test address may still count)
    admin = clients("10.0.5.9")
    assert (await admin.sign_in("demo-admin", DEMO_PASSWORD)).status_code == 302
    reset = await admin.post_form(f"/admin/users/{user['id']}/reset-password", {})
    temporary = re.search(r'id="temporary-password"[^>]*>([^<]+)<', reset.text).group(1).strip()
    assert (await clients("10.0.5.1").sign_in(user["username"], temporary)).status_code == 302


async def test_old_failures_are_purged_once(clients, grid_id, set_clock):
    await clients("10.0.6.1").sign_in("purge-me-user", "wrong-guess-5")
    set_clock(minutes=16)
    assert await throttle.purge_old() >= 1
    assert await throttle.purge_old() == 0
    assert not await LoginFailure.exists().where(LoginFailure.subject == "account:purge-me-user")
