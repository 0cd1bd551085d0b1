"""Web Push in the installed app: the notification centre offers to turn it on, and the
service worker shows what a push brings (delivered through Chromium's DevTools, as a push
service would; no internet needed)."""

from __future__ import annotations

import json

from tests.browser.conftest import sign_in
from tests.browser.test_offline import SW_STATE, eventually


def test_the_service_worker_shows_a_pushed_notice_with_its_link(phone, live_server):
    phone.grant_permissions(["notifications"], origin=live_server.url)
    page = phone.new_page()
    sign_in(page, "demo-village")
    eventually(
        page,
        "navigator.serviceWorker.ready.then(r => r.active.state === 'activated')",
        diagnose=SW_STATE,
    )

    page.goto("/notifications")
    on = page.locator("[data-push-on]")
    on.wait_for(state="visible")
    assert on.inner_text() == "在本设备上开启通知"

    cdp = phone.new_cdp_session(page)
    registrations: list[str] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(
            r["registrationId"] for r in event["registrations"] if not r["isDeleted"]
        ),
    )
    cdp.send("ServiceWorker.enable")
    for _ in range(50):
        if registrations:
            break
        page.wait_for_timeout(100)
    assert registrations, "no service worker registration reported"
    message = {"title": "评理", "body": "案件 T-1 已超期。", "url": "/disputes", "tag": "n42"}
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": live_server.url,
            "registrationId": registrations[-1],
            "data": json.dumps(message),
        },
    )
    shown = (
        "navigator.serviceWorker.ready.then(r => r.getNotifications()).then(list => "
        "list.map(n => [n.title, n.body, n.tag, n.data && n.data.url]))"
    )
    eventually(page, shown + ".then(l => l.length > 0)")
    assert page.evaluate(shown) == [["评理", "案件 T-1 已超期。", "n42", "/disputes"]]
