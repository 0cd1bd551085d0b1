"""An administrator creates many users from a spreadsheet: each row is checked and shown with
its problems first; then all are created (phones encrypted, each audited), or none."""

from __future__ import annotations

import io
import json
import re
import uuid

from openpyxl import Workbook

from app import crypto
from app.audit.tables import AuditLog
from app.auth.tables import User
from app.jurisdictions.tables import Jurisdiction


async def _upload(browser, content: bytes, name: str = "users.csv"):
    return await browser.http.post(
        "/admin/users/import",
        files={"file": (name, content, "application/octet-stream")},
        data={"_csrf_token": browser.csrf},
        headers={"x-csrftoken": browser.csrf},
    )


async def _codes(cast) -> tuple[str, str]:
    grid = cast.me["demo-grid"]["jurisdiction"]["id"]
    village = cast.me["demo-village"]["jurisdiction"]["id"]
    rows = await Jurisdiction.select(Jurisdiction.id, Jurisdiction.code).where(
        Jurisdiction.id.is_in([grid, village])
    )
    by_id = {r["id"]: r["code"] for r in rows}
    return by_id[grid], by_id[village]


async def test_each_rows_problems_are_shown_and_nothing_is_created(cast):
    admin = await cast.browser("demo-admin")
    grid, village = await _codes(cast)
    tag = uuid.uuid4().hex[:6]
    sheet = (
        "name,role,jurisdiction_code,phone,username\n"
        f"好人,网格员,{grid},13900001111,ok-{tag}\n"
        f",grid_worker,{grid},,\n"  # no name
        f"错层,village_mediator,{grid},,\n"  # a mediator on a grid
        f"无区,grid_worker,999999999,abc,\n"  # unknown area, bad phone
        f"重名,grid_worker,{grid},,ok-{tag}\n"  # the username twice
    ).encode()
    r = await _upload(admin, sheet)
    assert r.status_code == 422
    for line, words in (
        (3, "名称必填"),
        (4, "该角色不在这一级区域工作"),
        (5, "999999999"),
        (6, "该用户名已被使用"),
    ):
        card = re.search(rf'id="row-{line}".*?</li>', r.text, re.S).group(0)
        assert words in card, (line, card)
    assert 'id="row-2"' in r.text and "139****1111" in r.text and "13900001111" not in r.text
    assert 'id="create-all"' not in r.text
    assert not await User.exists().where(User.username == f"ok-{tag}")


async def test_a_good_xlsx_creates_every_account_with_encrypted_phones_and_audit_entries(cast):
    admin = await cast.browser("demo-admin")
    grid, village = await _codes(cast)
    tag = uuid.uuid4().hex[:6]
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "角色", "区域代码", "电话", "用户名"])
    sheet.append(["批量甲", "网格员", grid, "13911112222", f"bulk-a-{tag}"])
    sheet.append(["批量乙", "village_mediator", village, "", ""])
    out = io.BytesIO()
    book.save(out)
    r = await _upload(admin, out.getvalue(), "users.xlsx")
    assert r.status_code == 200, r.text
    payload = re.search(r'name="rows" value="([^"]+)"', r.text).group(1)
    rows = json.loads(payload.replace("&#34;", '"').replace("&quot;", '"'))
    made_up = rows[1]["username"]
    assert made_up.startswith(village.lower())

    done = await admin.post_form(
        "/admin/users/import/confirm", {"rows": json.dumps(rows), "_csrf_token": admin.csrf}
    )
    assert done.status_code == 200 and done.headers["cache-control"] == "no-store"
    assert f"bulk-a-{tag}" in done.text and made_up in done.text
    assert len(re.findall(r"<code>[a-z0-9]{12}</code>", done.text)) == 2
    stored = (
        await User.select(User.phone, User.role, User.must_change_password)
        .where(User.username == f"bulk-a-{tag}")
        .first()
    )
    assert crypto.is_token(stored["phone"]) and crypto.decrypt(stored["phone"]) == "13911112222"
    assert stored["role"] == "grid_worker" and stored["must_change_password"]
    for username in (f"bulk-a-{tag}", made_up):
        assert await AuditLog.exists().where(
            (AuditLog.kind == "user") & (AuditLog.what == f"create user {username}")
        )


async def test_confirming_again_creates_nobody_twice(cast):
    admin = await cast.browser("demo-admin")
    grid, _village = await _codes(cast)
    rows = [
        {
            "username": f"twice-{uuid.uuid4().hex[:6]}",
            "display_name": "两次",
            "role": "grid_worker",
            "code": grid,
            "phone": "",
        }
    ]
    first = await admin.post_form(
        "/admin/users/import/confirm", {"rows": json.dumps(rows), "_csrf_token": admin.csrf}
    )
    assert first.status_code == 200
    again = await admin.post_form(
        "/admin/users/import/confirm", {"rows": json.dumps(rows), "_csrf_token": admin.csrf}
    )
    assert again.status_code == 422
    assert await User.count().where(User.username == rows[0]["username"]) == 1
