"""A deterministic demo county around Biyang (泌阳县), Henan: 12 townships, 150 villages,
600 grids whose polygons tile the county.

Built bottom-up so the tiling is exact: one Voronoi diagram of the grid seeds (siblings share
identical vertices), villages are unions of their grids, townships unions of their villages.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

import shapely
from shapely.geometry import MultiPoint, Point, Polygon, mapping
from shapely.ops import unary_union

CENTER = (113.32, 32.72)
COUNTY_CODE = "411726"
COUNTY_NAME = "泌阳县（演示）"
COUNTY_ABBR = "BY"
TOWNSHIP_NAMES = [
    "泌水街道",
    "古城街道",
    "花园街道",
    "盘古乡",
    "高邑乡",
    "马谷田镇",
    "春水镇",
    "官庄镇",
    "贾楼乡",
    "象河乡",
    "羊册镇",
    "郭集镇",
]
SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
PLACE_SUFFIXES = [
    "庄",
    "营",
    "店",
    "楼",
    "寨",
    "岗",
    "湾",
    "沟",
    "集",
    "河",
    "桥",
    "坡",
    "洼",
    "屯",
    "岭",
]
GRID_NUMERALS = ["一", "二", "三", "四", "五", "六"]
PRECISION = 1e-6  # ~0.1 m: plenty for a village map, and short GeoJSON


@dataclass
class Node:
    code: str
    name: str
    level: str
    parent_code: str | None
    geometry: Polygon
    abbr: str | None = None
    children: list[Node] = field(default_factory=list)

    def feature(self) -> dict:
        props = {
            "code": self.code,
            "name": self.name,
            "level": self.level,
            "parent_code": self.parent_code,
        }
        if self.abbr:
            props["abbr"] = self.abbr
        return {"type": "Feature", "properties": props, "geometry": mapping(self.geometry)}


def _county_outline(rng: random.Random) -> Polygon:
    cx, cy = CENTER
    points = []
    for i in range(48):
        angle = 2 * math.pi * i / 48
        wobble = (
            1
            + 0.10 * math.sin(3 * angle + 0.7)
            + 0.05 * math.sin(7 * angle)
            + rng.uniform(-0.02, 0.02)
        )
        points.append((cx + 0.27 * wobble * math.cos(angle), cy + 0.21 * wobble * math.sin(angle)))
    return shapely.set_precision(Polygon(points), PRECISION)


def _spread_points(rng: random.Random, area: Polygon, n: int, min_dist: float) -> list[Point]:
    minx, miny, maxx, maxy = area.bounds
    chosen: list[Point] = []
    tries = 0
    while len(chosen) < n:
        tries += 1
        if tries % 5000 == 0:
            min_dist *= 0.95  # the area is full at this spacing: relax it a little
        p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if area.contains(p) and all(p.distance(q) >= min_dist for q in chosen):
            chosen.append(p)
    return chosen


def _farthest_points(points: list[Point], k: int) -> list[int]:
    picked = [0]
    while len(picked) < k:
        best = max(
            range(len(points)), key=lambda i: min(points[i].distance(points[j]) for j in picked)
        )
        picked.append(best)
    return picked


def _unique_names(rng: random.Random, n: int) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < n:
        name = (
            rng.choice(SURNAMES)
            + rng.choice(["", "家", "大", "小", "新", "老"])
            + rng.choice(PLACE_SUFFIXES)
            + "村"
        )
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def build_county(
    seed: int = 2026, townships: int = 12, villages: int = 150, grids_per_village: int = 4
) -> Node:
    rng = random.Random(seed)
    outline = _county_outline(rng)
    spacing = math.sqrt(outline.area / villages) * 0.75
    village_seeds = _spread_points(rng, outline.buffer(-spacing * 0.3), villages, spacing)

    grid_seeds: list[Point] = []
    for vs in village_seeds:
        turn = rng.uniform(0, 2 * math.pi)
        for k in range(grids_per_village):
            a = turn + 2 * math.pi * k / grids_per_village
            r = spacing * rng.uniform(0.12, 0.2)
            grid_seeds.append(Point(vs.x + r * math.cos(a), vs.y + r * math.sin(a)))

    cells = shapely.voronoi_polygons(
        MultiPoint(grid_seeds), extend_to=outline.buffer(0.1), ordered=True
    )
    grid_polys = []
    for cell in cells.geoms:
        clipped = shapely.set_precision(cell, PRECISION).intersection(outline)
        if clipped.geom_type != "Polygon":  # keep the largest piece of a cell cut by the outline
            clipped = max(clipped.geoms, key=lambda g: g.area)
        grid_polys.append(shapely.set_precision(clipped, PRECISION))

    # villages → townships by nearest township seed, then mend any township split in two
    town_idx = _farthest_points(village_seeds, townships)
    town_of = [
        min(range(townships), key=lambda t: vs.distance(village_seeds[town_idx[t]]))
        for vs in village_seeds
    ]
    village_polys = [
        unary_union(grid_polys[v * grids_per_village : (v + 1) * grids_per_village])
        for v in range(villages)
    ]
    _mend_townships(town_of, village_polys, townships)

    names = _unique_names(rng, villages)
    # the county is exactly the union of its grids (the outline clip can shave slivers)
    county_geom = shapely.set_precision(unary_union(grid_polys), PRECISION)
    county = Node(COUNTY_CODE, COUNTY_NAME, "county", None, county_geom, abbr=COUNTY_ABBR)
    # township numbering follows the geography: north-west first, like a paper map is read
    order = sorted(
        range(townships),
        key=lambda t: (-round(village_seeds[town_idx[t]].y, 2), village_seeds[town_idx[t]].x),
    )
    for t_no, t in enumerate(order, start=1):
        t_code = f"{COUNTY_CODE}{t_no:03d}"
        members = [v for v in range(villages) if town_of[v] == t]
        members.sort(key=lambda v: (-village_seeds[v].y, village_seeds[v].x))
        t_geom = shapely.set_precision(unary_union([village_polys[v] for v in members]), PRECISION)
        town = Node(t_code, TOWNSHIP_NAMES[t_no - 1], "township", COUNTY_CODE, t_geom)
        for v_no, v in enumerate(members, start=1):
            v_code = f"{t_code}{v_no:03d}"
            village = Node(v_code, names[v], "village", t_code, village_polys[v])
            for g in range(grids_per_village):
                g_code = f"{v_code}{g + 1:02d}"
                village.children.append(
                    Node(
                        g_code,
                        f"第{GRID_NUMERALS[g]}网格",
                        "grid",
                        v_code,
                        grid_polys[v * grids_per_village + g],
                    )
                )
            town.children.append(village)
        county.children.append(town)
    return county


def _mend_townships(town_of: list[int], village_polys: list, townships: int) -> None:
    for _round in range(20):
        changed = False
        for t in range(townships):
            members = [v for v, owner in enumerate(town_of) if owner == t]
            union = unary_union([village_polys[v] for v in members])
            if union.geom_type == "Polygon":
                continue
            main = max(union.geoms, key=lambda g: g.area)
            for v in members:
                if not village_polys[v].representative_point().within(main):
                    neighbours = [
                        town_of[u]
                        for u in range(len(town_of))
                        if town_of[u] != t and village_polys[u].touches(village_polys[v])
                    ]
                    if neighbours:
                        town_of[v] = min(neighbours)
                        changed = True
        if not changed:
            return


def walk(node: Node):
    yield node
    for child in node.children:
        yield from walk(child)


def feature_collection(county: Node) -> dict:
    return {"type": "FeatureCollection", "features": [n.feature() for n in walk(county)]}
