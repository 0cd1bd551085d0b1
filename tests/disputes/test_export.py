"""Cases out as files: any list filter, CSV or XLSX, numbers masked, every export logged."""

import csv
import io

import pytest
from openpyxl import load_workbook

from app.audit.tables import AuditLog
from app.disputes.tables import Dispute

PHONE = "13712345678"


@pytest.fixture
async def marked(cast):
    return await cast.log_case(
        "demo-grid",
        title="导出测试的排水纠纷",
        category="neighbours",
        parties=[{"name": "赵六", "phone": PHONE}],
    )


def _csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


async def test_a_filtered_list_exports_as_csv_with_masked_numbers_and_an_audit_entry(cast, marked):
    village = await cast.browser("demo-village")
    before = await AuditLog.count().where(AuditLog.kind == "export")
    r = await village.get("/disputes/export.csv", params={"category": "neighbours"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = _csv_rows(r.content)
    assert rows[0][0] == "案件编号"
    mine = [row for row in rows[1:] if row[0] == marked["case_no"]]
    assert len(mine) == 1
    assert "赵六 (137****5678)" in mine[0]
    assert PHONE not in r.text
    assert {row[2] for row in rows[1:]} == {mine[0][2]}  # one category: the filter held
    village_id = cast.me["demo-village"]["jurisdiction"]["id"]
    expected = await Dispute.count().where(
        (Dispute.village == village_id) & (Dispute.category == "neighbours")
    )
    assert len(rows) - 1 == expected
    entries = await AuditLog.select().where(AuditLog.kind == "export").order_by(AuditLog.id)
    assert len(entries) == before + 1
    assert entries[-1]["user"] == cast.me["demo-village"]["id"]
    assert "category=neighbours" in entries[-1]["what"]


async def test_the_whole_county_exports_without_a_row_cap_as_xlsx(cast, marked, monkeypatch):
    from app.disputes import export

    monkeypatch.setattr(export, "BATCH", 37)  # several batches, and one that ends short
    county = await cast.browser("demo-county")
    r = await county.get("/disputes/export.xlsx")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    numbers = [row[0] for row in rows[1:]]
    everything = await Dispute.count().where(
        Dispute.county == cast.me["demo-county"]["jurisdiction"]["id"]
    )
    assert len(numbers) == len(set(numbers)) == everything > 100
    assert marked["case_no"] in numbers


async def test_an_export_keeps_to_the_area_and_a_foreign_area_is_404(cast, marked):
    outsider = await cast.browser("demo-grid-2")
    r = await outsider.get("/disputes/export.csv")
    assert r.status_code == 200
    assert marked["case_no"] not in r.text
    foreign = cast.me["demo-grid"]["jurisdiction"]["id"]
    n = await AuditLog.count()
    assert (
        await outsider.get("/disputes/export.csv", params={"jurisdiction": foreign})
    ).status_code == 404
    assert await AuditLog.count() == n


async def test_a_formula_in_a_title_is_defused(cast):
    await cast.log_case("demo-grid", title='=HYPERLINK("http://x")纠纷', category="other")
    r = await (await cast.browser("demo-village")).get("/disputes/export.csv")
    titles = [row[3] for row in _csv_rows(r.content)[1:]]
    assert '\'=HYPERLINK("http://x")纠纷' in titles


async def test_a_list_longer_than_a_sheet_goes_on_in_the_next(monkeypatch):
    from app.disputes import streamed_xlsx

    monkeypatch.setattr(streamed_xlsx, "MAX_ROWS", 4)  # a header and three cases a sheet

    async def cases():
        for n in range(7):
            yield [f"BY-{n}", "控制\x07字符 & <标记>", n, None]

    chunks = [
        c async for c in streamed_xlsx.stream("案件", ["编号", "标题", "人数", "空"], cases())
    ]
    book = load_workbook(io.BytesIO(b"".join(chunks)))
    assert book.sheetnames == ["案件", "案件 (2)", "案件 (3)"]
    first = list(book["案件"].iter_rows(values_only=True))
    assert first[0] == ("编号", "标题", "人数", "空")
    assert book["案件"]["A1"].font.b and not book["案件"]["A2"].font.b
    assert first[1] == ("BY-0", "控制字符 & <标记>", 0, None)  # a number stays a number
    numbers = [row[0] for name in book.sheetnames for row in book[name].iter_rows(values_only=True)]
    assert numbers == ["编号", "BY-0", "BY-1", "BY-2"] + ["编号", "BY-3", "BY-4", "BY-5"] + [
        "编号",
        "BY-6",
    ]
