"""Every admin change is an audit entry: who, when, what, before → after, with personal
numbers masked; filterable at /admin/audit by kind, actor and date."""

from __future__ import annotations

import uuid

from app.audit.tables import AuditLog
from app.auth.tables import User
from app.sessions.tables import Juror, Room


async def _entries(kind: str, what: str) -> list[dict]:
    return await (
        AuditLog.select(AuditLog.what, AuditLog.detail, AuditLog.user.username.as_alias("who"))
        .where((AuditLog.kind == kind) & AuditLog.what.like(f"%{what}%"))
        .order_by(AuditLog.id)
    )


async def test_creating_changing_and_deactivating_a_user_are_audited_with_the_phone_masked(cast):
    admin = await cast.browser("demo-admin")
    username = f"audit-{uuid.uuid4().hex[:6]}"
    grid = cast.me["demo-grid"]["jurisdiction"]["id"]
    r = await admin.post_form(
        "/admin/users",
        {
            "username": username,
            "display_name": "审计甲",
            "phone": "13711112222",
            "role": "grid_worker",
            "jurisdiction": grid,
            "_csrf_token": admin.csrf,
        },
    )
    assert r.status_code == 200, r.text
    user = await User.select(User.id).where(User.username == username).first()
    r = await admin.post_form(
        f"/admin/users/{user['id']}",
        {
            "display_name": "审计乙",
            "phone": "13733334444",
            "role": "grid_worker",
            "jurisdiction": grid,
            "_csrf_token": admin.csrf,
        },
    )
    assert r.status_code == 303, r.text
    r = await admin.post_form(f"/admin/users/{user['id']}/deactivate", {"_csrf_token": admin.csrf})
    assert r.status_code == 303

    entries = await _entries("user", username)
    assert [e["what"].split(" ")[0] for e in entries] == ["create", "change", "deactivate"]
    assert all(e["who"] == "demo-admin" for e in entries)
    text = " ".join(e["detail"] for e in entries)
    assert "13711112222" not in text and "13733334444" not in text
    assert "137****2222" in text and "137****4444" in text and "审计甲" in text

    page = await admin.get("/admin/audit", params={"kind": "user", "user": "demo-admin"})
    assert page.status_code == 200
    assert f"修改用户 {username}" in page.text  # the record's words, in the page's language
    assert "审计甲 → 审计乙" in page.text and "137****2222 → 137****4444" in page.text
    other_kind = await admin.get("/admin/audit", params={"kind": "room", "user": "demo-admin"})
    assert f"修改用户 {username}" not in other_kind.text


async def test_room_juror_and_category_changes_are_audited(cast):
    village = await cast.browser("demo-village")
    r = await village.post_form(
        "/jurors",
        {
            "name": "审计评理员",
            "kind": "teacher",
            "phone": "13655557777",
            "_csrf_token": village.csrf,
        },
    )
    assert r.status_code in (302, 303)
    juror = await Juror.select(Juror.id).where(Juror.name == "审计评理员").first()
    r = await village.post_form(
        f"/jurors/{juror['id']}",
        {"name": "审计评理员", "kind": "teacher", "active": "0", "_csrf_token": village.csrf},
    )
    assert r.status_code in (302, 303)
    juror_entries = await _entries("juror", "juror")
    mine = [
        e for e in juror_entries if "审计评理员" in e["detail"] or str(juror["id"]) in e["what"]
    ]
    assert (
        mine[-1]["what"] == f"deactivate juror {juror['id']}" and mine[-1]["who"] == "demo-village"
    )
    assert "13655557777" not in " ".join(e["detail"] for e in mine)

    room = (
        await Room.select()
        .where(Room.jurisdiction == cast.me["demo-village"]["jurisdiction"]["id"])
        .first()
    )
    form = {
        "name": room["name"] + "（新）",
        "address": room["address"],
        "capacity": room["capacity"],
        "opens_at": room["opens_at"],
        "closes_at": room["closes_at"],
        "open_weekdays": list(room["open_weekdays"]),
        "active": "1",
        "_csrf_token": village.csrf,
    }
    r = await village.post_form(f"/rooms/{room['id']}", form)
    assert r.status_code in (302, 303), r.text
    entry = (await _entries("room", f"room {room['id']}"))[-1]
    assert entry["what"] == f"change room {room['id']}" and "（新）" in entry["detail"]
    # the demo room keeps its name for the tests after this one (the map's rooms)
    r = await village.post_form(f"/rooms/{room['id']}", form | {"name": room["name"]})
    assert r.status_code in (302, 303), r.text

    admin = await cast.browser("demo-admin")
    code = f"audit_{uuid.uuid4().hex[:6]}"
    r = await admin.post_form(
        "/admin/categories",
        {"code": code, "name": "审计类别", "national": "other", "_csrf_token": admin.csrf},
    )
    assert r.status_code == 303
    r = await admin.post_form(
        f"/admin/categories/{code}",
        {"name": "审计类别二", "national": "other", "active": "0", "_csrf_token": admin.csrf},
    )
    assert [e["what"] for e in await _entries("category", code)] == [
        f"create category {code}",
        f"retire category {code}",
    ]
    page = await admin.get("/admin/audit", params={"kind": "category"})
    assert "审计类别 → 审计类别二" in page.text
