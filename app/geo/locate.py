"""Which grid, village, township and county hold a GPS point. The engine (PostGIS or shapely)
finds the deepest jurisdiction under the point; the tree gives its ancestors.

A point on a border between grids belongs to the grid with the smallest code, on every engine
(see BORDER_TOLERANCE in app/geo/measure.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from app.geo.backend import current
from app.jurisdictions.tables import LEVELS, Jurisdiction

PLACE_COLUMNS = (
    Jurisdiction.id,
    Jurisdiction.level,
    *(Jurisdiction._meta.get_column_by_name(lv) for lv in LEVELS),
)


def invalidate() -> None:
    """Forget the in-memory boundaries of this process at once (other processes notice the
    boundary version stamp)."""
    from app.geo.embedded import Embedded

    Embedded.shared().invalidate()


async def locate_many(points: Sequence[tuple[float, float]]) -> list[int | None]:
    """The deepest jurisdiction holding each (lon, lat), or None outside every boundary."""
    return await current().locate(points)


async def place(lon: float, lat: float) -> dict | None:
    """The jurisdiction under the point with its ancestors' ids (columns county … grid)."""
    node_id = (await locate_many([(lon, lat)]))[0]
    if node_id is None:
        return None
    return await Jurisdiction.select(*PLACE_COLUMNS).where(Jurisdiction.id == node_id).first()


async def locate_grid(lon: float, lat: float) -> int | None:
    found = await place(lon, lat)
    return found["id"] if found and found["level"] == "grid" else None
