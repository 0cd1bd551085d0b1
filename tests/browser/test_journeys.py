"""The journeys of the five roles, walked through the UI in Chromium at 360×740, zh-CN.

Each person does their work with clicks, typing and selects, and the test asserts what they
see. The API is used only to set up what somebody else did before (a case logged, accepted,
escalated) and the clock is moved only where the work waits for a day (a session is held on
the day it was booked for). Each journey fails when the feature it walks is broken: a held
session that does not resolve its case, a notice that never arrives, a filter that fails.
"""

from __future__ import annotations

import asyncio
import re
import threading
import uuid
from datetime import datetime, timedelta

import httpx
import pytest
from playwright.sync_api import expect

from app import clock
from app.sessions.rooms import CHINA
from tests.browser.conftest import PHONE, sign_in
from tests.support.geo import demo_grids
from tests.support.photos import camera_jpeg

PASSWORD = "pingli-demo-2026"
CASE_URL = re.compile(r".*/disputes/[0-9a-f-]{36}$")
VILLAGE_MEDIATOR = "张大姐（村调委会）"  # demo-village's name


# ---------------------------------------------------------------- what others did before


def _api(base_url: str, username: str, password: str = PASSWORD) -> httpx.Client:
    client = httpx.Client(base_url=base_url)
    r = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    client.headers["Authorization"] = f"Bearer {r.json()['token']}"
    return client


def _logged(base_url: str, title: str) -> dict:
    """A case demo-grid logged, with both parties named."""
    grid = _api(base_url, "demo-grid")
    r = grid.post(
        "/api/v1/disputes",
        json={
            "id": str(uuid.uuid4()),
            "title": title,
            "category": "land",
            "description": "两家因宅基地边界和屋檐滴水发生争执，多次协商未果。",
            "parties": [
                {"name": "王大山", "role": "applicant", "phone": "13800001111"},
                {"name": "李小河", "role": "respondent", "phone": "13900002222"},
            ],
        },
    )
    assert r.status_code == 201, r.text
    return r.json()


def _act(base_url: str, username: str, case_id: str, action: str, **fields) -> dict:
    client = _api(base_url, username)
    version = client.get(f"/api/v1/disputes/{case_id}").json()["version"]
    r = client.post(
        f"/api/v1/disputes/{case_id}/actions/{action}", json={"version": version, **fields}
    )
    assert r.status_code == 200, r.text
    return r.json()


def _passed_their_time_limit(case_ids: list[str]) -> None:
    """Days go by: the cases' time limits passed yesterday. The database is written from a
    thread with its own event loop (Playwright's sync API holds this thread's)."""
    from app.disputes.tables import Dispute

    yesterday = clock.now() - timedelta(days=1)

    async def update() -> None:
        await Dispute.update({Dispute.due_at: yesterday}).where(Dispute.id.is_in(case_ids))

    t = threading.Thread(target=lambda: asyncio.run(update()))
    t.start()
    t.join()


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def _grid_of_demo_grid():
    """demo-grid works in the first grid of the first village of the first township."""
    return min(demo_grids(), key=lambda n: n.code)


def _open_case(page, title: str) -> None:
    """From the case list: search by title (htmx narrows the list as one types), open it."""
    page.goto("/disputes")
    page.fill("input[name=q]", title)
    link = page.locator("#results a.case-link", has_text=title)
    expect(link).to_have_count(1)
    link.click()
    page.wait_for_url(CASE_URL)
    expect(page.locator("h1")).to_have_text(title)


def _act_in_page(page, action: str, fill=None) -> None:
    """Open an action of the case page, fill it, send it; htmx swaps the case in place."""
    page.click(f"#action-{action} summary")
    if fill:
        fill(page.locator(f"#action-{action} form"))
    page.click(f"#action-{action} button[type=submit]")
    expect(page.locator("#case [role=status]")).to_be_visible()


def _pick_day(page, day) -> None:
    """Choose a day on the booking form: htmx brings that day's free times in place of the
    others. Wait for exactly those, so a time picked is not swept away by a late swap."""
    wanted = day.isoformat()
    with page.expect_response(lambda r: "/sessions/new?" in r.url and f"date={wanted}" in r.url):
        page.fill("input[name=date]", wanted)  # a date input's fill fires one change event
    expect(page.locator(f"#slots .slots[data-date='{wanted}']")).to_be_visible()
    expect(page.locator(".htmx-request")).to_have_count(0)


def _booked(page) -> None:
    """After 预约: the session's page, or the test fails saying what the form answered."""
    page.wait_for_url(re.compile(r".*/sessions(/\d+)?$"))
    if not re.match(r".*/sessions/\d+$", page.url):
        said = page.locator("main .notice-error, main .field-error").all_inner_texts()
        raise AssertionError(f"the booking was refused: {said}")


# ---------------------------------------------------------------- the grid worker


def test_the_grid_worker_logs_a_case_with_gps_and_a_photo_and_hears_it_was_accepted(
    phone, live_server, screenshots_dir
):
    grid = _grid_of_demo_grid()
    inside = grid.geometry.representative_point()
    phone.grant_permissions(["geolocation"])
    phone.set_geolocation({"latitude": inside.y, "longitude": inside.x, "accuracy": 12})
    title = f"屋后排水沟纠纷 {uuid.uuid4().hex[:6]}"

    page = phone.new_page()
    sign_in(page, "demo-grid")
    page.click("nav a.primary-link[href='/disputes/new']")
    page.wait_for_url("**/disputes/new")
    page.fill("input[name=title]", title)
    page.select_option("select[name=category]", "neighbours")
    page.fill("textarea[name=description]", "两户因屋后排水沟堵塞互相指责，雨天积水漫进院子。")
    page.locator("input[name=party_name]").nth(0).fill("陈老三")
    page.locator("input[name=party_phone]").nth(0).fill("13712345678")
    page.locator("input[name=party_name]").nth(1).fill("孙二嫂")
    grid_option = page.locator("select[name=grid_id] option", has_text=grid.name)
    page.select_option("select[name=grid_id]", grid_option.first.get_attribute("value"))
    page.click("[data-gps-locate]")
    expect(page.locator("[data-gps-status]")).to_contain_text("12")  # "accurate to 12 m"
    assert float(page.input_value("input[name=lon]")) == pytest.approx(inside.x)
    page.set_input_files(
        "[data-photo-input]",
        files=[{"name": "IMG_2031.jpg", "mimeType": "image/jpeg", "buffer": camera_jpeg()}],
    )
    expect(page.locator("[data-photo-list] img")).to_have_count(1)
    _fits(page)
    page.click("#case-form button[type=submit].primary")

    # sent at once (there is a network): the phone opens the new case
    page.wait_for_url(CASE_URL, timeout=20000)
    expect(page.locator("h1")).to_have_text(title)
    facts = page.inner_text("dl.facts")
    assert grid.name in facts
    assert f"{inside.x:.5f}, {inside.y:.5f}" in facts  # the GPS point, as located
    expect(page.locator("#photos .photo-grid img")).to_have_count(1)
    expect(page.locator("#case .badge.status-logged")).to_be_visible()
    _fits(page)
    page.screenshot(path=f"{screenshots_dir}/journey-grid-logged-360.png", full_page=True)
    case_url = page.url

    # the village mediator accepts it, on their own phone
    mediator = phone.browser.new_context(base_url=live_server.url, locale="zh-CN", **PHONE)
    try:
        other = mediator.new_page()
        sign_in(other, "demo-village")
        other.goto(case_url)
        _act_in_page(other, "accept", lambda f: f.locator("input[name=rights_notified]").check())
        expect(other.locator("#case .badge.status-accepted")).to_be_visible()
    finally:
        mediator.close()

    # later the grid worker opens the notification centre and reads the news
    page.goto("/")
    expect(page.locator("nav a.bell .unread-badge")).to_be_visible()
    page.click("nav a.bell")
    page.wait_for_url("**/notifications")
    notice = page.locator(".notice-item", has_text=title)
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text("已受理")
    expect(notice).to_have_class(re.compile(r"\bunread\b"))
    _fits(page)
    notice.locator("button.notice-open").click()  # the notice leads to the case
    page.wait_for_url(case_url)
    expect(page.locator("#case .badge.status-accepted")).to_be_visible()


# ---------------------------------------------------------------- the village mediator


def test_the_village_mediator_takes_a_case_from_acceptance_to_closing(
    phone, live_server, screenshots_dir, monkeypatch
):
    tag = uuid.uuid4().hex[:6]
    title = f"宅基地滴水纠纷 {tag}"
    _logged(live_server.url, title)
    page = phone.new_page()
    sign_in(page, "demo-village")

    # a juror for the village's pool
    juror = f"周老师{tag}"
    page.goto("/jurors/new")
    page.fill("input[name=name]", juror)
    page.select_option("select[name=kind]", index=1)
    page.click("button[type=submit].primary")
    expect(page.locator("main")).to_contain_text(juror)

    # accept, and a visit to both households
    _open_case(page, title)
    _act_in_page(page, "accept", lambda f: f.locator("input[name=rights_notified]").check())
    expect(page.locator("#case .badge.status-accepted")).to_be_visible()

    def visit(form):
        form.locator("select[name=kind]").select_option("visit")
        form.locator("textarea[name=note]").fill("上门走访两户，查看屋檐和院墙，听取双方诉求。")

    _act_in_page(page, "record", visit)
    expect(page.locator("#case")).to_contain_text("上门走访两户")
    case_url = page.url

    # book a reasoning session, with the juror, on a day of this journey's own: months ahead,
    # where no other test books the room, the mediator or anybody else
    day = (clock.now().astimezone(CHINA) + timedelta(days=280)).date()
    page.click("a[href^='/sessions/new?dispute_id=']")
    page.wait_for_url("**/sessions/new?**")
    _pick_day(page, day)
    slot = page.locator("#slots input[name=slot]").first  # the first free time offered
    slot_value = slot.get_attribute("value")
    slot.check()
    me = page.locator("label.check", has_text=VILLAGE_MEDIATOR).locator("input[name=mediator_ids]")
    expect(me).to_be_checked()  # the one booking mediates, unless they say otherwise
    expect(page.locator("input[name=mediator_ids]:checked")).to_have_count(1)
    expect(page.locator("input[name=party_ids]:checked")).to_have_count(2)  # both invited
    pick = page.locator("li.juror-pick", has_text=juror)
    pick.locator("input[name=juror_ids]").check()
    pick.locator("input[name=confirmed_juror_ids]").check()
    expect(page.locator("input[name=public]")).to_be_checked()  # 大家来评理: in the open
    _fits(page)
    page.click("#book-form button[type=submit].primary")
    _booked(page)
    expect(page.locator("main")).to_contain_text(juror)
    session_url = page.url

    # the day of the session comes: the clock moves to its end
    h, m = map(int, slot_value.split("-")[1].split(":"))
    held_at = datetime(day.year, day.month, day.day, h, m, tzinfo=CHINA)
    monkeypatch.setattr(clock, "now", lambda: held_at)  # the server runs in this process
    sign_in(page, "demo-village")  # a week later: signed out meanwhile
    page.goto(session_url)
    page.locator("details.action", has=page.locator("form[action$='/actions/hold']")).locator(
        "summary"
    ).click()
    page.check("input[name=outcome][value=agreement]")
    page.fill("textarea[name=minutes]", "双方陈述，评理员周老师发表意见，双方自愿达成协议。")
    terms = ["王大山于十日内加装接水槽", "李小河不得阻拦施工"]
    page.fill("textarea[name=agreement_terms]", "\n".join(terms))
    page.fill("textarea[name=performance]", "王大山自行施工，村调委会完工后查看。")
    page.click("form[action$='/actions/hold'] button[type=submit]")
    expect(page.locator(".badge.session-held")).to_be_visible()
    expect(page.locator(".case-link")).to_contain_text("案件已按以上条款化解")

    # the case: resolved with the session's terms, the countdown running, the file complete
    page.goto(case_url)
    expect(page.locator("#case .badge.status-resolved")).to_be_visible()
    listed = page.locator("#case > section > ol.terms-list > li")
    expect(listed).to_have_count(2)
    for i, text in enumerate(terms):
        expect(listed.nth(i)).to_contain_text(text)
    expect(page.locator(".ladder")).to_contain_text("村级已调解 1 次")  # the session counted
    countdown = page.locator("p.countdown")  # 司法确认: 30 days from the signing, running
    expect(countdown).to_contain_text((day + timedelta(days=30)).isoformat())
    expect(countdown).to_contain_text("还剩 30 天")
    documents = page.locator("#case ul.documents")
    for paper in ("调解笔录", "调解协议书"):  # the session's minutes and its agreement
        expect(documents.locator("li.present", has_text=paper)).to_have_count(1)
    missing = page.locator("ul.documents li.missing")
    expect(missing).to_have_count(1)  # only the follow-up visit is still to come
    expect(missing).to_contain_text("回访")
    _fits(page)
    page.screenshot(path=f"{screenshots_dir}/journey-village-resolved-360.png", full_page=True)

    # the follow-up visit, then closing: the file is complete, no reason is asked for
    def follow_up(form):
        form.locator("select[name=method]").select_option(index=1)
        form.locator("select[name=honoured]").select_option(index=1)
        form.locator("input[name=satisfaction][value='5']").check()
        form.locator("textarea[name=note]").fill("接水槽已装好，双方满意。")

    _act_in_page(page, "follow-up", follow_up)
    expect(page.locator("ul.documents li.missing")).to_have_count(0)
    page.click("#action-close summary")
    expect(page.locator("#action-close textarea[name=override_reason]")).to_have_count(0)
    page.click("#action-close button[type=submit]")
    expect(page.locator("#case .badge.status-closed")).to_be_visible()
    expect(page.locator("#action-close")).to_have_count(0)
    expect(page.locator("#case")).to_contain_text("回访记录")


# ---------------------------------------------------------------- the township officer


def test_the_township_officer_supervises_one_case_and_hands_another_back(
    phone, live_server, browser
):
    tag = uuid.uuid4().hex[:6]
    slow = _logged(live_server.url, f"邻里通道纠纷 {tag}")
    _act(live_server.url, "demo-village", slow["id"], "accept")
    up = _logged(live_server.url, f"承包地界纠纷 {tag}")
    _act(live_server.url, "demo-village", up["id"], "accept")
    _act(live_server.url, "demo-village", up["id"], "escalate", reason="涉及两个村民小组的地界")

    page = phone.new_page()
    sign_in(page, "demo-township")

    # supervise (督办) the village's case: instructions and a day to reply by
    _open_case(page, slow["title"])
    reply_by = (clock.now().astimezone(CHINA) + timedelta(days=5)).date().isoformat()

    def supervise(form):
        form.locator("textarea[name=instructions]").fill("请五日内组织双方调解并报告进展。")
        form.locator("input[name=due_on]").fill(reply_by)

    _act_in_page(page, "supervise", supervise)
    expect(page.locator("#case .case-meta .badge.warn", has_text="督办")).to_be_visible()
    orders = page.locator("ul.orders li")
    expect(orders).to_have_count(1)
    expect(orders).to_contain_text("请五日内组织双方调解")
    expect(orders).to_contain_text(reply_by)
    _fits(page)

    # hand the escalated case back to the village, granting one more session
    _open_case(page, up["title"])
    expect(page.locator("#case .badge.status-escalated")).to_be_visible()

    def hand_back(form):
        form.locator("select[name=to_level]").select_option("village")
        form.locator("textarea[name=instructions]").fill(
            "地界以1998年承包合同附图为准，请村里再调。"
        )
        form.locator("input[name=extra_attempts]").fill("1")

    _act_in_page(page, "hand-back", hand_back)
    expect(page.locator("#case .badge.level")).to_contain_text(up["village"]["name"])
    expect(page.locator("#action-hand-back")).to_have_count(0)  # no longer the township's
    expect(page.locator(".ladder")).to_contain_text("交办时另给 1 次")  # the session granted
    expect(page.locator("#case")).to_contain_text("地界以1998年承包合同附图为准")

    # the village hears of both, in its notification centre
    village = browser.new_context(base_url=live_server.url, locale="zh-CN", **PHONE)
    try:
        other = village.new_page()
        sign_in(other, "demo-village")
        other.goto("/notifications")
        supervised = other.locator(".notice-item", has_text=slow["title"]).filter(has_text="督办")
        expect(supervised).to_contain_text(f"收到督办，请于 {reply_by} 前回复")
        handed = other.locator(".notice-item", has_text=up["title"])
        expect(handed.filter(has_text="已交办至你处")).to_have_count(1)
    finally:
        village.close()


# ---------------------------------------------------------------- the county officer


def test_the_county_officer_filters_the_overdue_list_pages_it_and_drills_down(phone, live_server):
    # more than a page of overdue cases: a dozen logged and left to pass their time limit
    tag = uuid.uuid4().hex[:6]
    late = [_logged(live_server.url, f"无人受理的纠纷 {tag}-{i}")["id"] for i in range(12)]
    _passed_their_time_limit(late)
    page = phone.new_page()
    sign_in(page, "demo-county")
    page.goto("/disputes")
    everything = page.inner_text("#results p.total")

    # the overdue resolutions only: htmx swaps the results and the address keeps the filter
    page.select_option("select[name=queue]", "overdue_resolution")
    page.wait_for_url(re.compile(r".*queue=overdue_resolution.*"))
    expect(page.locator("#results p.total")).not_to_have_text(everything)
    expect(page.locator("#results .notice-error")).to_have_count(0)
    items = page.locator("#results li.case")
    expect(items).to_have_count(20)
    assert items.evaluate_all("els => els.every(e => e.classList.contains('is-overdue'))")
    first_page = items.locator(".case-no").all_inner_texts()

    # narrowed further by category, then back to every category
    page.select_option("select[name=category]", "land")
    page.wait_for_url(re.compile(r".*category=land.*"))
    expect(page.locator("#results li.case .badge", has_text="土地").first).to_be_visible()
    assert all("土地" in t for t in page.locator("#results li.case").all_inner_texts())
    page.select_option("select[name=category]", "")
    expect(page.locator("#results li.case .case-no").first).to_have_text(first_page[0])

    # the next page: other overdue cases, still filtered
    page.click("#results nav.pager a:has-text('下一页')")
    page.wait_for_url(re.compile(r".*page=2.*"))
    expect(page.locator("#results nav.pager")).to_contain_text("2")
    second_page = page.locator("#results li.case .case-no").all_inner_texts()
    assert second_page and not set(second_page) & set(first_page)
    assert page.locator("#results li.case").evaluate_all(
        "els => els.every(e => e.classList.contains('is-overdue'))"
    )
    assert page.input_value("select[name=queue]") == "overdue_resolution"
    _fits(page)

    # the dashboard: a figure opens the list of exactly those cases
    page.click("nav a[href='/monitor']")
    page.wait_for_url("**/monitor")
    tile = page.locator("#fig-overdue_resolution")
    shown = int(tile.get_attribute("data-value"))
    assert shown > 20
    tile.click()
    page.wait_for_url("**/disputes?**")
    expect(page.locator("#results p.total")).to_contain_text(str(shown))
    assert page.locator("#results li.case").evaluate_all(
        "els => els.length > 0 && els.every(e => e.classList.contains('is-overdue'))"
    )


# ---------------------------------------------------------------- the administrator


def test_the_administrator_creates_a_mediator_who_then_works_in_their_village(
    phone, live_server, browser
):
    title = f"鸡鸭越界纠纷 {uuid.uuid4().hex[:6]}"
    case = _logged(live_server.url, title)
    village = case["village"]["name"]

    page = phone.new_page()
    sign_in(page, "demo-admin")
    page.click("nav >> text=用户管理")
    page.wait_for_url("**/admin/users")
    page.click("text=新建用户")
    username = f"m-{uuid.uuid4().hex[:8]}"
    page.fill("input[name=username]", username)
    page.fill("input[name=display_name]", "新任调解员")
    page.select_option("select[name=role]", "village_mediator")
    page.fill("input[name=q]", village)
    page.check(f"#node-choices input[type=radio][value='{case['village']['id']}']")
    _fits(page)
    page.click("button[type=submit].primary")
    temporary = page.inner_text("#temporary-password").strip()
    assert len(temporary) == 12
    page.goto("/admin/users")
    page.fill("input[name=q]", username)
    expect(page.locator("#results")).to_contain_text("新任调解员")

    # the new mediator signs in, chooses a password and finds the village's new case to accept
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **PHONE)
    try:
        mediator = context.new_page()
        mediator.goto("/login")
        mediator.fill("input[name=username]", username)
        mediator.fill("input[name=password]", temporary)
        mediator.click("button[type=submit]")
        mediator.wait_for_url(re.compile(r".*/account/password.*"))
        mediator.fill("input[name=current_password]", temporary)
        mediator.fill("input[name=new_password]", "paddy-field-2026")
        mediator.fill("input[name=confirm_password]", "paddy-field-2026")
        mediator.click("button[type=submit]")
        mediator.wait_for_url(lambda url: "/account/password" not in url)
        _open_case(mediator, title)
        expect(mediator.locator("#action-accept")).to_be_visible()
    finally:
        context.close()
