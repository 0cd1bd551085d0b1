"""A mediator's week on a 360 px phone, and the mediation agreement on screen and on A4."""

from __future__ import annotations

import asyncio
import re
import threading
from datetime import date, datetime, timedelta

import httpx

from app import clock
from app.sessions.rooms import CHINA
from tests.browser.conftest import sign_in
from tests.browser.test_every_page import check_page


def _in_thread(coro_factory):
    """Run database set-up on a loop of its own: Playwright's sync API holds this thread's."""
    result: dict = {}

    def run() -> None:
        result["value"] = asyncio.run(coro_factory())

    t = threading.Thread(target=run)
    t.start()
    t.join()
    return result.get("value")


def _api(base_url: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url)
    r = client.post(
        "/api/v1/auth/login", json={"username": username, "password": "pingli-demo-2026"}
    )
    client.headers["Authorization"] = f"Bearer {r.json()['token']}"
    return client


def _at(day: date, hhmm: str) -> str:
    h, m = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, h, m, tzinfo=CHINA).isoformat()


def _accepted_case(grid: httpx.Client, title: str, parties: list[dict]) -> dict:
    from app.disputes.tables import Dispute

    case = grid.post(
        "/api/v1/disputes",
        json={
            "title": title,
            "category": "land",
            "description": "两家因宅基地边界和屋檐滴水发生争执，多次协商未果。",
            "parties": parties,
        },
    ).json()

    async def accept():
        await Dispute.update({Dispute.status: "accepted"}).where(Dispute.id == case["id"])

    _in_thread(accept)
    return case


def test_a_mediators_week_and_the_agreement_read_well_at_360px(
    phone, live_server, screenshots_dir, monkeypatch
):
    grid = _api(live_server.url, "demo-grid")
    village = _api(live_server.url, "demo-village")
    me = village.get("/api/v1/me").json()
    room = village.get("/api/v1/rooms").json()[0]
    today = clock.now().astimezone(CHINA).date()
    monday = today + timedelta(days=14 - today.weekday())
    plan = [
        (
            0,
            "09:00",
            "10:30",
            "宅基地边界纠纷",
            [
                {
                    "name": "王大山",
                    "role": "applicant",
                    "phone": "13800001111",
                    "id_number": "411726198001011234",
                    "address": "丁河村三组",
                },
                {
                    "name": "李小河",
                    "role": "respondent",
                    "phone": "13900002222",
                    "id_number": "411726198202022345",
                    "address": "丁河村三组",
                },
            ],
        ),
        (
            0,
            "14:00",
            "15:00",
            "赡养老人纠纷",
            [{"name": "张秀英", "role": "applicant"}, {"name": "张建国", "role": "respondent"}],
        ),
        (
            2,
            "10:00",
            "11:30",
            "民间借贷纠纷",
            [{"name": "刘明", "role": "applicant"}, {"name": "赵强", "role": "respondent"}],
        ),
        (
            3,
            "15:30",
            "16:30",
            "噪音扰民",
            [{"name": "周红", "role": "applicant"}, {"name": "吴涛", "role": "respondent"}],
        ),
    ]
    made = []
    for offset, start, end, title, parties in plan:
        case = _accepted_case(grid, title, parties)
        day = monday + timedelta(days=offset)
        r = village.post(
            "/api/v1/sessions",
            json={
                "dispute_id": case["id"],
                "room_id": room["id"],
                "starts_at": _at(day, start),
                "ends_at": _at(day, end),
                "mediator_ids": [me["id"]],
            },
        )
        assert r.status_code == 201, r.text
        made.append(r.json())
    first = made[0]
    moment = datetime.fromisoformat(first["ends_at"])
    monkeypatch.setattr(clock, "now", lambda: moment)  # the server runs in this process
    held = village.post(
        f"/api/v1/sessions/{first['id']}/actions/hold",
        json={
            "outcome": "agreement",
            "attended_party_ids": [p["id"] for p in first["parties"]],
            "minutes": "双方陈述，评理员逐一发表意见，双方自愿达成协议。",
            "agreement_terms": "一、王大山于十日内在屋檐下加装接水槽，雨水不再落入李小河院内。\n二、李小河不得阻拦施工，双方以现有围墙为界，互不侵占。\n三、双方今后友好相处，不再因此事发生争执。",
            "performance": "王大山自行施工，费用自理；村调委会于完工后现场查看。",
            "performance_deadline": str(monday + timedelta(days=10)),
        },
    )
    assert held.status_code == 200, held.text
    monkeypatch.undo()

    page = phone.new_page()
    sign_in(page, "demo-village")
    page.goto(f"/calendar/rooms/{room['id']}?date={monday}")
    assert "09:00–10:30" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=f"{screenshots_dir}/week-calendar-360.png", full_page=True)

    # pages deeper than the page walk reaches (tests/browser/test_every_page.py), same checks
    for deep in (f"/rooms/{room['id']}/edit", f"/sessions/{first['id']}"):
        page.goto(deep)
        assert check_page(page) == [], deep

    page.goto(f"/sessions/{first['id']}/agreement")
    text = page.inner_text("main")
    for needed in ("人民调解协议书", "王大山", "李小河", "加装接水槽", "人民调解委员会"):
        assert needed in text, needed
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert check_page(page) == []  # among others the contrast of the seal's （盖章）
    page.screenshot(path=f"{screenshots_dir}/agreement-360.png", full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=f"{screenshots_dir}/agreement-print-360.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # the printable width of A4 with the page's 18 mm side margins: 174 mm ≈ 658 CSS px
    page.set_viewport_size({"width": 658, "height": 930})
    page.screenshot(path=f"{screenshots_dir}/agreement-print-A4.png", full_page=True)
    assert page.locator(".topbar").is_hidden() and page.locator(".paper-tools").is_hidden()
    pdf = page.pdf(
        path=f"{screenshots_dir}/agreement-A4.pdf", format="A4", prefer_css_page_size=True
    )
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 2, pages
