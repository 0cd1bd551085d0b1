"""The county administrator imports a ledger in Chromium on a 360 px phone: the mapping and the
preview fit the screen, the bad rows are listed, and the progress fragment (htmx) polls until
the import is done."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect

from app.seed import ledger_files
from tests.browser.conftest import sign_in


def _places(collection: dict) -> list[tuple[str, str, str]]:
    by_code = {f["properties"]["code"]: f["properties"] for f in collection["features"]}
    places = []
    for p in by_code.values():
        if p["level"] == "grid":
            village = by_code[p["parent_code"]]
            township = by_code[village["parent_code"]]
            places.append((township["name"], village["name"], p["name"]))
    return places[:40]


def test_a_ledger_is_imported_from_a_phone_with_its_progress_shown(phone, tmp_path):
    page = phone.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, "demo-admin")
    places = _places(page.request.get("/admin/boundaries/download").json())
    ledger = ledger_files.build(places, 60, bad_share=0.05, prefix=uuid.uuid4().hex[:6])
    path = tmp_path / "台账.xlsx"
    path.write_bytes(ledger.content)

    page.goto("/admin/ledger-import")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_input_files("input[name=file]", str(path))
    page.click("#ledger-upload button[type=submit]")
    page.wait_for_url("**/admin/ledger-import/*")
    expect(page.locator(".bad-row")).to_have_count(len(ledger.bad_rows))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    expect(page.locator("#col-1")).to_have_value("registered_on")  # 登记日期, guessed

    page.click("#start-form button[value=valid]")
    expect(page.locator("#import-done")).to_be_visible(timeout=30_000)
    expect(page.locator("#import-done")).to_contain_text(f"新建 {60 - len(ledger.bad_rows)} 件")
    assert not errors, errors
