"""The audit log: every unmasked view and every export is an entry (who, what, when, from
where); the county admin reads it with filters; nobody edits it; it is purged only past its
retention."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from app.audit import retention
from app.audit.tables import AuditLog
from app.jurisdictions.tables import Jurisdiction

PARTIES = [
    {"role": "applicant", "name": "周七", "phone": "13722223333", "id_number": "411726197002021111"}
]
PERIOD = {"from": "2026-01-01", "to": "2026-12-31"}
UA = {"user-agent": "pingli-audit-test"}


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr class="audit-(\w+)">', html)


async def _entries(**where) -> list[dict]:
    query = AuditLog.select().order_by(AuditLog.id)
    for name, value in where.items():
        query = query.where(AuditLog._meta.get_column_by_name(name) == value)
    return await query


async def test_every_export_is_an_entry_with_who_what_when_and_from_where(cast):
    county = await cast.browser("demo-county")
    before = datetime.now(UTC)
    for fmt in ("csv", "xlsx"):
        r = await county.http.get(f"/reports/custom/export/{fmt}", params=PERIOD, headers=UA)
        assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    found = [
        e
        for e in await _entries(user=cast.me["demo-county"]["id"], kind="export")
        if e["created_at"] >= before
    ]
    assert [e["what"].split(" ")[0].rsplit(".", 1)[1] for e in found] == ["csv", "xlsx"]
    assert all(e["ip"] and e["user_agent"] == "pingli-audit-test" for e in found)
    assert found[0]["county"] == cast.me["demo-county"]["jurisdiction"]["id"]


async def test_a_refused_export_writes_nothing(cast):
    county = await cast.browser("demo-county")
    n = await AuditLog.count()
    assert (await county.get("/reports/custom/export/pdf", params=PERIOD)).status_code == 404
    assert await AuditLog.count() == n


@pytest.fixture
async def revealed(cast):
    """A case whose applicant's numbers demo-village revealed once."""
    case = await cast.log_case("demo-grid", title="审计日志核对", parties=PARTIES)
    r = await cast.api["demo-village"].post(
        f"/api/v1/disputes/{case['id']}/parties/0/reveal", headers=UA
    )
    assert r.status_code == 200
    return case


async def test_the_county_admin_reads_the_log_filtered_by_user_case_kind_and_dates(cast, revealed):
    county = await cast.browser("demo-county")
    await county.get("/reports/custom/export/csv", params=PERIOD)
    admin = await cast.browser("demo-admin")
    page = await admin.get("/admin/audit")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "reveal" in _rows(page.text) and "export" in _rows(page.text)
    assert "13722223333" not in page.text  # the log says what was seen, never the number

    by_case = (await admin.get("/admin/audit", params={"case": revealed["case_no"]})).text
    assert _rows(by_case) == ["reveal"] and "张大姐" in by_case and "pingli-audit-test" in by_case
    assert set(_rows((await admin.get("/admin/audit", params={"kind": "export"})).text)) == {
        "export"
    }
    by_user = (await admin.get("/admin/audit", params={"user": "demo-county"})).text
    assert _rows(by_user) and set(_rows(by_user)) == {"export"}
    today = datetime.now(UTC).date()
    later = (await admin.get("/admin/audit", params={"from": str(today + timedelta(days=2))})).text
    assert _rows(later) == []
    spanning = {
        "case": revealed["case_no"],
        "from": str(today - timedelta(days=1)),
        "to": str(today + timedelta(days=1)),
    }
    assert _rows((await admin.get("/admin/audit", params=spanning)).text) == ["reveal"]
    assert (await admin.get("/admin/audit", params={"kind": "nonsense"})).status_code == 422


@pytest.mark.parametrize("username", ["demo-county", "demo-village", "demo-grid"])
async def test_only_the_admin_reads_the_log(cast, username):
    b = await cast.browser(username)
    assert (await b.get("/admin/audit")).status_code == 403


async def test_the_log_is_paginated_and_holds_only_the_admins_county(cast):
    me = cast.me["demo-admin"]
    other = await Jurisdiction.insert(
        Jurisdiction(code=f"AUD-{datetime.now().timestamp()}", name="邻县", level="county", depth=0)
    ).returning(Jurisdiction.id)
    # a county is its own county, like every node at its level (other suites check the tree)
    await Jurisdiction.update({Jurisdiction.county: other[0]["id"]}).where(
        Jurisdiction.id == other[0]["id"]
    )
    marker = f"paging-{datetime.now().timestamp()}"
    rows = [
        AuditLog(
            user=me["id"], county=me["jurisdiction"]["id"], kind="export", what=f"{marker} {i}"
        )
        for i in range(55)
    ]
    rows.append(
        AuditLog(user=me["id"], county=other[0]["id"], kind="export", what=f"{marker} other")
    )
    await AuditLog.insert(*rows)
    admin = await cast.browser("demo-admin")
    first = (await admin.get("/admin/audit", params={"kind": "export"})).text
    assert first.count(marker) == 50 and f"{marker} other" not in first
    assert "page=2" in first
    second = (await admin.get("/admin/audit", params={"kind": "export", "page": 2})).text
    assert second.count(marker) == 5 and f"{marker} other" not in second


async def test_entries_cannot_be_edited_or_deleted_young_and_are_purged_past_retention(
    cast, revealed
):
    entry = (await _entries(dispute=revealed["id"]))[0]
    with pytest.raises(Exception, match="append-only"):
        await AuditLog.update({AuditLog.what: "nothing"}).where(AuditLog.id == entry["id"])
    with pytest.raises(Exception, match="append-only"):
        await AuditLog.delete().where(AuditLog.id == entry["id"])
    me = cast.me["demo-admin"]
    now = datetime.now(UTC)
    made = await AuditLog.insert(
        *[
            AuditLog(
                user=me["id"],
                county=me["jurisdiction"]["id"],
                kind="export",
                what=f"aged {days}",
                created_at=now - timedelta(days=days),
            )
            for days in (400, 200)
        ]
    ).returning(AuditLog.id)
    assert await retention.purge(now) >= 1
    left = {
        e["what"]
        for e in await AuditLog.select(AuditLog.what).where(
            AuditLog.id.is_in([m["id"] for m in made])
        )
    }
    assert left == {"aged 200"}  # the default retention is 365 days
    assert await AuditLog.count().where(AuditLog.id == entry["id"]) == 1
    assert await retention.purge(now) == 0


async def test_the_log_says_in_words_what_was_seen_and_on_which_device(cast):
    me = cast.me["demo-admin"]
    android = (
        "Mozilla/5.0 (Linux; Android 12; M2006C3LC) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/116.0.0.0 Mobile Safari/537.36 MicroMessenger/8.0.42"
    )
    await AuditLog.insert(
        AuditLog(
            user=me["id"],
            county=me["jurisdiction"]["id"],
            kind="agreement",
            what="id_number,phone (session 2)",
            ip="10.0.0.7",
            user_agent=android,
        )
    )
    admin = await cast.browser("demo-admin")
    page = (await admin.get("/admin/audit", params={"kind": "agreement"})).text
    assert "身份证号、电话号码" in page and "(session 2)" not in page
    assert '<a href="/sessions/2">评理会 2</a>' in page
    assert "安卓手机 · 微信" in page
    assert f"<code>{android}</code>" in page  # the whole string stays, folded away
