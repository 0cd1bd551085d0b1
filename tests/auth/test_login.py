import pytest

from app.seed.demo import DEMO_PASSWORD
from tests.support.cast import USERNAMES


@pytest.mark.parametrize("username", USERNAMES)
async def test_every_demo_role_signs_in_on_the_page_and_sees_their_home(cast, username):
    browser = await cast.browser()
    r = await browser.sign_in(username)
    assert r.status_code == 302 and r.headers["location"] == "/"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    home = await browser.get("/")
    assert home.status_code == 200
    assert cast.me[username]["display_name"] in home.text


@pytest.mark.parametrize("username", USERNAMES)
async def test_every_demo_role_gets_an_api_token_that_works_on_me(client, username):
    r = await client.post(
        "/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD}
    )
    assert r.status_code == 200
    token = r.json()["token"]
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["username"] == username


async def test_a_wrong_password_is_refused_with_a_message_and_no_session(cast):
    browser = await cast.browser()
    r = await browser.sign_in("demo-grid", "not-the-password")
    assert r.status_code == 400
    assert "用户名或密码错误" in r.text
    assert "pingli_session" not in r.headers.get("set-cookie", "")


async def test_the_api_refuses_bad_credentials_with_a_problem_body(client):
    r = await client.post(
        "/api/v1/auth/login", json={"username": "demo-grid", "password": "nope-nope"}
    )
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["status"] == 401


async def test_pages_redirect_to_login_and_the_api_answers_401_when_signed_out(client):
    r = await client.get("/disputes")
    assert r.status_code == 302 and r.headers["location"].startswith("/login?next=/disputes")
    api = await client.get("/api/v1/disputes")
    assert api.status_code == 401


async def test_signing_out_ends_the_session(cast):
    browser = await cast.browser("demo-village")
    assert (await browser.get("/")).status_code == 200
    r = await browser.post_form("/logout", {})
    assert r.status_code == 302
    browser.http.cookies.clear()
    # the old cookie value no longer works even if a client kept it
    again = await browser.get("/")
    assert again.status_code == 302


async def test_a_new_session_id_is_issued_at_login(cast):
    browser = await cast.browser()
    await browser.sign_in("demo-grid")
    first = browser.http.cookies.get("pingli_session")
    await browser.sign_in("demo-grid")
    second = browser.http.cookies.get("pingli_session")
    assert first and second and first != second
    stale = await cast.browser()
    stale.http.cookies.set("pingli_session", first)
    assert (await stale.get("/")).status_code == 302  # the superseded session is gone
    fresh = await cast.browser()
    fresh.http.cookies.set("pingli_session", second)
    assert (await fresh.get("/")).status_code == 200


async def test_unsafe_requests_without_the_csrf_token_are_refused(cast):
    browser = await cast.browser("demo-grid")
    r = await browser.http.post("/disputes", data={"title": "x", "category": "debt"})
    assert r.status_code == 403
    assert "表单已过期" in r.text


async def test_bearer_requests_need_no_csrf_token(cast):
    r = await cast.api["demo-grid"].post(
        "/api/v1/disputes", json={"title": "欠款不还", "category": "debt"}
    )
    assert r.status_code == 201
