"""Importing a county's ledger (台账): upload, map, preview every bad row, import the valid
rows (or nothing), idempotent on the row key, each case with its ledger on the sheet's dates,
and the county's figures equal to a recount afterwards."""

from __future__ import annotations

import json
import re
from datetime import date

from app import consistency
from app.disputes.deadlines import CHINA
from app.disputes.tables import CaseEvent, Dispute, Party
from app.imports import rows as ledger_rows
from app.imports import sheets
from app.imports.tables import LedgerImport
from app.monitoring.tables import CaseFact
from app.seed import ledger_files
from tests.auth.conftest import make_user
from tests.support.cast import DEMO_PASSWORD
from tests.support.monitoring import LAYOUT, build_territory

ROWS = 300  # the 10,000-row file runs in bench/ledger_import.py


def _places(t) -> list[tuple[str, str, str]]:
    return [
        (t.nodes[town]["name"], t.nodes[f"{town}.v"]["name"], t.nodes[f"{town}.g{g}"]["name"])
        for town, grids in LAYOUT.items()
        for g in range(1, grids + 1)
    ]


async def _importer(cast, t, role: str = "admin"):
    user = await make_user(t.id("county"), role=role, password=DEMO_PASSWORD)
    return await cast.browser(user["username"])


async def _upload(browser, content: bytes, name: str = "台账.xlsx"):
    r = await browser.http.post(
        "/admin/ledger-import",
        files={"file": (name, content, "application/octet-stream")},
        data={"_csrf_token": browser.csrf},
        headers={"x-csrftoken": browser.csrf},
    )
    assert r.status_code == 303, r.text
    return int(r.headers["location"].rsplit("/", 1)[1])


async def _county_cases(t) -> int:
    return await Dispute.count().where(Dispute.county == t.id("county"))


async def test_a_ledger_is_previewed_imported_once_and_counted(cast):
    t = await build_territory()
    ledger = ledger_files.build(_places(t), ROWS, prefix=f"TZ{t.tag}")
    assert len(ledger.bad_rows) == 9
    admin = await _importer(cast, t)
    import_id = await _upload(admin, ledger.content)

    page = await admin.get(f"/admin/ledger-import/{import_id}")
    assert page.status_code == 200
    listed = {int(n) for n in re.findall(r'class="card bad-row" data-row="(\d+)"', page.text)}
    assert listed == set(ledger.bad_rows)  # every bad row, and only those
    said = dict(re.findall(r'data-row="(\d+)"><strong>[^<]*</strong>: ([^<]*)</li>', page.text))
    expected = {
        "village": "本县未知的村",
        "date": "不是日期",
        "category": "缺少纠纷类型",
        "order": "化解日期早于登记日期",
    }
    for row, kind in ledger.bad_rows.items():  # each in words that say what is wrong
        assert expected[kind] in said[str(row)], (row, kind, said[str(row)])
    assert f'id="count-good">{ROWS - 9}<' in page.text

    # "all or nothing" with bad rows: nothing is imported, and the page says why
    r = await admin.post_form(f"/admin/ledger-import/{import_id}/start", {"mode": "all"})
    assert r.status_code == 422
    assert "没有导入任何案件" in r.text
    assert await _county_cases(t) == 0

    r = await admin.post_form(f"/admin/ledger-import/{import_id}/start", {"mode": "valid"})
    assert r.status_code == 303
    done = await admin.get(
        f"/admin/ledger-import/{import_id}/progress", headers={"hx-request": "true"}
    )
    assert 'id="import-done"' in done.text
    job = await LedgerImport.select().where(LedgerImport.id == import_id).first()
    assert (job["state"], job["created"], job["bad"], job["skipped"]) == ("done", ROWS - 9, 9, 0)
    assert await _county_cases(t) == ROWS - 9

    # the same file again adds nothing
    again = await _upload(admin, ledger.content)
    r = await admin.post_form(f"/admin/ledger-import/{again}/start", {"mode": "valid"})
    assert r.status_code == 303
    job = await LedgerImport.select().where(LedgerImport.id == again).first()
    assert (job["created"], job["skipped"]) == (0, ROWS - 9)
    assert await _county_cases(t) == ROWS - 9

    # the figures count every imported case and equal a recount
    facts = await CaseFact.count().where(CaseFact.county == t.id("county"))
    assert facts == ROWS - 9
    # `pingli check`: the ledger holds together and the counters equal a recount (the test
    # county enters no holiday calendar, which the check also mentions)
    assert [p for p in await consistency.check() if "holiday calendar" not in p] == []
    closed = await Dispute.count().where(
        (Dispute.county == t.id("county")) & (Dispute.status == "closed")
    )
    assert closed == ledger.statuses["已销号"]


async def test_an_imported_case_has_its_ledger_on_the_sheets_dates(cast):
    t = await build_territory()
    village, grid = t.nodes["A.v"]["name"], t.nodes["A.g2"]["name"]
    csv_text = (
        "编号,登记日期,纠纷类型,当事人,联系电话,所属村,所属网格,简要案情,办理状态,化解日期,回访日期\n"
        f"NO-1,2025年3月2日,邻里纠纷,张三、李四,13800001111,{village},{grid},宅前排水沟堵塞,已销号,2025/3/10,2025-04-08\n"
    )
    admin = await _importer(cast, t, role="county_officer")
    import_id = await _upload(admin, csv_text.encode("gb18030"), "ledger.csv")
    r = await admin.post_form(f"/admin/ledger-import/{import_id}/start", {"mode": "all"})
    assert r.status_code == 303, r.text
    case = await Dispute.select().where(Dispute.county == t.id("county")).first()
    assert (case["grid"], case["category"], case["status"]) == (
        t.id("A.g2"),
        "neighbours",
        "closed",
    )
    events = await CaseEvent.select().where(CaseEvent.dispute == case["id"]).order_by(CaseEvent.id)
    days = [(e["kind"], e["created_at"].astimezone(CHINA).date()) for e in events]
    assert days == [
        ("logged", date(2025, 3, 2)),
        ("accepted", date(2025, 3, 2)),
        ("resolved", date(2025, 3, 10)),
        ("followed_up", date(2025, 4, 8)),
        ("closed", date(2025, 4, 8)),
    ]
    assert all(json.loads(e["data"])["imported"] is True for e in events)
    assert {json.loads(e["data"])["row"] for e in events} == {2}
    parties = await Party.select(Party.name, Party.role).where(Party.dispute == case["id"])
    assert [(p["name"], p["role"]) for p in parties] == [
        ("张三", "applicant"),
        ("李四", "respondent"),
    ]


async def test_only_the_countys_importers_may_import_and_see_its_imports(cast):
    t = await build_territory()
    other = await build_territory()
    mediator = await make_user(t.id("A.v"), role="village_mediator", password=DEMO_PASSWORD)
    village = await cast.browser(mediator["username"])
    r = await village.get("/admin/ledger-import")
    assert r.status_code == 403
    admin = await _importer(cast, t)
    import_id = await _upload(admin, sheets.template_xlsx())
    stranger = await _importer(cast, other)
    r = await stranger.get(f"/admin/ledger-import/{import_id}")
    assert r.status_code == 404


def test_common_chinese_headers_and_words_are_guessed():
    headers = [
        "序号",
        "台账编号",
        "登记日期",
        "纠纷类型",
        "当事人",
        "所属网格/村",
        "化解日期",
        "回访日期",
        "简要案情",
        "化解情况",
    ]
    mapping = ledger_rows.guess_mapping(headers)
    assert mapping == {
        "1": "ledger_no",
        "2": "registered_on",
        "3": "category",
        "4": "parties",
        "5": "place",
        "6": "resolved_on",
        "7": "followed_up_on",
        "8": "summary",
        "9": "status",
    }
    words = ledger_rows.guess_words("status", ["已化解", "调解中", "已销号", "未化解"], {})
    assert words == {
        "已化解": "resolved",
        "调解中": "mediating",
        "已销号": "closed",
        "未化解": "unresolvable",
    }
    assert ledger_rows.parse_date("2025年3月2日") == date(2025, 3, 2)
    assert ledger_rows.parse_date("2025/02/30") is None
    assert ledger_rows.parse_date("45718") == date(2025, 3, 2)  # an Excel serial day


async def test_the_countys_own_headers_and_status_words_are_mapped_by_hand(cast):
    t = await build_territory()
    village = t.nodes["B.v"]["name"]
    csv_text = (
        "收案时间,矛盾种类,所在村,处理结果,化解日期\n"
        f"2025-05-06,邻里纠纷,{village},已摆平,2025-05-09\n"
        f"2025-05-07,邻里纠纷,{village},已摆平,2025-05-20\n"
    )
    admin = await _importer(cast, t)
    import_id = await _upload(admin, csv_text.encode(), "own-headers.csv")
    page = await admin.get(f"/admin/ledger-import/{import_id}")
    assert 'id="missing-fields"' in page.text  # 收案时间 is not guessed: the date is not mapped
    form = {"col-0": "registered_on", "col-1": "category", "col-2": "village", "col-3": "status"}
    form |= {"col-4": "resolved_on"}
    r = await admin.post_form(f"/admin/ledger-import/{import_id}/mapping", form)
    assert r.status_code == 303
    page = await admin.get(f"/admin/ledger-import/{import_id}")
    assert "未知的状态「已摆平」" in page.text  # the county's own word, not known yet
    r = await admin.post_form(
        f"/admin/ledger-import/{import_id}/mapping", form | {"status:已摆平": "resolved"}
    )
    page = await admin.get(f"/admin/ledger-import/{import_id}")
    assert 'id="count-good">2<' in page.text and 'id="bad-rows"' not in page.text
    r = await admin.post_form(f"/admin/ledger-import/{import_id}/start", {"mode": "all"})
    assert r.status_code == 303
    cases = await Dispute.select(Dispute.status, Dispute.grid).where(
        Dispute.county == t.id("county")
    )
    # a village without a grid named: the village's first grid
    assert [(c["status"], c["grid"]) for c in cases] == [("resolved", t.id("B.g1"))] * 2
