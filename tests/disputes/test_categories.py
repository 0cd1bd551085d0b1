"""The county keeps its own categories: each rolls up to the national people's-mediation list,
in reports and in exports; a retired one keeps its cases but is not offered for new ones."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

from app.disputes.deadlines import CHINA
from app.disputes.tables import Category
from app.monitoring import facts
from tests.support.monitoring import build_territory, log


async def _add(admin, code: str, **fields) -> None:
    r = await admin.post_form(
        "/admin/categories",
        {"code": code, "_csrf_token": admin.csrf, **fields},
    )
    assert r.status_code == 303, r.text


async def test_a_county_sub_category_rolls_up_under_its_national_category_in_a_report_and_an_export(
    app, cast
):
    code = f"wage_site_{uuid.uuid4().hex[:6]}"
    admin = await cast.browser("demo-admin")
    await _add(admin, code, name="工地欠薪", parent="wages")  # national: as its parent
    row = await Category.select().where(Category.code == code).first()
    assert (row["national"], row["parent"], row["active"]) == ("labour", "wages", True)

    t = await build_territory()
    now = datetime.now(UTC)
    await log(t, "a", "A.g1", now - timedelta(days=2), category=code)
    await log(t, "b", "A.g1", now - timedelta(days=2), category="wages")
    await log(t, "c", "A.g2", now - timedelta(days=2), category="neighbours")
    await facts.refresh(now)
    day = now.astimezone(CHINA).date()
    period = {"from": (day - timedelta(days=5)).isoformat(), "to": day.isoformat()}
    async with t.client(app, "county") as county:
        report = await county.get("/reports/custom", params=period)
        assert report.status_code == 200
        national = report.text.split('class="by-national"')[1].split("</section>")[0]
        assert "劳动争议" in national and "工地欠薪" in national and "劳资纠纷" in national

        export = await county.get("/reports/custom/export/csv", params=period)
        assert export.status_code == 200
        # a national figure opens the list of its cases: the county categories rolling up to it
        listed = await county.get("/api/v1/disputes", params={"national": "labour", **period})
        titles = {c["title"] for c in listed.json()["items"]}
        assert titles == {"案件a", "案件b"}
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    start = rows.index(["按全国分类"])
    section = rows[start + 2 : rows.index([], start)]
    names = [r[0] for r in section]
    labour = names.index("劳动争议")
    assert section[labour][1] == "2"  # new cases: the sub-category's and its parent's
    under = names[labour + 1 : labour + 3]
    assert any("工地欠薪" in n for n in under) and any("劳资纠纷" in n for n in under)
    assert "邻里" in names  # neighbours roll up to 邻里


async def test_a_retired_category_keeps_its_cases_but_is_not_offered_for_new_ones(cast):
    code = f"retire_{uuid.uuid4().hex[:6]}"
    admin = await cast.browser("demo-admin")
    await _add(admin, code, name="临时类别", national="other")
    case = await cast.log_case("demo-grid", category=code)
    r = await admin.post_form(
        f"/admin/categories/{code}",
        {"name": "临时类别", "national": "other", "active": "0", "_csrf_token": admin.csrf},
    )
    assert r.status_code == 303
    refused = await cast.api["demo-grid"].post(
        "/api/v1/disputes", json={"id": str(uuid.uuid4()), "title": "新案", "category": code}
    )
    assert refused.status_code == 422 and "category" in refused.text
    offered = await cast.api["demo-grid"].get("/api/v1/categories")
    assert code not in [c["code"] for c in offered.json()]
    form = (await (await cast.browser("demo-grid")).get("/disputes/new")).text
    assert f'value="{code}"' not in form
    old = await cast.api["demo-village"].get(f"/api/v1/disputes/{case['id']}")
    assert old.status_code == 200 and old.json()["category_label"] == "临时类别"


async def test_only_the_county_administrator_keeps_the_categories(cast):
    for username in ("demo-county", "demo-village"):
        b = await cast.browser(username)
        assert (await b.get("/admin/categories")).status_code == 403
        r = await b.post_form(
            "/admin/categories",
            {"code": "sneaky", "name": "x", "national": "other", "_csrf_token": b.csrf},
        )
        assert r.status_code == 403
    assert not await Category.exists().where(Category.code == "sneaky")


async def test_a_bad_category_is_refused_with_each_problem_named(cast):
    admin = await cast.browser("demo-admin")
    r = await admin.post_form(
        "/admin/categories",
        {"code": "Bad Code", "name": "", "national": "nowhere", "_csrf_token": admin.csrf},
    )
    assert r.status_code == 422
    assert "小写字母" in r.text or "lower-case" in r.text
    r = await admin.post_form(
        "/admin/categories",
        {"code": "wages", "name": "重复", "national": "labour", "_csrf_token": admin.csrf},
    )
    assert r.status_code == 422
    r = await admin.post_form(
        "/admin/categories",
        {
            "code": f"mismatch_{uuid.uuid4().hex[:4]}",
            "name": "错挂",
            "parent": "wages",
            "national": "traffic",
            "_csrf_token": admin.csrf,
        },
    )
    assert r.status_code == 422
