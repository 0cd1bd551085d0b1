"""Hotspots: places where cases gather in space and time (3+ cases within 500 m in 30 days).

A hotspot is a DBSCAN cluster of the cases logged in the window. PostgreSQL runs
ST_ClusterDBSCAN; SQLite runs `dbscan` below, which gives the same clusters:

- both measure on the same plane: x = lon·kx, y = lat·ky with the WGS84 metres-per-degree at the
  county's middle latitude (`plane`), computed with the same IEEE operations on both sides
  (within 0.5 % of true distance across a county; what matters is that it is the same metric);
- both compare sqrt(dx² + dy²) <= eps, as PostGIS's point distance does;
- PostGIS's result depends on the input order only for a border point (not core, near the core
  points of two clusters): it joins the cluster of the first core point in input order. Both
  sides order the cases by id, and `dbscan` gives a border point to its lowest-index core
  neighbour, which is the same rule.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.strtree import STRtree

from app.geo.measure import DECIMALS, geodesic_m, metres_per_degree

RADIUS_M = 500
MIN_CASES = 3
DAYS = 30
CASE_IDS_SHOWN = 50  # the newest of a hotspot's cases named in full; `count` says how many


@dataclass(frozen=True)
class Plane:
    kx: float
    ky: float

    @classmethod
    def at(cls, lat0: float) -> Plane:
        kx, ky = metres_per_degree(lat0)
        return cls(kx, ky)


def dbscan(x: np.ndarray, y: np.ndarray, eps: float, min_points: int) -> np.ndarray:
    """Cluster label per point (the index of the cluster's first core point), -1 for noise."""
    n = len(x)
    labels = np.full(n, -1, dtype=np.int64)
    if n == 0 or n < min_points:
        return labels
    tree = STRtree(shapely.points(x, y))
    # candidate pairs whose boxes meet (each point meets itself), then the exact test
    query, found = tree.query(shapely.box(x - eps, y - eps, x + eps, y + eps))
    dx = x[found] - x[query]
    dy = y[found] - y[query]
    close = np.sqrt(dx * dx + dy * dy) <= eps
    i, j = query[close], found[close]
    core = np.bincount(i, minlength=n) >= min_points

    # core points within eps of each other share a cluster: propagate the smallest index
    both = core[i] & core[j]
    ci, cj = i[both], j[both]
    root = np.arange(n)
    while True:
        smallest = np.minimum(root[ci], root[cj])
        updated = root.copy()
        np.minimum.at(updated, ci, smallest)
        np.minimum.at(updated, cj, smallest)
        updated = updated[updated]  # pointer jumping: a root is always a smaller index
        if np.array_equal(updated, root):
            break
        root = updated
    labels[core] = root[core]

    # a border point joins the cluster of its first core neighbour in input order
    border = core[i] & ~core[j]
    owner = np.full(n, n, dtype=np.int64)
    np.minimum.at(owner, j[border], i[border])
    attached = owner < n
    labels[attached] = root[owner[attached]]
    return labels


def summarise(
    rows: list[dict], labels: list[int | None], open_statuses: tuple[str, ...]
) -> list[dict]:
    """One entry per cluster: where (the members' mean point and the farthest member's distance
    from it), how many, how recent, which categories. Rows come ordered by id; the engines
    number clusters differently, so each is named by its first member."""
    members = [i for i, label in enumerate(labels) if label is not None and label >= 0]
    if not members:
        return []
    lon = np.array([rows[i]["lon"] for i in members])
    lat = np.array([rows[i]["lat"] for i in members])
    _found, cluster = np.unique(np.array([labels[i] for i in members]), return_inverse=True)
    size = np.bincount(cluster)
    centre_lon = np.bincount(cluster, weights=lon) / size
    centre_lat = np.bincount(cluster, weights=lat) / size
    radius = np.zeros(len(size))
    np.maximum.at(radius, cluster, geodesic_m(centre_lon[cluster], centre_lat[cluster], lon, lat))
    grouped: list[list[dict]] = [[] for _ in size]
    for i, c in zip(members, cluster.tolist(), strict=True):
        grouped[c].append(rows[i])
    spots = []
    for c, group in enumerate(grouped):
        categories = Counter(m["category"] for m in group)
        newest_first = sorted(group, key=lambda m: (m["created_at"], m["id"]), reverse=True)
        spots.append(
            {
                "key": str(group[0]["id"]),
                "count": len(group),
                "open": sum(1 for m in group if m["status"] in open_statuses),
                "center": [
                    round(float(centre_lon[c]), DECIMALS),
                    round(float(centre_lat[c]), DECIMALS),
                ],
                "radius_m": round(float(radius[c]), 1),
                "first": newest_first[-1]["created_at"],
                "last": newest_first[0]["created_at"],
                "categories": dict(sorted(categories.items(), key=lambda kv: (-kv[1], kv[0]))),
                "case_ids": [str(m["id"]) for m in newest_first[:CASE_IDS_SHOWN]],
            }
        )
    spots.sort(key=lambda s: (-s["count"], s["key"]))
    return spots
