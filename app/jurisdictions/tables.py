"""The territory: county → township → village → grid.

Each node also stores its ancestors (and itself) in the columns named after the levels, so
"everything under node N at level L" is one indexed equality: `Jurisdiction.<L> == N`.
Scoped tables elsewhere carry the same four columns; see app/auth/scope.py.
"""

from piccolo.columns import (
    Float,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

LEVELS = ("county", "township", "village", "grid")


class Jurisdiction(Table):
    code = Varchar(length=32, unique=True, help_text="Administrative division code.")
    name = Varchar(length=100)
    level = Varchar(length=16, choices=None, index=True, help_text="county|township|village|grid")
    parent = ForeignKey(references="self", null=True, on_delete=OnDelete.restrict)
    depth = Integer(default=0, help_text="0 for the county, 3 for a grid.")
    abbr = Varchar(length=8, null=True, default=None, help_text="County prefix of case numbers.")
    county = ForeignKey(references="self", null=True, on_delete=OnDelete.restrict, index=True)
    township = ForeignKey(references="self", null=True, on_delete=OnDelete.restrict, index=True)
    village = ForeignKey(references="self", null=True, on_delete=OnDelete.restrict, index=True)
    grid = ForeignKey(references="self", null=True, on_delete=OnDelete.restrict, index=True)
    boundary = Text(null=True, default=None, help_text="GeoJSON Polygon/MultiPolygon, WGS84.")
    centroid_lon = Float(null=True, default=None)
    centroid_lat = Float(null=True, default=None)
    area_km2 = Float(
        null=True, default=None, help_text="Geodesic area of the boundary (density maps)."
    )


class BoundaryVersion(Table):
    """A single row, bumped by every boundary import in the import's transaction. Processes
    that keep boundaries in memory (app/geo/embedded.py) compare it before use."""

    version = Integer(default=0)


class BoundaryUpload(Table):
    """A boundary file uploaded at /admin/boundaries, checked and previewed, awaiting the
    administrator's confirmation (any web worker may answer it). Gone once imported; left
    ones are removed after a day."""

    token = Varchar(length=64, unique=True)
    user_id = Integer(help_text="The administrator who uploaded it: only they confirm it.")
    body = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
