"""Routine work is told: a case to accept, the news of a case to whoever logged it, a
follow-up visit due, a session booked. Each only to the people it concerns, who may see the
case, and who did not turn its topic off on the account page."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import httpx
import pytest

from app.auth.passwords import hash_password
from app.auth.tables import User
from app.disputes import jobs
from app.jurisdictions.tables import Jurisdiction
from app.notify.tables import Notification, NotificationChoice
from app.seed.demo import DEMO_PASSWORD
from tests.support.lifecycle import act, current, today


@pytest.fixture(autouse=True)
async def everyone_wants_every_topic(app):
    """The demo cast as a new county has them: every routine notice on. (Other tests, such as
    the authorization table's account form, turn some off for the run's shared database.)"""
    await NotificationChoice.delete().where(NotificationChoice.id > 0)


async def told(user_id: int, case_id: str, kind: str | None = None) -> list[str]:
    """The kinds of the in-app notices this user has about this case."""
    where = (
        (Notification.recipient == user_id)
        & (Notification.channel == "in_app")
        & Notification.payload.like(f"%{case_id}%")
    )
    if kind:
        where &= Notification.kind == kind
    rows = await Notification.select(Notification.kind).where(where).order_by(Notification.id)
    return [r["kind"] for r in rows]


async def newcomer(cast, role: str, node: int) -> tuple[int, httpx.AsyncClient]:
    """A user of its own for this test (choices must not leak into other tests), signed in."""
    username = f"t-{uuid.uuid4().hex[:10]}"
    rows = await User.insert(
        User(
            username=username,
            display_name="测试用户",
            role=role,
            jurisdiction=node,
            password_hash=hash_password(DEMO_PASSWORD),
        )
    ).returning(User.id)
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=cast.app), base_url="http://testserver"
    )
    r = await client.post(
        "/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD}
    )
    assert r.status_code == 200, r.text
    client.headers["Authorization"] = f"Bearer {r.json()['token']}"
    cast.api[username] = client  # closed with the cast
    return rows[0]["id"], client


def me(cast, username: str) -> int:
    return cast.me[username]["id"]


async def sibling_village(cast) -> int:
    """Another village of demo-township's township: the township sees it, demo-village not."""
    village = cast.me["demo-village"]["jurisdiction"]["id"]
    township = cast.me["demo-township"]["jurisdiction"]["id"]
    row = await (
        Jurisdiction.select(Jurisdiction.id)
        .where((Jurisdiction.parent == township) & (Jurisdiction.id != village))
        .first()
    )
    return row["id"]


async def test_a_logged_case_is_told_to_the_village_that_must_accept_it_and_nobody_else(cast):
    outsider, _ = await newcomer(cast, "village_mediator", await sibling_village(cast))
    case = await cast.log_case("demo-grid", title="邻居院墙渗水纠纷")
    assert await told(me(cast, "demo-village"), case["id"]) == ["to_accept"]
    for nobody in (me(cast, "demo-grid"), me(cast, "demo-grid-2"), outsider):
        assert await told(nobody, case["id"]) == []
    # the township hears of a plain case only when it reaches it
    assert await told(me(cast, "demo-township"), case["id"]) == []


async def test_the_grid_worker_hears_of_every_step_of_the_case_they_logged(cast):
    case = await cast.log_case("demo-grid", title="承包地界址争议")
    cid = case["id"]
    grid = me(cast, "demo-grid")
    await act(cast, "demo-village", cid, "accept")
    assert await told(grid, cid) == ["case_accepted"]
    await act(cast, "demo-village", cid, "escalate", reason="涉及承包合同")
    await act(cast, "demo-township", cid, "hand-back", to_level="village", instructions="请再调解")
    await act(
        cast,
        "demo-village",
        cid,
        "resolve",
        kind="agreement",
        terms=[{"text": "按确权图划定界址"}],
        signed_by="张三、李四",
        signed_on=today(),
    )
    await act(
        cast, "demo-village", cid, "follow-up", method="visit", honoured="yes", satisfaction=5
    )
    await act(cast, "demo-village", cid, "close", override_reason="卷宗材料由乡镇另行归档")
    assert await told(grid, cid) == [
        "case_accepted",
        "case_escalated",
        "case_handed_back",
        "case_resolved",
        "case_closed",
    ]
    # and it reads as a sentence with the case number, leading to the case
    centre = await (await cast.browser("demo-grid")).get("/notifications")
    assert f"您登记的纠纷 {case['case_no']}" in centre.text
    assert await told(me(cast, "demo-grid-2"), cid) == []


async def test_whoever_settles_their_own_case_is_not_told_of_it(cast):
    case = await cast.log_case("demo-grid")
    await act(
        cast, "demo-grid", case["id"], "resolve", kind="on_the_spot", note="当场说和，双方认可"
    )
    assert await told(me(cast, "demo-grid"), case["id"]) == []


async def test_a_topic_turned_off_on_the_account_page_is_not_told(cast):
    village = cast.me["demo-village"]["jurisdiction"]["id"]
    quiet, client = await newcomer(cast, "village_mediator", village)
    page = await client.get("/account")
    assert page.status_code == 200
    # the API client carries a bearer token: the form is posted by a browser
    browser = await cast.browser()
    username = next(u for u, c in cast.api.items() if c is client)
    await browser.sign_in(username)
    form = (await browser.get("/account")).text
    assert 'value="new_case" checked' in form and 'value="session_booked" checked' in form
    r = await browser.post_form(
        "/account/notifications",
        {"_csrf_token": browser.csrf, "topics": ["my_case", "follow_up_due", "session_booked"]},
    )
    assert r.status_code == 303
    form = (await browser.get("/account?saved=1")).text
    assert 'value="new_case">' in form and 'value="my_case" checked' in form

    case = await cast.log_case("demo-grid")
    assert await told(quiet, case["id"]) == []
    assert await told(me(cast, "demo-village"), case["id"]) == ["to_accept"]  # still on for her

    await browser.post_form(
        "/account/notifications", {"_csrf_token": browser.csrf, "topics": "new_case"}
    )
    again = await cast.log_case("demo-grid")
    assert await told(quiet, again["id"]) == ["to_accept"]


async def test_a_follow_up_visit_due_is_told_once_to_whoever_must_make_it(cast):
    case = await cast.log_case("demo-grid")
    cid = case["id"]
    await act(cast, "demo-village", cid, "accept")
    await act(
        cast,
        "demo-village",
        cid,
        "resolve",
        kind="agreement",
        terms=[{"text": "赔偿修缮费用"}],
        signed_by="甲、乙",
        signed_on=today(),
    )
    due = datetime.fromisoformat((await current(cast, cid))["due_at"].replace("Z", "+00:00"))
    assert (await current(cast, cid))["due_kind"] == "follow_up"
    await jobs.sweep_deadlines(now=due - timedelta(days=4))
    assert await told(me(cast, "demo-grid"), cid, "follow_up_due") == []

    await jobs.sweep_deadlines(now=due - timedelta(days=2))
    await jobs.sweep_deadlines(now=due - timedelta(days=2))
    await jobs.sweep_deadlines(now=due - timedelta(days=1))
    assert await told(me(cast, "demo-grid"), cid, "follow_up_due") == ["follow_up_due"]
    assert await told(me(cast, "demo-village"), cid, "follow_up_due") == ["follow_up_due"]
    for nobody in ("demo-grid-2", "demo-township", "demo-county"):
        assert await told(me(cast, nobody), cid, "follow_up_due") == []
    # once each, however often the sweep ran (other tests' newcomers in the grid may be told too)
    for person in ("demo-grid", "demo-village"):
        assert (
            await Notification.count().where(
                Notification.dedupe_key.like(f"follow_up_due:{cid}:%")
                & (Notification.channel == "in_app")
                & (Notification.recipient == me(cast, person))
            )
            == 1
        )


async def test_a_session_booked_is_told_to_the_mediators_booked_who_may_see_the_case(cast, booking):
    outsider, _ = await newcomer(cast, "village_mediator", await sibling_village(cast))
    body = booking(mediator_ids=[me(cast, "demo-village"), outsider])
    r = await cast.api["demo-township"].post("/api/v1/sessions", json=body)
    assert r.status_code == 201, r.text
    cid = body["dispute_id"]
    assert await told(me(cast, "demo-village"), cid, "session_booked") == ["session_booked"]
    # booked by the township from its whole area, but that village may not open the case
    assert await told(outsider, cid) == []
    assert await told(me(cast, "demo-township"), cid, "session_booked") == []  # booked it
    centre = await (await cast.browser("demo-village")).get("/notifications")
    assert "评理" in centre.text


async def test_a_case_resolved_by_a_held_session_is_told_to_whoever_logged_it(
    cast, booking, day, monkeypatch
):
    from app import clock
    from tests.sessions.conftest import at

    r = await cast.api["demo-village"].post("/api/v1/sessions", json=booking())
    assert r.status_code == 201, r.text
    session = r.json()
    moment = datetime.fromisoformat(at(day, "10:05"))
    monkeypatch.setattr(clock, "now", lambda: moment)
    held = await cast.api["demo-village"].post(
        f"/api/v1/sessions/{session['id']}/actions/hold",
        json={
            "outcome": "agreement",
            "minutes": "双方同意加装接水槽。",
            "attended_party_ids": [p["id"] for p in session["parties"]],
            "agreement_terms": "1. 王家加装接水槽\n",
            "performance": "王家自行施工。",
        },
    )
    assert held.status_code == 200, held.text
    cid = booking()["dispute_id"]
    assert await told(me(cast, "demo-grid"), cid, "case_resolved") == ["case_resolved"]
