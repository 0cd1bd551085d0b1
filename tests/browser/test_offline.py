"""Field capture on a phone with no signal: install, log cases offline with a photo, and see
each of them reach the server exactly once when the network returns, even when it drops
again in the middle of sending.

How the network is cut: `context.set_offline(True)` reaches pages and, in this Chromium,
the service worker as well (the worker serves the kept pages; the outbox waits). To cut
the network in the middle of a sync, at an exact request, the tests route the API through
`context.route`, which also sees the service worker's requests: "answer lost" forwards the
request to the server and then aborts the connection instead of delivering the answer, so
the server has stored the case but the phone never hears it; "request lost" aborts before
the server sees anything.
"""

from __future__ import annotations

import json
import re
import time
import uuid

import shapely.geometry

from tests.browser.conftest import CHROMIUM, LAUNCH_ARGS, PHONE, sign_in
from tests.support.photos import camera_jpeg


def ready_for_the_field(page, username: str = "demo-grid") -> None:
    """Signed in, the service worker in control, and the forms kept for offline use."""
    sign_in(page, username)
    eventually(
        page,
        "navigator.serviceWorker.ready.then(r => r.active.state === 'activated')",
        diagnose=SW_STATE,
    )
    if not page.evaluate("navigator.serviceWorker.controller !== null"):
        # The page started loading just before the worker activated and claimed the open
        # pages, so it is not controlled; the next page the worker opens is.
        page.reload()
    eventually(page, "navigator.serviceWorker.controller !== null", diagnose=SW_STATE)
    kept = "Promise.all(['/disputes/new', '/checkins', '/outbox', '/offline'].map(p => caches.match(p)))"
    eventually(page, kept + ".then(found => found.every(Boolean))")


SW_STATE = (
    "navigator.serviceWorker.getRegistration().then(r => r && "
    "[r.installing && r.installing.state, r.waiting && r.waiting.state, r.active && r.active.state])"
)


def eventually(page, expression: str, seconds: float = 20, diagnose: str | None = None) -> None:
    """Poll an expression that may be a promise (wait_for_function does not await one)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(
                f"never true: {expression} ({page.evaluate(diagnose) if diagnose else ''})"
            )
        page.wait_for_timeout(100)


def log_case(
    page, title: str, photo: bytes | None = None, gps: bool = False, **fields: str
) -> None:
    page.goto("/disputes/new")
    page.fill("input[name=title]", title)
    page.select_option("select[name=category]", fields.pop("category", "neighbours"))
    page.locator("input[name=party_name]").first.fill("王大伯")
    for name, value in fields.items():
        page.fill(f"[name={name}]", value)
    if gps:
        page.click("[data-gps-locate]")
        page.wait_for_selector("[data-gps-status]:has-text('已定位')")
    if photo is not None:
        page.set_input_files(
            "[data-photo-input]",
            files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": photo}],
        )
        page.wait_for_selector("[data-photo-list] img")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-capture-status]:not([hidden])")


def outbox_records(page) -> list[dict]:
    return page.evaluate("PingliOutbox.all()")


def cases_titled(page, title: str) -> list[dict]:
    r = page.request.get(f"/api/v1/disputes?q={title}")
    assert r.ok, r.text()
    return [c for c in r.json()["items"] if c["title"] == title]


def photos_of(page, case_id: str) -> list[dict]:
    return page.request.get(f"/api/v1/disputes/{case_id}/photos").json()


def sync_until_empty(page, rounds: int = 6) -> None:
    """Run the outbox until nothing waits, as the online event, app opens and Background
    Sync would, one after the other."""
    for _ in range(rounds):
        result = page.evaluate("Pingli.syncNow()")
        if result and not result.get("busy") and result["pending"] == 0:
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"outbox not empty: {outbox_records(page)}")


def test_the_app_meets_the_install_criteria(browser, live_server, tmp_path):
    # A persistent profile: Chromium never offers to install from an incognito context,
    # which is what ordinary Playwright contexts are.
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=CHROMIUM,
        args=LAUNCH_ARGS,
        headless=True,
        base_url=live_server.url,
        locale="zh-CN",
        **PHONE,
    )
    try:
        page = context.new_page()
        page.goto("/login")
        eventually(
            page,
            "navigator.serviceWorker.controller && navigator.serviceWorker.controller.state === 'activated'",
        )
        cdp = context.new_cdp_session(page)
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["errors"] == [] and manifest["url"].endswith("/manifest.webmanifest")
        data = json.loads(manifest["data"])
        assert data["name"] == "评理" and data["display"] == "standalone"
        assert {"maskable"} <= {i["purpose"] for i in data["icons"]}
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    finally:
        context.close()


def test_cases_logged_offline_reach_the_server_once_with_their_photo(phone, screenshots_dir):
    page = phone.new_page()
    ready_for_the_field(page)
    # two points of the worker's own grid (the form's grid: a point must lie in it)
    grid = my_node(page).geometry
    here = grid.representative_point()
    pin = grid.centroid if grid.contains(grid.centroid) else here
    fix = (round(here.x, 4), round(here.y, 4))
    typed_at = (round(pin.x, 3), round(pin.y, 3))
    assert grid.contains(shapely.geometry.Point(*fix)) and grid.contains(
        shapely.geometry.Point(*typed_at)
    )
    phone.grant_permissions(["geolocation"])
    phone.set_geolocation({"latitude": fix[1], "longitude": fix[0], "accuracy": 15})
    tag = uuid.uuid4().hex[:6]
    titles = [f"离线登记{tag}-{i}" for i in range(3)]

    phone.set_offline(True)
    log_case(page, titles[0], photo=camera_jpeg(2400, 1800))
    assert page.evaluate("navigator.onLine") is False
    log_case(page, titles[1], gps=True, category="land", description="两户争田埂")
    log_case(page, titles[2], category="debt", lon=str(typed_at[0]), lat=str(typed_at[1]))
    page.screenshot(path=f"{screenshots_dir}/offline-saved-360.png", full_page=True)
    assert len({r["id"] for r in outbox_records(page)}) == 3

    # the app still opens with no network: the shell, the form and the outbox
    page.goto("/outbox")
    page.reload()
    for title in titles:
        page.wait_for_selector(f"[data-outbox-list] >> text={title}")
    assert page.inner_text("[data-outbox-waiting]") == "3"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=f"{screenshots_dir}/outbox-offline-360.png", full_page=True)
    page.goto("/disputes/new")
    assert page.is_visible("input[name=title]")
    page.goto("/outbox")

    phone.set_offline(False)  # the online event sends the outbox
    page.wait_for_selector("[data-outbox-waiting]:text-is('0')", timeout=20000)
    sync_until_empty(page)
    cases = {title: cases_titled(page, title) for title in titles}
    assert all(len(found) == 1 for found in cases.values()), cases
    with_photo = photos_of(page, cases[titles[0]][0]["id"])
    assert len(with_photo) == 1 and max(with_photo[0]["width"], with_photo[0]["height"]) == 1600
    assert photos_of(page, cases[titles[1]][0]["id"]) == []
    located = page.request.get(f"/api/v1/disputes/{cases[titles[1]][0]['id']}").json()
    assert (located["lon"], located["lat"], located["gps_accuracy_m"]) == (*fix, 15)
    typed = page.request.get(f"/api/v1/disputes/{cases[titles[2]][0]['id']}").json()
    assert (typed["lon"], typed["gps_accuracy_m"]) == (
        typed_at[0],
        None,
    )  # a manual pin: no accuracy


def test_pages_seen_recently_open_without_network_and_others_say_so(phone):
    page = phone.new_page()
    ready_for_the_field(page)
    page.goto("/disputes")
    seen = page.inner_text(".cases")
    phone.set_offline(True)
    page.goto("/disputes")
    assert page.inner_text(".cases") == seen
    page.goto("/disputes?page=2")  # never opened on this phone
    assert page.inner_text("h1") == "没有网络"
    page.click("main a[href='/disputes/new']")  # the offline page leads to what still works
    page.wait_for_url("**/disputes/new")
    assert page.is_visible("input[name=title]")


def test_a_waiting_record_can_be_discarded_and_is_never_sent(phone):
    page = phone.new_page()
    ready_for_the_field(page)
    title = f"记错了{uuid.uuid4().hex[:6]}"
    phone.set_offline(True)
    log_case(page, title)
    page.goto("/outbox")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click(f".outbox-item:has-text('{title}') >> text=删除")
    page.wait_for_selector(f".outbox-item:has-text('{title}')", state="detached")
    phone.set_offline(False)
    sync_until_empty(page)
    assert cases_titled(page, title) == []


def test_a_sync_cut_off_midway_loses_nothing_and_stores_nothing_twice(phone):
    page = phone.new_page()
    ready_for_the_field(page)
    tag = uuid.uuid4().hex[:6]
    titles = [f"断网同步{tag}-{i}" for i in range(3)]
    phone.set_offline(True)
    log_case(page, titles[0], photo=camera_jpeg())
    log_case(page, titles[1])
    log_case(page, titles[2])

    cuts = {"posts": 0, "puts": 0}

    def answer_lost(route):
        # the first case reaches the server; its answer is lost on the way back
        cuts["posts"] += 1
        if cuts["posts"] == 1:
            route.fetch()
            route.abort("connectionreset")
        else:
            route.continue_()

    def request_lost(route):
        # the first photo upload dies before the server sees it
        cuts["puts"] += 1
        route.abort("internetdisconnected") if cuts["puts"] == 1 else route.continue_()

    phone.route("**/api/v1/disputes", answer_lost)
    phone.route("**/api/v1/disputes/*/photos/*", request_lost)
    phone.set_offline(False)
    sync_until_empty(page)

    assert cuts["posts"] >= 4 and cuts["puts"] >= 2  # the cut case and photo were sent again
    for title in titles:
        assert len(cases_titled(page, title)) == 1, title
    first = cases_titled(page, titles[0])[0]
    assert len(photos_of(page, first["id"])) == 1
    assert all(r["state"] == "sent" for r in outbox_records(page) if r["label"] in titles)


def my_node(page):
    """The signed-in user's own area in the demo county as built (with its geometry)."""
    from app.seed.territory import walk
    from tests.support.geo import demo_county

    code = page.evaluate("fetch('/api/v1/me').then(r => r.json())")["jurisdiction"]["code"]
    return next(n for n in walk(demo_county()) if n.code == code)


def test_a_case_the_server_refuses_stays_in_the_outbox_until_corrected(phone, screenshots_dir):
    page = phone.new_page()
    ready_for_the_field(page)
    title = f"坐标写错{uuid.uuid4().hex[:6]}"
    phone.set_offline(True)
    log_case(page, title, lon="213.3", lat="32.7")  # a typo: longitude out of range
    phone.set_offline(False)
    page.goto("/outbox")
    page.wait_for_selector(".outbox-item.state-rejected")
    item = page.inner_text(".outbox-item.state-rejected")
    # the field and its bound, in Chinese (msgspec's bound, put in words by validation_messages)
    assert title in item and "经度" in item and "180" in item
    page.screenshot(path=f"{screenshots_dir}/outbox-refused-360.png", full_page=True)
    assert cases_titled(page, title) == []

    page.click(".outbox-item.state-rejected a:text-is('修改')")
    page.wait_for_url("**/disputes/new?outbox=*")
    page.wait_for_selector("[aria-invalid=true][name=lon]")
    assert page.input_value("input[name=title]") == title
    # corrected to a point of the worker's own grid (the form's grid): a point must lie in it
    point = my_node(page).geometry.representative_point()
    page.fill("input[name=lon]", f"{point.x:.6f}")
    page.fill("input[name=lat]", f"{point.y:.6f}")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/disputes/[0-9a-f-]{36}$"))  # sent, and shown on the server
    assert len(cases_titled(page, title)) == 1


def test_an_expired_session_keeps_the_outbox_until_the_worker_signs_in_again(phone):
    page = phone.new_page()
    ready_for_the_field(page)
    title = f"会话过期{uuid.uuid4().hex[:6]}"
    phone.set_offline(True)
    log_case(page, title)
    phone.clear_cookies()  # the login lapsed while the worker was out of signal
    phone.set_offline(False)
    page.goto("/outbox")
    page.wait_for_selector("#outbox-bar >> text=重新登录")
    assert "请重新登录后发送" in page.inner_text("[data-outbox-list]")
    assert [r["state"] for r in outbox_records(page) if r["label"] == title] == ["queued"]
    page.click("#outbox-bar a")
    page.fill("input[name=username]", "demo-grid")
    page.fill("input[name=password]", "pingli-demo-2026")
    page.click("button[type=submit]")
    page.wait_for_url("**/outbox")
    page.wait_for_selector(f".outbox-item.state-sent >> text={title}", timeout=20000)
    assert len(cases_titled(page, title)) == 1


def test_a_patrol_check_in_logged_offline_is_recorded_once(phone):
    page = phone.new_page()
    ready_for_the_field(page)
    note = f"巡查无异常{uuid.uuid4().hex[:6]}"
    phone.set_offline(True)
    page.goto("/checkins")
    page.fill("textarea[name=note]", note)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-capture-status]:not([hidden])")
    checked_at = next(r for r in outbox_records(page) if r["kind"] == "checkin")["payload"][
        "checked_at"
    ]
    phone.set_offline(False)
    sync_until_empty(page)
    page.goto("/checkins")
    assert page.locator(f"text={note}").count() == 1
    assert checked_at  # the time on the phone when the worker checked in


def test_the_outbox_moves_to_another_phone_as_a_file(browser, live_server, tmp_path):
    old_phone = browser.new_context(base_url=live_server.url, locale="zh-CN", **PHONE)
    new_phone = browser.new_context(base_url=live_server.url, locale="zh-CN", **PHONE)
    try:
        page = old_phone.new_page()
        ready_for_the_field(page)
        title = f"换手机{uuid.uuid4().hex[:6]}"
        old_phone.set_offline(True)
        log_case(page, title, photo=camera_jpeg())
        page.goto("/outbox")
        with page.expect_download() as download:
            page.click("[data-outbox-export]")
        exported = tmp_path / "outbox.json"
        download.value.save_as(exported)
        assert title in exported.read_text()

        other = new_phone.new_page()
        ready_for_the_field(other)
        other.goto("/outbox")
        other.set_input_files("[data-outbox-import]", str(exported))
        other.wait_for_selector("[data-outbox-notice]:not([hidden])")
        sync_until_empty(other)
        found = cases_titled(other, title)
        assert len(found) == 1 and len(photos_of(other, found[0]["id"])) == 1
    finally:
        old_phone.close()
        new_phone.close()


def test_a_point_in_another_grid_is_refused_and_its_grid_taken_in_one_tap(phone):
    """The form's map picks the grid of a typed point; a worker who then chooses another grid
    anyway goes through the outbox and the API: the 422 says once where the point is, and
    "使用该位置所在网格" saves the case in that grid. The outbox page says it in one line too,
    and the button is there when the record is opened from it."""
    page = phone.new_page()
    ready_for_the_field(page, "demo-village")
    village = my_node(page)
    chosen, other = village.children[0], village.children[1]
    point = other.geometry.representative_point()
    title = f"网格不符{uuid.uuid4().hex[:6]}"
    page.goto("/disputes/new")
    page.fill("input[name=title]", title)
    page.select_option("select[name=category]", "neighbours")
    page.wait_for_selector("[data-capture-map] [data-map][data-grids]")
    page.fill("input[name=lon]", f"{point.x:.6f}")
    page.fill("input[name=lat]", f"{point.y:.6f}")
    picked = page.get_attribute("[data-capture-map]", "data-grid")
    assert page.input_value("select[name=grid_id]") == picked  # the map chose the point's grid
    page.select_option("select[name=grid_id]", label=f"{village.name} · {chosen.name}")
    assert page.input_value("select[name=grid_id]") != picked
    page.click("button[type=submit]")
    page.wait_for_selector("[data-capture-status].notice-error")
    form = page.inner_text("#case-form")
    assert form.count("不在所选网格内") == 1 and other.name in form
    assert cases_titled(page, title) == []

    page.goto("/outbox")
    page.wait_for_selector(".outbox-item.state-rejected")
    item = page.inner_text(".outbox-item.state-rejected")
    assert "经度 / 纬度" in item and item.count("不在所选网格内") == 1

    page.click(".outbox-item.state-rejected a:text-is('修改')")
    page.wait_for_url("**/disputes/new?outbox=*")
    page.click("button:has-text('使用该位置所在网格')")
    page.wait_for_url(re.compile(r".*/disputes/[0-9a-f-]{36}$"), wait_until="commit")
    (case,) = cases_titled(page, title)
    assert case["grid_name"] == other.name
