"""The checks a set of boundaries must pass before it is stored: siblings do not overlap,
children stay inside their parent, and children cover a parent that has a boundary.

Survey data is never perfectly noded: slivers under SLIVER_M2 are not reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import shapely
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

from app.geo.measure import metres_per_degree
from app.i18n import _

SLIVER_M2 = 1.0


@dataclass
class Node:
    code: str
    level: str
    parent_code: str | None
    geometry: BaseGeometry | None
    from_file: bool


def _m2(geometry: BaseGeometry) -> float:
    if geometry.is_empty:
        return 0.0
    kx, ky = metres_per_degree(geometry.centroid.y)
    return geometry.area * kx * ky


def _near(geometry: BaseGeometry) -> str:
    p = geometry.representative_point()
    return f"{p.x:.6f}, {p.y:.6f}"


def problems(nodes: dict[str, Node]) -> list[str]:
    """Everything wrong with the family of each parent touched by the file, parent first."""
    children: dict[str, list[Node]] = {}
    for node in nodes.values():
        if node.parent_code:
            children.setdefault(node.parent_code, []).append(node)
    touched = {n.parent_code for n in nodes.values() if n.from_file and n.parent_code}
    touched |= {n.code for n in nodes.values() if n.from_file and n.geometry is not None}
    found: list[str] = []
    for parent_code in sorted(touched):
        parent = nodes.get(parent_code)
        family = sorted(children.get(parent_code, []), key=lambda n: n.code)
        if parent is None or not family:
            continue
        found += _family_problems(parent, family)
    return found


def _family_problems(parent: Node, family: list[Node]) -> list[str]:
    found: list[str] = []
    shaped = [n for n in family if n.geometry is not None]
    pairs: tuple[list[int], list[int]] = ([], [])
    if shaped:  # (an empty query is refused by shapely)
        tree = STRtree([n.geometry for n in shaped])
        left, right = tree.query([n.geometry for n in shaped], predicate="intersects")
        pairs = (left.tolist(), right.tolist())
    for i, j in zip(*pairs, strict=True):
        a, b = shaped[i], shaped[j]
        if i < j and (a.from_file or b.from_file):
            overlap = shapely.intersection(a.geometry, b.geometry)
            if _m2(overlap) > SLIVER_M2:
                found.append(
                    _(
                        "Feature %(f)s: overlaps its sibling %(other)s by %(m2)s m² near %(near)s.",
                        f=a.code,
                        other=b.code,
                        m2=f"{_m2(overlap):,.0f}",
                        near=_near(overlap),
                    )
                )
    if parent.geometry is None or not shaped:
        return found
    for n in shaped:
        outside = shapely.difference(n.geometry, parent.geometry)
        if (n.from_file or parent.from_file) and _m2(outside) > SLIVER_M2:
            found.append(
                _(
                    "Feature %(f)s: reaches %(m2)s m² outside its parent %(parent)s near %(near)s.",
                    f=n.code,
                    parent=parent.code,
                    m2=f"{_m2(outside):,.0f}",
                    near=_near(outside),
                )
            )
    bare = [n.code for n in family if n.geometry is None]
    if bare:
        found.append(
            _(
                "Feature %(f)s: has a boundary and so do some of its children, but not %(codes)s.",
                f=parent.code,
                codes=", ".join(bare),
            )
        )
        return found
    gap = shapely.difference(parent.geometry, shapely.union_all([n.geometry for n in shaped]))
    if _m2(gap) > SLIVER_M2:
        found.append(
            _(
                "Feature %(f)s: its children leave a gap of %(m2)s m² near %(near)s.",
                f=parent.code,
                m2=f"{_m2(gap):,.0f}",
                near=_near(gap),
            )
        )
    return found
