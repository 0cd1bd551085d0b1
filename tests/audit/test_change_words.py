"""An administrator's change is stored as an action and its parameters and put in words when
the log is read, in the reader's language; entries written before (an English phrase only)
are still read in words; what cannot be put in words is shown as it was stored."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from app.audit import log as audit
from app.audit.tables import AuditLog

# A day of these tests' own for the entries they write by hand (the page filters by day).
LONG_AGO = datetime(2025, 2, 3, 4, 0, tzinfo=UTC)
THAT_DAY = {"from": "2025-02-03", "to": "2025-02-03"}


async def _create_user(admin, cast, username: str) -> None:
    r = await admin.post_form(
        "/admin/users",
        {
            "username": username,
            "display_name": "审计丙",
            "phone": "13755556666",
            "role": "grid_worker",
            "jurisdiction": cast.me["demo-grid"]["jurisdiction"]["id"],
            "_csrf_token": admin.csrf,
        },
    )
    assert r.status_code == 200, r.text


async def test_a_change_is_stored_as_an_action_and_read_in_the_readers_language(cast):
    admin = await cast.browser("demo-admin")
    username = f"words-{uuid.uuid4().hex[:6]}"
    await _create_user(admin, cast, username)

    entry = await (
        AuditLog.select(AuditLog.what, AuditLog.detail)
        .where((AuditLog.kind == "user") & (AuditLog.what == f"create user {username}"))
        .first()
    )
    detail = json.loads(entry["detail"])
    assert detail["action"] == "create_user" and detail["params"] == {"name": username}
    assert detail["after"]["phone"] == "137****6666"  # masked, as before

    query = {"kind": "user", "user": "demo-admin"}
    zh = (await admin.get("/admin/audit", params=query)).text
    assert f"创建用户 {username}" in zh
    assert "姓名：— → 审计丙" in zh and "电话：— → 137****6666" in zh
    assert "角色：— → 网格员" in zh  # the role's name, not its code
    assert f"create user {username}" not in zh  # the stored summary is not what is shown
    en = (await admin.get("/admin/audit", params=query, headers={"Accept-Language": "en"})).text
    assert f"Created user {username}" in en and "Name: — → 审计丙" in en
    assert f"创建用户 {username}" not in en


async def _write(cast, kind: str, what: str, detail: dict | None = None) -> None:
    me = cast.me["demo-admin"]
    await AuditLog.insert(
        AuditLog(
            user=me["id"],
            county=me["jurisdiction"]["id"],
            kind=kind,
            what=what,
            detail=json.dumps(detail, ensure_ascii=False) if detail is not None else "",
            created_at=LONG_AGO,
        )
    )


async def test_entries_written_before_actions_are_still_read_in_words(cast):
    tag = uuid.uuid4().hex[:4]
    await _write(
        cast,
        "room",
        f"change room 9{tag}",
        {"before": {"name": "老评理室", "active": True}, "after": {"name": "新评理室"}},
    )
    await _write(cast, "juror", f"create juror 8{tag} of 411726101001")
    await _write(cast, "user", f"reset password of user old-{tag}")
    await _write(cast, "calendar", "calendar 2031: holidays - → 01-01; workdays - → 01-26")
    await _write(cast, "limits", "limits v0→v1: resolve_days.village 15→5")
    await _write(cast, "category", f"recolour category c{tag}")  # a phrase nobody knows
    admin = await cast.browser("demo-admin")

    def page(kind: str):
        return admin.get("/admin/audit", params={"kind": kind, **THAT_DAY})

    room = (await page("room")).text
    assert f"修改评理室 9{tag}" in room
    assert "名称：老评理室 → 新评理室" in room and "启用：是 → —" in room
    assert f"新增评理员 8{tag} (411726101001)" in (await page("juror")).text
    assert f"重置密码：old-{tag}" in (await page("user")).text
    calendar = (await page("calendar")).text
    assert "修改 2031 年节假日" in calendar and "holidays - → 01-01; workdays - → 01-26" in calendar
    limits = (await page("limits")).text
    assert "办理时限变更" in limits and "resolve_days.village 15→5" in limits
    assert f"recolour category c{tag}" in (await page("category")).text  # as it was stored


async def test_an_action_this_version_does_not_know_is_shown_as_stored(cast):
    tag = uuid.uuid4().hex[:4]
    await _write(cast, "open311", f"rotate Open311 key k{tag}", {"action": "rotate_key"})
    await _write(
        cast,
        "limits",
        f"limits v1→v2 {tag}",
        {"action": "apply_limits", "params": {"old": 1}},  # a parameter missing
    )
    admin = await cast.browser("demo-admin")
    open311 = (await admin.get("/admin/audit", params={"kind": "open311", **THAT_DAY})).text
    assert f"rotate Open311 key k{tag}" in open311
    limits = (await admin.get("/admin/audit", params={"kind": "limits", **THAT_DAY})).text
    assert "办理时限变更" in limits and f"v1→v2 {tag}" in limits


async def test_a_change_with_an_action_that_has_no_words_is_refused_unwritten(cast):
    before = await AuditLog.count()
    admin = SimpleNamespace(id=cast.me["demo-admin"]["id"], county_id=None, jurisdiction_id=1)
    with pytest.raises(ValueError, match="teleport_user"):
        await audit.record_change(admin, "user", "teleport user x", action="teleport_user")
    assert await AuditLog.count() == before
