"""Space: the only package that speaks PostGIS (GeoAlchemy2) or shapely.

The rest of the app calls `locate` (which grid holds a point), `maps` (the map's layers),
`near` (open cases near a point) and never asks which engine answers: `backend.current()`
picks PostGIS on PostgreSQL (`postgis.py`) and shapely/numpy on SQLite (`embedded.py`), and
tests/geo/ holds both to the same answers. `measure` and `hotspots` hold the shared maths.
"""
