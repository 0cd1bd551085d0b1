"""Possible duplicates: open cases of the same category within 250 m; marking one links both."""

import math

import pytest

from app.disputes.duplicates import haversine_m
from app.jurisdictions.tables import Jurisdiction
from tests.support.lifecycle import act, current, ledger


def north_of(lon: float, lat: float, metres: float) -> tuple[float, float]:
    return lon, lat + metres / 111_320


def test_the_haversine_distance_matches_a_known_one():
    # one degree of latitude is about 111.2 km; one of longitude at 32.7°N about 93.6 km
    assert haversine_m(113.3, 32.7, 113.3, 33.7) == pytest.approx(111_195, rel=1e-3)
    assert haversine_m(113.3, 32.7, 114.3, 32.7) == pytest.approx(
        111_195 * math.cos(math.radians(32.7)), rel=1e-2
    )


@pytest.fixture
async def spot(cast):
    grid = (
        await Jurisdiction.select()
        .where(Jurisdiction.id == cast.me["demo-grid"]["jurisdiction"]["id"])
        .first()
    )
    return grid["centroid_lon"], grid["centroid_lat"]


async def test_a_new_case_suggests_open_cases_of_its_category_within_250_metres(cast, spot):
    lon, lat = spot
    first = await cast.log_case(
        "demo-grid", category="environment", lon=lon, lat=lat, title="养殖场异味"
    )
    near_lon, near_lat = north_of(lon, lat, 120)
    far_lon, far_lat = north_of(lon, lat, 400)
    other_kind = await cast.log_case("demo-grid", category="debt", lon=near_lon, lat=near_lat)
    far = await cast.log_case("demo-grid", category="environment", lon=far_lon, lat=far_lat)
    new = await cast.log_case(
        "demo-grid",
        category="environment",
        lon=near_lon,
        lat=near_lat,
        title="又有人反映养殖场异味",
    )
    found = (await cast.api["demo-grid"].get(f"/api/v1/disputes/{new['id']}/duplicates")).json()
    ids = [d["id"] for d in found]
    assert first["id"] in ids
    assert other_kind["id"] not in ids and far["id"] not in ids and new["id"] not in ids
    assert 100 <= next(d for d in found if d["id"] == first["id"])["distance_m"] <= 140


async def test_marking_a_duplicate_merges_it_and_writes_the_link_on_both_ledgers(cast, spot):
    lon, lat = spot
    original = await cast.log_case("demo-grid", category="neighbours", lon=lon, lat=lat)
    copy = await cast.log_case("demo-grid", category="neighbours", lon=lon, lat=lat)
    page = await (await cast.browser("demo-grid")).get(f"/disputes/{copy['id']}")
    assert original["case_no"] in page.text  # suggested on the page
    await act(cast, "demo-grid", copy["id"], "mark-duplicate", duplicate_of=original["id"])
    merged = await current(cast, copy["id"])
    assert (
        merged["status"] == "duplicate"
        and merged["duplicate_of"] == original["id"]
        and merged["due_at"] is None
    )
    assert [e["kind"] for e in await ledger(cast, copy["id"])][-1] == "marked_duplicate"
    linked = (await ledger(cast, original["id"]))[-1]
    assert linked["kind"] == "duplicate_linked" and linked["data"]["duplicate"] == copy["id"]
    assert (await current(cast, original["id"]))["status"] == "logged"


async def test_a_case_cannot_duplicate_itself_or_one_outside_the_area(cast):
    case = await cast.log_case("demo-grid")
    r = await act(
        cast, "demo-grid", case["id"], "mark-duplicate", duplicate_of=case["id"], expect=422
    )
    assert r.json()["errors"][0]["field"] == "duplicate_of"
    elsewhere = await cast.log_case("demo-grid-2")
    await act(
        cast, "demo-grid", case["id"], "mark-duplicate", duplicate_of=elsewhere["id"], expect=422
    )
