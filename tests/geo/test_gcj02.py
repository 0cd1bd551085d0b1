"""WGS84 → GCJ-02, the display offset of AMap/Tencent tiles, against published reference
values (the eviltransform test vectors; gcoord's inverse), and its inverse round trip."""

import pytest

from app.geo.gcj02 import gcj02_to_wgs84, outside_china, wgs84_to_gcj02
from app.geo.measure import geodesic_m

# (WGS84 lat, lon) → (GCJ-02 lat, lon)
REFERENCE = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),  # Shanghai
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),  # Shenzhen
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),  # Beijing
]


@pytest.mark.parametrize(("wgs", "gcj"), REFERENCE)
def test_a_wgs84_point_moves_to_its_published_gcj02_place(wgs, gcj):
    lon, lat = wgs84_to_gcj02(wgs[1], wgs[0])
    assert lat == pytest.approx(gcj[0], abs=1e-9) and lon == pytest.approx(gcj[1], abs=1e-9)


@pytest.mark.parametrize(("wgs", "gcj"), REFERENCE)
def test_the_inverse_brings_a_gcj02_point_back_within_a_millimetre(wgs, gcj):
    lon, lat = gcj02_to_wgs84(gcj[1], gcj[0])
    assert float(geodesic_m(lon, lat, wgs[1], wgs[0])) < 0.001


def test_the_inverse_matches_gcoord_reference():
    lon, lat = gcj02_to_wgs84(123.0, 45.0)
    assert lon == pytest.approx(122.99395597, abs=1e-5)
    assert lat == pytest.approx(44.99804071, abs=1e-5)


def test_the_offset_in_the_demo_county_is_hundreds_of_metres():
    lon, lat = 113.32, 32.72  # Biyang
    glon, glat = wgs84_to_gcj02(lon, lat)
    assert 200 < float(geodesic_m(lon, lat, glon, glat)) < 700


def test_outside_china_nothing_moves():
    assert outside_china(2.35, 48.85)
    assert wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)
    assert gcj02_to_wgs84(2.35, 48.85) == (2.35, 48.85)
