"""Where a case's point came from: the phone's fix (gps) or placed by hand (manual: the map's
pin dragged, or typed). Sent by the phone, else inferred from the accuracy; kept on the case and
on a check-in; shown on the case page."""

from __future__ import annotations

import uuid

from app.disputes.validation import parse_new_dispute
from tests.support.geo import demo_grids


def _inside(cast, username: str = "demo-grid"):
    code = cast.me[username]["jurisdiction"]["code"]
    grid = next(g for g in demo_grids() if g.code == code)
    p = grid.geometry.representative_point()
    return round(p.x, 6), round(p.y, 6)


async def test_a_pin_moved_by_hand_is_kept_as_manual_and_shown_so(cast):
    lon, lat = _inside(cast)
    case = await cast.log_case("demo-grid", lon=lon, lat=lat, location_source="manual")
    assert case["location_source"] == "manual"
    page = await (await cast.browser("demo-grid")).get(f"/disputes/{case['id']}")
    assert 'data-location-source="manual"' in page.text and "手动放置" in page.text


async def test_without_a_source_a_point_with_accuracy_is_gps_and_one_without_is_manual(cast):
    lon, lat = _inside(cast)
    fix = await cast.log_case("demo-grid", lon=lon, lat=lat, gps_accuracy_m=9)
    typed = await cast.log_case("demo-grid", lon=lon, lat=lat)
    none = await cast.log_case("demo-grid")
    assert (fix["location_source"], typed["location_source"], none["location_source"]) == (
        "gps",
        "manual",
        None,
    )


async def test_an_unknown_source_is_refused_naming_the_field(cast):
    lon, lat = _inside(cast)
    r = await cast.api["demo-grid"].post(
        "/api/v1/disputes",
        json={
            "id": str(uuid.uuid4()),
            "title": "来源不明",
            "category": "neighbours",
            "lon": lon,
            "lat": lat,
            "location_source": "satellite",
        },
    )
    assert r.status_code in (400, 422)


def test_a_case_sent_before_phones_sent_the_source_replays_as_the_same_case():
    body = {"id": str(uuid.uuid4()), "title": "旧手机", "category": "neighbours", "lon": 113.3}
    body["lat"] = 32.7
    old = parse_new_dispute(body).content()
    assert "location_source" not in old
    assert parse_new_dispute(body | {"location_source": "gps"}).content() != old


async def test_a_check_in_keeps_where_its_point_came_from(cast):
    lon, lat = _inside(cast)
    grid = cast.me["demo-grid"]["jurisdiction"]["id"]
    r = await cast.api["demo-grid"].post(
        "/api/v1/checkins",
        json={
            "id": str(uuid.uuid4()),
            "grid_id": grid,
            "lon": lon,
            "lat": lat,
            "location_source": "manual",
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["location_source"] == "manual"
