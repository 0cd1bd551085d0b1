"""WGS84 ↔ GCJ-02, the offset China's law requires of web maps published inside it (AMap,
Tencent and other commercial tiles are drawn in it; Tianditu's are not).

The well-known public-domain formula (the Krasovsky ellipsoid and the published polynomial,
as in every open "eviltransform"); outside China's box it is the identity. Pingli stores and
computes in WGS84 only: this is for display on GCJ-02 tiles, and mirrors
static/js/basemap.js, which every map uses (tests hold the two to the same reference values).
"""

from __future__ import annotations

from math import cos, fabs, pi, sin, sqrt

A = 6378245.0  # Krasovsky 1940 semi-major axis
EE = 0.00669342162296594323  # its first eccentricity squared


def outside_china(lon: float, lat: float) -> bool:
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _dlat(x: float, y: float) -> float:
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(fabs(x))
    r += (20.0 * sin(6.0 * x * pi) + 20.0 * sin(2.0 * x * pi)) * 2.0 / 3.0
    r += (20.0 * sin(y * pi) + 40.0 * sin(y / 3.0 * pi)) * 2.0 / 3.0
    r += (160.0 * sin(y / 12.0 * pi) + 320.0 * sin(y * pi / 30.0)) * 2.0 / 3.0
    return r


def _dlon(x: float, y: float) -> float:
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(fabs(x))
    r += (20.0 * sin(6.0 * x * pi) + 20.0 * sin(2.0 * x * pi)) * 2.0 / 3.0
    r += (20.0 * sin(x * pi) + 40.0 * sin(x / 3.0 * pi)) * 2.0 / 3.0
    r += (150.0 * sin(x / 12.0 * pi) + 300.0 * sin(x / 30.0 * pi)) * 2.0 / 3.0
    return r


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """(lon, lat) in WGS84 → where GCJ-02 tiles draw that place."""
    if outside_china(lon, lat):
        return lon, lat
    dlat = _dlat(lon - 105.0, lat - 35.0)
    dlon = _dlon(lon - 105.0, lat - 35.0)
    rad = lat / 180.0 * pi
    magic = 1 - EE * sin(rad) ** 2
    sqrt_magic = sqrt(magic)
    dlat = (dlat * 180.0) / ((A * (1 - EE)) / (magic * sqrt_magic) * pi)
    dlon = (dlon * 180.0) / (A / sqrt_magic * cos(rad) * pi)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """The inverse, by fixed-point iteration (a pin dragged on GCJ-02 tiles → the WGS84 point
    stored): converges to well under a millimetre in a few steps."""
    if outside_china(lon, lat):
        return lon, lat
    wlon, wlat = lon, lat
    for _ in range(10):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        dlon, dlat = glon - lon, glat - lat
        wlon, wlat = wlon - dlon, wlat - dlat
        if fabs(dlon) < 1e-10 and fabs(dlat) < 1e-10:
            break
    return wlon, wlat
