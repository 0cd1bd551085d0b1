"""Distances and areas on the WGS84 spheroid, the same as PostGIS measures geography."""

import math

import pytest
from shapely.geometry import box

from app.geo.measure import (
    area_km2,
    degrees_box,
    geodesic_m,
    metres_per_degree,
    rounded,
    simplify_tolerance,
)

# ST_Distance(geography, geography) from PostGIS 3.3 (GeographicLib on WGS84), to the micrometre
POSTGIS_DISTANCES = [
    ((113.32, 32.72, 113.33, 32.73), 1452.111822),
    ((113.05, 32.5, 113.6, 32.95), 71754.400072),
    ((113.32, 32.72, 113.32001, 32.72), 0.937473),
    ((0, 0, 1, 1), 156899.568291),
    ((116.397, 39.909, 121.47, 31.23), 1066622.110416),
    ((113.32, 32.72, 113.32, 32.72), 0.0),
]


@pytest.mark.parametrize(("points", "metres"), POSTGIS_DISTANCES)
def test_distances_match_postgis_geography_within_a_millimetre(points, metres):
    assert abs(float(geodesic_m(*points)) - metres) < 1e-3


def test_distances_are_computed_for_many_points_at_once():
    found = geodesic_m(113.32, 32.72, [113.33, 113.32001], [32.73, 32.72])
    assert [round(v, 3) for v in found] == [1452.112, 0.937]


def test_the_search_box_holds_the_whole_circle():
    west, south, east, north = degrees_box(113.32, 32.72, 1000)
    for lon, lat in ((west, 32.72), (east, 32.72), (113.32, south), (113.32, north)):
        assert geodesic_m(113.32, 32.72, lon, lat) > 1000


def test_a_square_kilometre_is_a_square_kilometre():
    kx, ky = metres_per_degree(32.72)
    square = box(113.32, 32.72, 113.32 + 1000 / kx, 32.72 + 1000 / ky)
    assert math.isclose(area_km2(square), 1.0, rel_tol=1e-3)


def test_coordinates_sent_out_have_six_decimals():
    assert rounded({"type": "Point", "coordinates": [113.123456789, 32.1]}) == {
        "type": "Point",
        "coordinates": [113.123457, 32.1],
    }


def test_boundaries_are_simplified_below_half_a_pixel_and_not_when_close():
    assert simplify_tolerance(None) == 0 and simplify_tolerance(16) == 0
    assert simplify_tolerance(10) < simplify_tolerance(8)
