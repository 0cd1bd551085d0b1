"""Sign-in throttling: counted per (account, address), per address and per account in the
database, so every web worker sees the same counts; growing delays with 429 and Retry-After; an
account paused everywhere only at a much higher count, and its owner told."""

from __future__ import annotations

import re

import pytest

from app.auth import throttle
from app.auth.tables import LoginFailure
from app.notify.tables import Notification
from app.seed.demo import DEMO_PASSWORD
from tests.auth.conftest import PASSWORD, make_user


@pytest.fixture
async def grid_id(cast) -> int:
    return cast.me["demo-grid"]["jurisdiction"]["id"]


@pytest.fixture(autouse=True)
def limits(patch_settings):
    return patch_settings(
        login_max_failures=3,
        login_max_failures_per_address=5,
        login_lock_failures=8,
        login_window_minutes=15,
    )


async def test_wrong_passwords_from_one_address_do_not_lock_the_owner_out_elsewhere(
    clients, grid_id, set_clock
):
    victim = await make_user(grid_id)
    attacker = clients("10.0.0.1")
    for _ in range(3):
        assert (await attacker.sign_in(victim["username"], "wrong-guess-1")).status_code == 400

    # the attacker's own address waits, even with the right password
    r = await attacker.sign_in(victim["username"], PASSWORD)
    assert r.status_code == 429
    assert 0 < int(r.headers["retry-after"]) <= 60
    assert "登录失败次数过多" in r.text and "1 分钟" in r.text
    assert "pingli_session" not in r.headers.get("set-cookie", "")
    api = await clients("10.0.0.1").api_login(victim["username"])
    assert api.status_code == 429 and api.headers["retry-after"]
    assert api.headers["content-type"].startswith("application/problem+json")
    assert "登录失败次数过多" in api.json()["title"]

    # the owner, at the office, signs in at once: on the page and through the API
    owner = clients("10.0.0.2")
    assert (await owner.sign_in(victim["username"])).status_code == 302
    assert (await owner.http.get("/")).status_code == 200
    assert (await clients("10.0.0.2").api_login(victim["username"])).status_code == 200


async def test_each_further_failure_of_a_pair_waits_longer(clients, grid_id, set_clock):
    user = await make_user(grid_id)
    for _ in range(3):
        await clients("10.0.7.1").sign_in(user["username"], "wrong-guess-7")
    assert (await clients("10.0.7.1").sign_in(user["username"])).status_code == 429
    set_clock(minutes=1, seconds=1)  # the first wait: one minute
    assert (await clients("10.0.7.1").sign_in(user["username"], "wrong-again")).status_code == 400
    set_clock(minutes=1, seconds=30)  # the next one: two
    r = await clients("10.0.7.1").sign_in(user["username"])
    assert r.status_code == 429 and int(r.headers["retry-after"]) <= 30
    set_clock(seconds=31)
    assert (await clients("10.0.7.1").sign_in(user["username"])).status_code == 302


async def test_a_spray_from_many_addresses_pauses_the_account_everywhere_and_tells_its_owner(
    clients, grid_id, set_clock
):
    user = await make_user(grid_id)
    for i in range(8):  # two wrong guesses from each of four addresses: no pair waits yet
        await clients(f"10.0.8.{i // 2 + 1}").sign_in(user["username"], "spray-guess")
    r = await clients("10.0.8.200").sign_in(user["username"])
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 60
    assert (await clients("10.0.8.201").api_login(user["username"])).status_code == 429

    notices = await Notification.select(Notification.kind, Notification.channel).where(
        Notification.recipient == user["id"]
    )
    assert notices == [{"kind": "account_locked", "channel": "in_app"}]

    set_clock(minutes=15, seconds=1)
    c = clients("10.0.8.200")
    assert (await c.sign_in(user["username"])).status_code == 302
    page = await c.http.get("/notifications")
    assert "登录失败" in page.text


async def test_a_successful_sign_in_clears_its_pairs_count(clients, grid_id, set_clock):
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


async def test_an_office_address_is_not_paused_by_a_few_colleagues_typos_but_a_guesser_is(
    clients, grid_id, set_clock
):
    targets = [await make_user(grid_id) for _ in range(5)]
    office = "10.0.2.1"
    for target in targets[:4]:  # one typo each: the address is under its limit
        assert (await clients(office).sign_in(target["username"], "typo-4")).status_code == 400
    assert (await clients(office).sign_in(targets[0]["username"])).status_code == 302

    # the fifth failure from the address reaches its limit: it waits a growing delay
    assert (await clients(office).sign_in(targets[4]["username"], "typo-4")).status_code == 400
    paused = await clients(office).sign_in(targets[1]["username"])
    assert paused.status_code == 429 and 0 < int(paused.headers["retry-after"]) <= 60
    # the same account from another address signs in
    assert (await clients("10.0.2.2").sign_in(targets[1]["username"])).status_code == 302
    # a success elsewhere does not clear the address's count; the delay ends
    set_clock(minutes=1, seconds=1)
    assert (await clients(office).sign_in(targets[2]["username"])).status_code == 302


async def test_unknown_usernames_count_like_known_ones(clients, grid_id, set_clock):
    c = clients("10.0.3.1")
    for _ in range(3):
        assert (await c.sign_in("nobody-by-this-name", "x-wrong-guess")).status_code == 400
    assert (await c.sign_in("nobody-by-this-name", "x-wrong-guess")).status_code == 429


async def test_wrong_current_passwords_on_the_change_form_count_per_address_too(
    clients, grid_id, set_clock
):
    user = await make_user(grid_id)
    c = clients("10.0.4.1")
    assert (await c.sign_in(user["username"])).status_code == 302
    at_office = clients("10.0.4.2")
    assert (await at_office.sign_in(user["username"])).status_code == 302
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
    # from another address the same user changes it
    r = await at_office.post_form(
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "a-new-secret-9",
            "confirm_password": "a-new-secret-9",
        },
    )
    assert r.status_code == 303


async def test_a_password_reset_lets_a_locked_out_user_in_at_once(
    cast, clients, grid_id, set_clock
):
    user = await make_user(grid_id)
    for i in range(8):
        await clients(f"10.0.5.{i // 2 + 1}").sign_in(user["username"], "forgot-it-again")
    assert (await clients("10.0.5.1").sign_in(user["username"])).status_code == 429
    # (from an address of its own: this module's per-address limit is low, and other tests'
    # refused sign-ins from the default test address may still count)
    admin = clients("10.0.5.99")
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
