"""WeChat's built-in browser, and storage the browser clears (issue 16, items 5 and 6).

In WeChat (and QQ, DingTalk, Weibo, Alipay… or any browser without a service worker or
IndexedDB) the page says how to open it in the phone's browser for offline use, keeps the
outbox in IndexedDB and localStorage both, promises nothing for later, and still delivers each
entry exactly once, whichever copy survives. On any phone: persistent storage is asked for once
after the first sign-in, and an outbox the browser wiped before it was sent is noticed and the
worker told what to log again.

WeChat here: a real WeChat 8 (XWeb) user agent, with service workers blocked as in X5.
"""

from __future__ import annotations

import json
import uuid

import pytest

from tests.browser.conftest import PHONE, sign_in
from tests.browser.test_offline import cases_titled, eventually, outbox_records, sync_until_empty

WECHAT_UA = (
    "Mozilla/5.0 (Linux; Android 12; V2068A Build/SP1A.210812.003; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/107.0.5304.141 Mobile Safari/537.36 XWEB/5023 "
    "MMWEBSDK/20230202 MMWEBID/1234 MicroMessenger/8.0.33.2320(0x28002151) WeChat/arm64 "
    "Weixin NetType/4G Language/zh_CN ABI/arm64"
)
RAW_IDB_RECORDS = """new Promise((resolve, reject) => {
  const open = indexedDB.open('pingli-outbox');
  open.onsuccess = () => {
    const db = open.result;
    if (!db.objectStoreNames.contains('records')) { db.close(); resolve([]); return; }
    const get = db.transaction('records').objectStore('records').getAll();
    get.onsuccess = () => { db.close(); resolve(get.result); };
    get.onerror = () => reject(get.error);
  };
  open.onerror = () => reject(open.error);
})"""
LS_RECORDS = "JSON.parse(localStorage.getItem('pingli-outbox-records') || '{}')"
# the page's connection closes on versionchange (outbox-db.js), so the deletion goes through
DELETE_IDB = """new Promise((resolve) => {
  const del = indexedDB.deleteDatabase('pingli-outbox');
  del.onsuccess = del.onerror = del.onblocked = () => resolve(true);
})"""


@pytest.fixture
def wechat(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        user_agent=WECHAT_UA,
        service_workers="block",
        **PHONE,
    )
    yield context
    context.close()


def fill_case(page, title: str) -> None:
    """Fill and save the case form already open (no service worker: no page loads offline)."""
    page.fill("input[name=title]", title)
    page.select_option("select[name=category]", "neighbours")
    page.locator("input[name=party_name]").first.fill("王大伯")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-capture-status]:not([hidden])")


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_wechat_shows_how_to_open_the_page_in_the_phones_browser(wechat, phone, screenshots_dir):
    page = wechat.new_page()
    page.goto("/login")
    banner = page.locator("[data-webview-banner]")
    assert banner.is_visible()
    assert "在浏览器打开" in banner.inner_text()
    assert "右上角" in banner.inner_text()
    assert fits_the_screen(page)
    sign_in(page, "demo-grid")
    page.goto("/disputes/new")
    assert banner.is_visible() and fits_the_screen(page)
    page.screenshot(path=f"{screenshots_dir}/wechat-banner.png")
    mode = page.evaluate("[PingliWebview.app, PingliWebview.active, PingliOutbox.mirrored]")
    assert mode == ["wechat", True, True]
    # the outbox page no longer says entries survive closing the app
    page.goto("/outbox")
    assert "关闭本页" in page.locator("main").inner_text()
    assert not page.locator("main p[data-not-webview]").is_visible()
    # the phone's own browser: no banner, no second copy
    other = phone.new_page()
    other.goto("/login")
    other.wait_for_load_state()
    assert not other.locator("[data-webview-banner]").is_visible()
    assert other.evaluate("PingliWebview.active") is False


def test_in_wechat_a_case_kept_only_in_localstorage_is_delivered_exactly_once(wechat):
    page = wechat.new_page()
    sign_in(page, "demo-grid")
    page.goto("/disputes/new")
    title = f"微信离线{uuid.uuid4().hex[:6]}"
    wechat.set_offline(True)
    fill_case(page, title)
    status = page.locator("[data-capture-status]").inner_text()
    # no promise that the phone keeps it for later
    assert "不要关闭本页" in status and "有网络时会自动发送" not in status
    record = next(r for r in outbox_records(page) if r["label"] == title)
    assert record["id"] in page.evaluate(LS_RECORDS)
    assert record["id"] in {r["id"] for r in page.evaluate(RAW_IDB_RECORDS)}
    stale = page.evaluate(LS_RECORDS)[record["id"]]  # the copy as it was before any send
    # WeChat clears IndexedDB; localStorage survives
    page.evaluate(DELETE_IDB)
    assert page.evaluate(RAW_IDB_RECORDS) == []
    wechat.set_offline(False)
    sync_until_empty(page)
    cases = cases_titled(page, title)
    assert len(cases) == 1 and cases[0]["id"] == record["id"]
    eventually(page, f"PingliOutbox.get('{record['id']}').then(r => r && r.state === 'sent')")
    # Both copies agree again. Then IndexedDB is cleared once more and only the copy from
    # before the send survives: it goes again, and the server still holds the case once.
    assert page.evaluate(LS_RECORDS)[record["id"]]["state"] == "sent"
    page.evaluate(DELETE_IDB)
    page.evaluate(
        f"localStorage.setItem('pingli-outbox-records', JSON.stringify({json.dumps({record['id']: stale})}))"
    )
    page.reload()
    sync_until_empty(page)
    assert len(cases_titled(page, title)) == 1
    assert page.evaluate(LS_RECORDS)[record["id"]]["state"] == "sent"


def test_in_wechat_a_case_kept_only_in_indexeddb_is_delivered_exactly_once(wechat):
    page = wechat.new_page()
    sign_in(page, "demo-grid")
    page.goto("/disputes/new")
    title = f"微信存储{uuid.uuid4().hex[:6]}"
    wechat.set_offline(True)
    fill_case(page, title)
    record = next(r for r in outbox_records(page) if r["label"] == title)
    page.evaluate("localStorage.removeItem('pingli-outbox-records')")
    wechat.set_offline(False)
    sync_until_empty(page)
    cases = cases_titled(page, title)
    assert len(cases) == 1 and cases[0]["id"] == record["id"]
    # read back, the localStorage copy is there again, as sent
    eventually(page, f"PingliOutbox.get('{record['id']}').then(r => r && r.state === 'sent')")
    assert page.evaluate(LS_RECORDS)[record["id"]]["state"] == "sent"
    page.reload()
    sync_until_empty(page)
    assert len(cases_titled(page, title)) == 1


COUNT_PERSIST = """(() => {
  const storage = navigator.storage;
  if (!storage || !storage.persist) return;
  const ask = storage.persist.bind(storage);
  storage.persist = () => {
    localStorage.setItem('test-persist-asked', String(Number(localStorage.getItem('test-persist-asked') || 0) + 1));
    return ask();
  };
})()"""


def test_persistent_storage_is_asked_for_once_after_the_first_sign_in(phone):
    phone.add_init_script(COUNT_PERSIST)
    page = phone.new_page()
    page.goto("/login")
    page.wait_for_timeout(300)
    assert page.evaluate("localStorage.getItem('test-persist-asked')") is None
    sign_in(page, "demo-grid")
    eventually(page, "localStorage.getItem('pingli-persist') !== null")
    answer = json.loads(page.evaluate("localStorage.getItem('pingli-persist')"))
    assert isinstance(answer["granted"], bool) and answer["at"]
    for path in ("/disputes/new", "/outbox", "/"):
        page.goto(path)
        page.wait_for_timeout(300)
    assert page.evaluate("localStorage.getItem('test-persist-asked')") == "1"
    # the answer is kept in the outbox database as well
    assert page.evaluate("PingliOutbox.getMeta('persist')")["granted"] == answer["granted"]


def test_an_outbox_the_browser_wiped_is_noticed_and_the_worker_told(phone, live_server):
    page = phone.new_page()
    sign_in(page, "demo-grid")
    page.goto("/disputes/new")
    title = f"被清除{uuid.uuid4().hex[:6]}"
    phone.set_offline(True)
    fill_case(page, title)
    record = next(r for r in outbox_records(page) if r["label"] == title)
    # the network returns but the server cannot take the case yet
    phone.route(
        "**/api/v1/disputes",
        lambda route: (
            route.fulfill(status=503, json={"title": "busy", "status": 503})
            if route.request.method == "POST"
            else route.continue_()
        ),
    )
    phone.set_offline(False)
    page.evaluate("Pingli.syncNow()")
    eventually(page, f"PingliOutbox.get('{record['id']}').then(r => r && r.state === 'failed')")
    # the phone's report (with the entry's title) has reached the server: the cookie ledger of
    # unreported entries no longer holds it
    eventually(page, f"document.cookie.indexOf('{record['id']}') < 0")
    # Chrome evicts the site's storage (or the worker clears it)
    cdp = phone.new_cdp_session(page)
    cdp.send(
        "Storage.clearDataForOrigin",
        {"origin": live_server.url, "storageTypes": "indexeddb,local_storage"},
    )
    phone.unroute("**/api/v1/disputes")
    page.goto("/")
    notice = page.locator("[data-outbox-lost]")
    notice.wait_for()
    text = notice.inner_text()
    assert "1 条记录没有送达服务器" in text and title in text and "保存于" in text
    assert fits_the_screen(page)
    assert cases_titled(page, title) == []  # it never arrived: the worker must log it again
    # told on every page until noted
    page.goto("/outbox")
    notice.wait_for()
    page.click("[data-lost-noted]")
    notice.wait_for(state="detached")
    eventually(
        page, "PingliOutbox.getMeta('acknowledged').then(a => Array.isArray(a) && a.length === 0)"
    )
    page.goto("/")
    page.wait_for_timeout(500)
    assert notice.count() == 0


NO_INDEXEDDB = (
    "Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true })"
)


def test_a_browser_without_indexeddb_warns_and_still_delivers_once_from_localstorage(phone):
    phone.add_init_script(NO_INDEXEDDB)
    page = phone.new_page()
    sign_in(page, "demo-grid")
    page.goto("/disputes/new")
    banner = page.locator("[data-webview-banner]")
    assert banner.is_visible()
    # not an app's browser: no "···" instructions, the phone's own browser instead
    assert "手机自带的浏览器" in banner.inner_text() and "右上角" not in banner.inner_text()
    assert page.evaluate("[PingliWebview.app, PingliWebview.indexedDB, PingliOutbox.mirrored]") == [
        None,
        False,
        True,
    ]
    title = f"无数据库{uuid.uuid4().hex[:6]}"
    phone.set_offline(True)
    fill_case(page, title)
    assert "不要关闭本页" in page.locator("[data-capture-status]").inner_text()
    record = next(r for r in outbox_records(page) if r["label"] == title)
    assert page.evaluate(LS_RECORDS)[record["id"]]["state"] == "queued"
    phone.set_offline(False)
    sync_until_empty(page)
    assert len(cases_titled(page, title)) == 1
    page.reload()
    sync_until_empty(page)
    assert len(cases_titled(page, title)) == 1
    assert page.evaluate(LS_RECORDS)[record["id"]]["state"] == "sent"


def test_an_outbox_wiped_before_the_phone_was_ever_online_again_is_noticed(phone, live_server):
    # Saved with no network, cleared with no network: the server never heard of the entry. The
    # phone's ledger cookie (ids and times only) outlives the wipe and tells the server first.
    page = phone.new_page()
    sign_in(page, "demo-grid")
    page.goto("/disputes/new")
    title = f"离线被清除{uuid.uuid4().hex[:6]}"
    phone.set_offline(True)
    fill_case(page, title)
    record = next(r for r in outbox_records(page) if r["label"] == title)
    eventually(page, f"document.cookie.indexOf('{record['id']}') >= 0")
    assert title not in page.evaluate("document.cookie")  # no title in a cookie
    cdp = phone.new_cdp_session(page)
    cdp.send(
        "Storage.clearDataForOrigin",
        {"origin": live_server.url, "storageTypes": "indexeddb,local_storage"},
    )
    phone.set_offline(False)
    page.goto("/")
    notice = page.locator("[data-outbox-lost]")
    notice.wait_for()
    text = notice.inner_text()
    assert "1 条记录没有送达服务器" in text and "一件纠纷，保存于" in text, text
    assert cases_titled(page, title) == []
    # the server knows now: the ledger is emptied
    eventually(page, f"document.cookie.indexOf('{record['id']}') < 0")
    page.click("[data-lost-noted]")
    notice.wait_for(state="detached")
