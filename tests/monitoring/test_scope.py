"""A township officer's dashboard, boards, alerts, reports and exports hold nothing of another
township (the hand-built county: township A has c1-c6, c9-c12; township B has c7 and c8)."""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import load_workbook

from app.disputes.deadlines import CHINA
from app.disputes.tables import Dispute
from app.monitoring import alerts, reports
from app.monitoring.tables import Alert
from tests.monitoring.conftest import NOW, PERIOD


async def _case_nos(county, names) -> list[str]:
    rows = await Dispute.select(Dispute.case_no).where(
        Dispute.id.is_in([county.cases[n] for n in names])
    )
    return [r["case_no"] for r in rows]


def _b_words(county) -> list[str]:
    return [county.nodes["B"]["name"], county.nodes["B.v"]["name"], county.nodes["B.g1"]["name"]]


async def test_a_township_officers_dashboard_covers_their_township_and_nothing_else(app, county):
    async with county.client(app, "A") as a:
        mine = (await a.get("/api/v1/stats", params=PERIOD)).json()
        assert mine["node"]["id"] == county.id("A")
        assert {f["code"]: f["value"] for f in mine["figures"]}["new"] == 9
        assert [x["id"] for x in mine["by_area"]] == [county.id("A.v")]
        for other in ("B", "B.v", "county"):
            r = await a.get("/api/v1/stats", params={"jurisdiction": county.id(other), **PERIOD})
            assert r.status_code == 404, other
        page = await a.get("/monitor", params=PERIOD)
        assert page.status_code == 200
        assert not any(word in page.text for word in _b_words(county))


async def test_a_township_officers_boards_list_no_case_of_another_township(app, county):
    b_cases = await _case_nos(county, ["c7", "c8"])
    async with county.client(app, "A") as a:
        for url in ("/api/v1/boards", "/monitor/boards"):
            r = await a.get(url)
            assert r.status_code == 200, r.text
            assert not any(no in r.text for no in b_cases), url
    async with county.client(app, "B") as b:
        # and the other way round: B's own referred group dispute is there, A's overdue ones are not
        r = await b.get("/api/v1/boards")
        assert not any(no in r.text for no in await _case_nos(county, ["c6", "c11", "c12"]))


async def test_alerts_reach_the_right_level_and_no_township_sees_anothers(app, county):
    await alerts.run_rules(NOW)
    raised = await Alert.select(Alert.kind, Alert.dispute, Alert.target).where(
        Alert.county == county.id("county")
    )
    by_case = {(r["kind"], r["dispute"]): r["target"] for r in raised if r["dispute"]}
    c = county.cases
    assert by_case == {
        ("group", c["c6"]): county.id("A"),
        ("high_risk", c["c6"]): county.id("county"),
        ("group", c["c7"]): county.id("B"),
        ("repeat", c["c11"]): county.id("A"),
        ("bouncing", c["c12"]): county.id("county"),
    }
    b_alert = next(r for r in await Alert.select().where(Alert.dispute == c["c7"]))
    async with county.client(app, "A") as a:
        listed = (await a.get("/api/v1/alerts", params={"state": "all"})).json()
        assert b_alert["id"] not in [x["id"] for x in listed["items"]]
        # visible by where the case lies (the county's own alerts about A's cases included)
        assert {x["dispute"] for x in listed["items"]} == {str(c[n]) for n in ("c6", "c11", "c12")}
        assert (await a.get(f"/api/v1/alerts/{b_alert['id']}")).status_code == 404
        assert (await a.get(f"/alerts/{b_alert['id']}")).status_code == 404


async def test_a_township_officers_exports_hold_nothing_of_another_township(app, county):
    b_cases = await _case_nos(county, ["c7", "c8"])
    async with county.client(app, "A") as a:
        for fmt in ("csv", "xlsx"):
            r = await a.get(f"/reports/custom/export/{fmt}", params=PERIOD)
            assert r.status_code == 200, r.text
            if fmt == "csv":
                text = r.content.decode("utf-8-sig")
            else:
                book = load_workbook(io.BytesIO(r.content))
                text = "\n".join(
                    str(v)
                    for ws in book
                    for row in ws.iter_rows(values_only=True)
                    for v in row
                    if v is not None
                )
            assert county.nodes["A"]["name"] in text
            assert not any(word in text for word in _b_words(county) + b_cases), fmt
        other = await a.get(
            "/reports/custom/export/csv", params={"jurisdiction": county.id("B"), **PERIOD}
        )
        assert other.status_code == 404


async def test_issued_reports_of_another_township_or_the_county_are_not_a_township_officers(
    app, county
):
    await reports.issue("monthly", datetime(2026, 4, 1, 8, 0, tzinfo=CHINA))
    async with county.client(app, "A") as a:
        listed = (await a.get("/api/v1/reports", params={"kind": "monthly"})).json()["items"]
        assert {r["node_id"] for r in listed} == {county.id("A")}
    async with county.client(app, "county") as top:
        everything = (await top.get("/api/v1/reports", params={"kind": "monthly"})).json()["items"]
        ours = {
            r["node_id"]: r["id"]
            for r in everything
            if r["node_id"] in (county.id("B"), county.id("county"))
        }
    assert set(ours) == {county.id("B"), county.id("county")}
    async with county.client(app, "A") as a:
        for report_id in ours.values():
            assert (await a.get(f"/api/v1/reports/{report_id}")).status_code == 404
            assert (await a.get(f"/reports/{report_id}/export/csv")).status_code == 404


async def test_a_village_mediator_sees_their_village_and_a_grid_worker_their_grid(app, county):
    async with county.client(app, "A.v") as v:
        body = (await v.get("/api/v1/stats", params=PERIOD)).json()
        assert (
            body["node"]["id"] == county.id("A.v")
            and {f["code"]: f["value"] for f in body["figures"]}["new"] == 9
        )
        assert {x["id"] for x in body["by_area"]} == {county.id("A.g1"), county.id("A.g2")}
    async with county.client(app, "A.g2") as g:
        body = (await g.get("/api/v1/stats", params=PERIOD)).json()
        assert {f["code"]: f["value"] for f in body["figures"]}["new"] == 2
        assert (
            await g.get("/api/v1/stats", params={"jurisdiction": county.id("A.g1")})
        ).status_code == 404
