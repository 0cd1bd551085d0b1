"""Every route × every demo user × an object in and out of their scope (issue #8).

The table is `route_table.py`; what each line means is said there. Out of scope answers 404
like an id that does not exist, in scope but not allowed 403, and no answer a person gets ever
holds the case number or title of a case outside their area.
"""

from __future__ import annotations

import re

import httpx
import pytest
import pytest_asyncio

from app.jurisdictions.tables import Jurisdiction
from app.main import create_app
from app.seed.demo import DEMO_PASSWORD
from tests.authz import recipes, world
from tests.authz.route_table import PUBLIC, ROUTES, SEEN, R
from tests.support.cast import Cast
from tests.support.photos import camera_jpeg

# ~1,000 requests: one app, one event loop and one database pool for the whole module
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def app():
    from app import db

    application = create_app(run_scheduler=False)
    await db.start(pool_size=10)
    yield application
    await db.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def cast(app):
    async with Cast(app) as c:
        yield c


LETTER = {
    "demo-admin": "A",
    "demo-county": "C",
    "demo-township": "T",
    "demo-village": "V",
    "demo-grid": "G",
    "demo-grid-2": "G",
}
OUTSIDERS_OF_THEIRS = ("demo-township", "demo-village", "demo-grid")
PARAM = re.compile(r"\{(\w+):[^}]+\}")
DENIED = {401, 403, 404}


def _cases() -> list:
    """(route, username or None for signed out, side of the object)."""
    params = []
    for r in ROUTES:
        label = f"{r.method} {r.path}{'?' + r.query if r.query else ''}"
        if r.who == PUBLIC:
            params.append(pytest.param(r, None, "mine", id=f"{label} anonymous"))
            if r.obj:
                params.append(pytest.param(r, None, "unknown", id=f"{label} anonymous unknown"))
            continue
        params.append(pytest.param(r, None, "mine", id=f"{label} anonymous"))
        for username in LETTER:
            params.append(pytest.param(r, username, "mine", id=f"{label} {username}"))
            if r.obj and username in OUTSIDERS_OF_THEIRS:
                params.append(pytest.param(r, username, "theirs", id=f"{label} {username} theirs"))
        if r.obj and r.method == "GET" and not r.path.startswith("/api/"):
            # the same page asked for as an htmx fragment
            params.append(
                pytest.param(r, "demo-township", "theirs+htmx", id=f"{label} htmx theirs")
            )
    return params


def expected(r: R, username: str, side: str) -> int | str:
    kind = r.obj.split("@")[0]
    if r.role_first and LETTER[username] not in r.who:
        return 403  # the whole area is closed to this role: every id answers alike
    if kind:
        if side.startswith("theirs") or username == "demo-grid-2":
            return 404
        if LETTER[username] not in SEEN[kind]:
            return 404
    return "allowed" if LETTER[username] in r.who else 403


async def _centroid(node_id: int) -> tuple[float, float]:
    row = (
        await Jurisdiction.select(Jurisdiction.centroid_lon, Jurisdiction.centroid_lat)
        .where(Jurisdiction.id == node_id)
        .first()
    )
    return row["centroid_lon"], row["centroid_lat"]


async def _context(cast, r: R, username: str | None, side: str) -> dict:
    sides = await world.build(cast)
    if not r.obj and r.method == "GET":
        # a list, map or count: ask it about the other side, which it must not show
        side = "mine" if username == "demo-grid-2" else "theirs"
    elif not r.obj:
        side = "theirs" if username == "demo-grid-2" else "mine"
    ctx = dict(sides["theirs" if side.startswith("theirs") else "mine"])
    ctx["lon"], ctx["lat"] = await _centroid(ctx["node_id"])
    ctx["village_user_id"] = cast.me["demo-village"]["id"]
    ctx["jpeg"] = camera_jpeg(48, 32)
    ctx["version"] = 1
    # what an action's body names besides the case, for the requests that never reach it
    ctx["supervision_id"], ctx["other_id"] = 1, ctx["dispute_id"]
    if r.obj == "notification":
        owner = username if side == "mine" and username != "demo-grid-2" else None
        owner = owner or ("demo-grid" if username == "demo-grid-2" else "demo-grid-2")
        ctx["notification_id"] = sides["mine"]["notifications"][owner]
    if r.obj == "account":
        ctx["user_id"] = ctx["account_id"]
    if r.obj == "token" and side == "unknown":
        ctx["token"] = "no-such-feed.ics"
    if r.obj.startswith("case@") and side == "mine" and username != "demo-grid-2":
        ctx |= await recipes.fresh(cast, r.obj.split("@")[1])
    if r.obj == "case" and r.method in ("PUT", "POST") and "photos" in r.path:
        import uuid

        ctx["photo_id"] = str(uuid.uuid4())
    return ctx


def _url(r: R, ctx: dict) -> str:
    fixed = dict(r.fill)
    path = PARAM.sub(lambda m: str(fixed.get(m.group(1), ctx.get(m.group(1)))), r.path)
    return path + ("?" + r.query.format(**ctx) if r.query else "")


async def _client(app, cast, r: R, username: str | None) -> httpx.AsyncClient:
    def plain() -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        )

    client = plain()
    if username is None:
        return client
    if r.fresh_login:
        async with plain() as signing_in:
            login = await signing_in.post(
                "/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD}
            )
        token = login.json()["token"]
    else:
        token = cast.api[username].headers["Authorization"].split(" ", 1)[1]
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def _leaks(sides: dict, username: str, url: str, text: str) -> list[str]:
    """The other side's case number, and its title unless the request itself carried it (a
    search box shows what was searched for)."""
    other = sides["mine" if username == "demo-grid-2" else "theirs"]
    marks = [other["case_no"]] + ([] if other["title"] in url else [other["title"]])
    return [m for m in marks if m in text]


@pytest.mark.parametrize(("r", "username", "side"), _cases())
async def test_route_answers_as_the_table_says(app, cast, r: R, username, side):
    ctx = await _context(cast, r, username, side)
    want = "allowed" if username is None and r.who == PUBLIC else None
    if username is None and r.who == PUBLIC and side == "unknown":
        want = 404
    if username is not None:
        want = expected(r, username, side)
    body = r.body(ctx, want == "allowed") if r.body else {}
    if side.endswith("+htmx"):
        body["headers"] = {"hx-request": "true"}
    async with await _client(app, cast, r, username) as client:
        response = await client.request(r.method, _url(r, ctx), **body)
    status = response.status_code
    where = f"{r.method} {_url(r, ctx)} as {username or 'nobody'}: {status} {response.text[:300]}"
    assert status < 500, where
    if username is None and r.who != PUBLIC:
        # an unsafe request with neither a bearer token nor a CSRF token is refused (403) by the
        # CSRF check before it reaches the login check
        if r.method != "GET":
            assert status in (302, 303, 401, 403), where
        elif r.path.startswith("/api/"):
            assert status == 401, where
        else:
            assert status in (302, 303, 401) or (status == 403 and r.method != "GET"), where
            if status in (302, 303):
                assert response.headers["location"].startswith("/login"), where
        return
    if want == "allowed":
        if r.ok:
            assert status in r.ok, where
        else:
            assert status not in DENIED, where
    else:
        assert status == want, where
    if username is not None and username != "demo-admin" and username != "demo-county":
        found = _leaks(await world.build(cast), username, _url(r, ctx), response.text)
        assert not found, f"{where}\nleaks {found}"
