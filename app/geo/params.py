"""Reading places and numbers from a query string, with errors in the user's language."""

from __future__ import annotations

from typing import Annotated, Any

from litestar.params import Parameter

from app.disputes.errors import FieldErrors
from app.geo.backend import Box
from app.i18n import _

# A point in a query string, as the JSON API declares it (the pages read theirs with lon_lat)
QueryLon = Annotated[float, Parameter(ge=-180, le=180, description="Longitude (WGS84)")]
QueryLat = Annotated[float, Parameter(ge=-90, le=90, description="Latitude (WGS84)")]


def int_param(
    params: dict[str, Any], name: str, default: int | None, low: int, high: int, errors: dict
) -> int | None:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
        if not low <= value <= high:
            raise ValueError
        return value
    except (TypeError, ValueError):
        errors[name] = _("Must be a whole number between %(low)s and %(high)s.", low=low, high=high)
        return default


def box_param(raw: str | None, errors: dict) -> Box | None:
    """bbox=west,south,east,north in degrees."""
    if not raw:
        return None
    try:
        west, south, east, north = (float(v) for v in raw.split(","))
        if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
            raise ValueError
        return Box(west, south, east, north)
    except ValueError:
        errors["bbox"] = _("Must be west,south,east,north in degrees.")
        return None


def lon_lat(params: dict[str, Any]) -> tuple[float, float]:
    """The point in the query string (lon, lat), or 422 naming the field."""
    errors: dict[str, str] = {}
    found: dict[str, float] = {}
    for name, bound in (("lon", 180), ("lat", 90)):
        try:
            value = float(params.get(name, ""))
            if not -bound <= value <= bound:
                raise ValueError
            found[name] = value
        except (TypeError, ValueError):
            errors[name] = _(
                "Must be a number between %(low)s and %(high)s.", low=-bound, high=bound
            )
    if errors:
        raise FieldErrors(errors)
    return found["lon"], found["lat"]
