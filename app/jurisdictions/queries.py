"""Read models of the territory. A user sees their subtree in full and, above it, their own
ancestors' names: nothing else (scope_where and get_or_404 decide the subtree)."""

from __future__ import annotations

from app.auth.actor import Actor
from app.auth.scope import get_or_404, scope_where
from app.disputes.vocabulary import JURISDICTION_LEVELS, label
from app.geo import locate
from app.geo.backend import current
from app.geo.measure import simplify_tolerance
from app.i18n import _
from app.jurisdictions.tables import LEVELS, Jurisdiction

NODE_COLUMNS = (
    Jurisdiction.id,
    Jurisdiction.code,
    Jurisdiction.name,
    Jurisdiction.level,
    Jurisdiction.parent,
    Jurisdiction.centroid_lon,
    Jurisdiction.centroid_lat,
    Jurisdiction.area_km2,
    *(Jurisdiction._meta.get_column_by_name(lv) for lv in LEVELS),
)


def in_subtree(actor: Actor, node: dict) -> bool:
    return node[actor.level] == actor.jurisdiction_id


def is_ancestor(actor: Actor, node: dict) -> bool:
    return node["id"] == actor.ancestor(node["level"]) and not in_subtree(actor, node)


def brief(actor: Actor, node: dict) -> dict | None:
    """How much of `node` the actor may see: all of it in their subtree, the name of their own
    ancestors, nothing otherwise."""
    if in_subtree(actor, node):
        return {
            "id": node["id"],
            "code": node["code"],
            "name": node["name"],
            "level": node["level"],
        }
    if is_ancestor(actor, node):
        return {"id": node["id"], "name": node["name"], "level": node["level"]}
    return None


def _centroid(node: dict) -> list[float] | None:
    if node["centroid_lon"] is None:
        return None
    return [node["centroid_lon"], node["centroid_lat"]]


async def ancestors(actor: Actor, node: dict) -> list[dict]:
    """The node's ancestors, county first, as much of each as the actor may see."""
    ids = [node[lv] for lv in LEVELS[: LEVELS.index(node["level"])] if node[lv] is not None]
    if not ids:
        return []
    rows = (
        await Jurisdiction.select(*NODE_COLUMNS)
        .where(Jurisdiction.id.is_in(ids))
        .order_by(Jurisdiction.depth)
    )
    return [seen for seen in (brief(actor, r) for r in rows) if seen is not None]


async def node_detail(actor: Actor, node_id: int, zoom: int | None = None) -> dict:
    node = await get_or_404(Jurisdiction, node_id, actor, *NODE_COLUMNS)
    above = await ancestors(actor, node)
    outline = await current().outlines([node["id"]], simplify_tolerance(zoom))
    children = await Jurisdiction.count().where(Jurisdiction.parent == node["id"])
    parent = above[-1] if above else None
    return {
        "id": node["id"],
        "code": node["code"],
        "name": node["name"],
        "level": node["level"],
        "level_label": label(JURISDICTION_LEVELS, node["level"]),
        "parent": parent,
        "ancestors": above,
        "centroid": _centroid(node),
        "area_km2": node["area_km2"],
        "boundary": outline.get(node["id"]),
        "children": children,
    }


async def children(actor: Actor, parent_id: int | None) -> list[dict]:
    """The children of `parent_id` (in the actor's area), or the actor's own node."""
    if parent_id is None:
        rows = await Jurisdiction.select(*NODE_COLUMNS).where(
            Jurisdiction.id == actor.jurisdiction_id
        )
    else:
        await get_or_404(Jurisdiction, parent_id, actor, Jurisdiction.id)
        rows = await (
            Jurisdiction.select(*NODE_COLUMNS)
            .where((Jurisdiction.parent == parent_id) & scope_where(Jurisdiction, actor))
            .order_by(Jurisdiction.code)
        )
    return [
        {
            "id": r["id"],
            "code": r["code"],
            "name": r["name"],
            "level": r["level"],
            "level_label": label(JURISDICTION_LEVELS, r["level"]),
            "parent": r["parent"],
            "centroid": _centroid(r),
        }
        for r in rows
    ]


async def locate_for(actor: Actor, lon: float, lat: float) -> dict:
    """What lies under the point, as far as the actor may see it."""
    answer: dict = {"lon": lon, "lat": lat, "inside": False, "in_scope": False}
    answer.update({lv: None for lv in LEVELS})
    found = await locate.place(lon, lat)
    if found is None:
        answer["message"] = _("This point lies outside the county.")
        return answer
    ids = [found[lv] for lv in LEVELS if found[lv] is not None]
    rows = {
        r["id"]: r
        for r in await Jurisdiction.select(*NODE_COLUMNS).where(Jurisdiction.id.is_in(ids))
    }
    for lv in LEVELS:
        if found[lv] in rows:
            answer[lv] = brief(actor, rows[found[lv]])
    answer["inside"] = True
    answer["in_scope"] = in_subtree(actor, rows[found["id"]])
    if not answer["in_scope"]:
        answer["message"] = _("This point lies outside your area.")
    return answer
