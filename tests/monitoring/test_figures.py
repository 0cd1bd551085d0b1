"""Every figure on the hand-built county (tests/monitoring/conftest.py), worked out by hand, and
every number equal to the count of the list it links to."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qsl, urlsplit

import pytest

from app.disputes import queries
from app.monitoring import dashboard, facts, figures, stats
from app.monitoring.tables import CaseFact, StatsBucket
from tests.monitoring.conftest import NOW, PERIOD

MARCH = (date(2026, 3, 1), date(2026, 3, 31))

# Cases logged in March: c1-c7, c9, c11, c12 (c8 is a duplicate, c10 was logged in February).
COUNTY = {
    "new": 10,
    "open": 4,  # c6 mediating, c7 referred, c11 logged, c12 escalated
    "resolved": 6,  # c1 c2 c3 c4 c5 c9 (c3 counts once, at its second resolution)
    "escalated": 2,  # c2 (handed back since), c12
    "overdue": 4,  # c2's follow-up (due day 19), c6 (day 15), c11 (day 5), c12 (day 6)
    "overdue_resolution": 3,  # c6 mediating, c11 logged, c12 escalated
    "overdue_follow_up": 1,  # c2, resolved and not visited
    "referred": 1,
    "skip_level": 1,  # c9, a walk-in at the township
    "repeat": 1,  # c11: the applicant of c1 again
    "group_dispute": 2,  # c6 (6 people), c7 (5)
    "high_risk": 1,
    "resolved_village": 4,  # c1 c3 c4 c5; not c2, which went up to the township and back
    "on_time": 5,  # all but c5; c4 resolved at 19:00 on the day its limit ended at 09:00
    "followed_up": 2,  # c1 c9; c3's visit was before it was reopened
    "rated": 2,
    "resolved_by_village": 5,
    "resolved_by_township": 1,
    "resolved_by_county": 0,
    "resolution_rate": 0.6,
    "village_share": 4 / 6,
    "on_time_rate": 5 / 6,
    "follow_up_rate": 2 / 6,
    "satisfaction": 4.5,  # (4 + 5) / 2: c3's 2 was given before it was reopened
    "avg_days_village": (2 + 4 + 10 + (15 + 10 / 24) + (16 + 1 / 24)) / 5,
    "avg_days_township": 3.0,
    "avg_days_county": None,
}


async def _board(t, node_key="county", **params):
    actor = t.users["county"]
    q = await dashboard.parse(actor, {"jurisdiction": t.id(node_key), **PERIOD, **params}, NOW)
    assert not q.errors
    return await dashboard.build(actor, q, NOW)


def _values(board) -> dict:
    return {f["code"]: f["value"] for f in board["figures"]}


async def test_every_figure_of_the_hand_built_county_has_its_known_value(county):
    got = _values(await _board(county))
    assert set(got) == set(COUNTY)
    for code, expected in COUNTY.items():
        assert (
            got[code] == pytest.approx(expected, abs=1e-3)
            if expected is not None
            else got[code] is None
        ), code


async def test_the_facts_of_the_edge_cases_say_how_each_was_counted(county):
    rows = {
        r["id"]: r
        for r in await CaseFact.select().where(CaseFact.id.is_in(list(county.cases.values())))
    }
    c = {name: rows[case_id] for name, case_id in county.cases.items()}
    # escalated and handed back: resolved by the village, but not "resolved in the village"
    assert (c["c2"]["escalations"], c["c2"]["hand_backs"], c["c2"]["resolved_level"]) == (
        1,
        1,
        "village",
    )
    # reopened: one standing resolution, timed from logging to the second one, not visited since
    assert c["c3"]["resolved"] and c["c3"]["resolve_days"] == pytest.approx(10.0)
    assert not c["c3"]["followed_up"] and c["c3"]["satisfaction"] is None
    # resolved on the day its limit ended (after the minute): on time; the day after: late
    assert c["c4"]["on_time"] is True and c["c5"]["on_time"] is False
    assert c["c11"]["repeat_of"] == county.cases["c1"]
    assert c["c12"]["escalations"] + c["c12"]["hand_backs"] == 3
    assert c["c9"]["logged_level"] == "township" and c["c8"]["status"] == "duplicate"


async def test_a_category_and_a_shorter_period_narrow_every_figure(county):
    land = _values(await _board(county, category="land"))
    assert (
        land["new"],
        land["open"],
        land["overdue"],
        land["group_dispute"],
        land["resolved"],
    ) == (1, 1, 1, 1, 0)
    actor = county.users["county"]
    q = await dashboard.parse(
        actor, {"jurisdiction": county.id("county"), "from": "2026-03-04", "to": "2026-03-31"}, NOW
    )
    # only c11 was logged from the 4th on (T0 + 2 days, 09:00 China time); the rest on the 2nd
    assert _values(await dashboard.build(actor, q, NOW))["new"] == 1


async def test_each_township_and_grid_adds_up_to_its_own_cases(county):
    board = await _board(county)
    by_area = {a["id"]: {k: v["value"] for k, v in a["figures"].items()} for a in board["by_area"]}
    assert by_area[county.id("A")]["new"] == 9 and by_area[county.id("B")]["new"] == 1
    assert by_area[county.id("B")]["open"] == 1 and by_area[county.id("A")]["overdue"] == 4
    grid = _values(await _board(county, "A.g2"))
    assert (grid["new"], grid["resolved"], grid["repeat"]) == (2, 1, 1)  # c3, c11
    # the trend is always twelve months (here April 2025 to March 2026): February holds c10
    assert [m["month"] for m in board["months"]][-2:] == ["2026-02", "2026-03"]
    assert [m["figures"]["new"]["value"] for m in board["months"]][-2:] == [1, 10]


def _links(board) -> list[tuple[str, dict, int]]:
    """Every number on the board with its list's filter and the count the list must have."""
    found = []

    def add(where: str, f: dict) -> None:
        n = f["value"] if f["kind"] == "count" else f.get("numerator", f.get("n"))
        found.append((where, dict(parse_qsl(urlsplit(f["href"]).query)), n))

    for f in board["figures"]:
        add(f["code"], f)
    for section in ("by_area", "by_category", "months"):
        for row in board[section]:
            for code, f in row["figures"].items():
                add(f"{section}:{row.get('name') or row.get('month')}:{code}", f)
    return found


async def test_every_dashboard_number_equals_the_count_of_its_drill_down_list(county):
    board = await _board(county)
    actor = county.users["county"]
    links = _links(board)
    # every figure, area, category and month has its link, and most lists have cases to count
    assert len(links) > len(board["figures"]) > 0
    assert len([n for *_, n in links if n]) >= 10, links
    for where, params, expected in links:
        f = queries.DisputeFilters.from_params(params | {"per_page": "100"})
        assert not f.errors, (where, f.errors)
        page = await queries.list_disputes(actor, f, NOW)
        assert page.total == expected, where


async def test_the_stats_api_gives_each_figure_the_filter_that_lists_its_cases(app, county):
    """Through HTTP, at the real clock: GET /api/v1/stats, then GET /api/v1/disputes with each
    figure's filter, counts equal."""
    async with county.client(app, "county") as client:
        r = await client.get(
            "/api/v1/stats", params={"jurisdiction": county.id("county"), **PERIOD}
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["node"]["id"] == county.id("county") and body["from"] == PERIOD["from"]
        nonzero = [f["code"] for f in body["figures"] if f["value"]]
        assert len(nonzero) >= 3, body["figures"]  # lists with cases in them to count
        for f in body["figures"]:
            listed = await client.get("/api/v1/disputes", params=f["filter"] | {"per_page": 100})
            assert listed.status_code == 200, listed.text
            expected = f["value"] if f["kind"] == "count" else f.get("numerator", f.get("n"))
            assert listed.json()["total"] == expected, f["code"]


async def test_the_counters_kept_by_difference_equal_a_full_recount(county):
    await facts.refresh(NOW)
    mine = StatsBucket.county == county.id("county")
    columns = ["span", "day", "node", "category", *figures.COUNTERS]

    def key(rows):
        return {(r["span"], r["day"], r["node"], r["category"]): r for r in rows}

    before = key(
        await StatsBucket.select(*(StatsBucket._meta.get_column_by_name(c) for c in columns)).where(
            mine
        )
    )
    await facts.rebuild(NOW)
    after = key(
        await StatsBucket.select(*(StatsBucket._meta.get_column_by_name(c) for c in columns)).where(
            mine
        )
    )
    nonzero = {k: r for k, r in before.items() if any(r[c] for c in figures.COUNTERS)}
    assert set(nonzero) == set(after)
    for k, r in after.items():
        for c in figures.COUNTERS:
            assert before[k][c] == pytest.approx(r[c], abs=1e-6), (k, c)


def test_whole_months_are_read_from_month_rows_and_the_edges_from_days():
    assert stats.segments(date(2026, 3, 15), date(2026, 7, 20)) == [
        ("day", date(2026, 3, 15), date(2026, 3, 31)),
        ("month", date(2026, 4, 1), date(2026, 6, 1)),
        ("day", date(2026, 7, 1), date(2026, 7, 20)),
    ]
    assert stats.segments(*MARCH) == [("month", date(2026, 3, 1), date(2026, 3, 1))]
    assert stats.segments(date(2026, 2, 27), date(2026, 3, 2)) == [
        ("day", date(2026, 2, 27), date(2026, 2, 28)),
        ("day", date(2026, 3, 1), date(2026, 3, 2)),
    ]


def test_the_readme_defines_every_figure_as_the_code_does():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert figures.markdown_table() in readme, (
        "python -m app.monitoring.figures, then paste into the README"
    )


async def test_a_figures_list_page_keeps_its_filters_while_the_visible_ones_change(app, county):
    async with county.client(app, "county") as top:
        r = await top.get(
            "/disputes",
            params={**PERIOD, "jurisdiction": county.id("county"), "counted": "1", "resolved": "1"},
        )
    assert r.status_code == 200
    assert '<input type="hidden" name="resolved" value="1">' in r.text
    assert f'<input type="hidden" name="jurisdiction" value="{county.id("county")}">' in r.text
