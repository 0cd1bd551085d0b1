"""Synthetic cases for the demo and for benchmarks, inserted in bulk (db.bulk_insert: COPY).

Deterministic for a given seed. Each case gets a plausible place (a random point inside a
random grid), parties, a status that fits its age (recent cases are still open, old ones mostly
closed), and the whole ledger that status implies (app/seed/ledgers.py).
"""

from __future__ import annotations

import json
import random
import uuid
from collections import defaultdict
from datetime import datetime, timedelta

import numpy as np
import shapely
from shapely.geometry import shape

from app import clock, crypto, db
from app.auth.actor import MEDIATING_ROLES
from app.auth.tables import User
from app.disputes import deadlines, numbers
from app.disputes.services import CHINA
from app.disputes.tables import AgreementTerm, CaseEvent, Dispute, Party, Supervision
from app.jurisdictions.tables import Jurisdiction
from app.seed.ledgers import History, history

CHUNK = 2000  # cases per transaction (with their parties, events, terms, supervision orders)

TITLES = {
    "land": ["宅基地边界纠纷", "承包地界址争议", "林地归属争议", "田埂占用纠纷"],
    "neighbours": ["邻里排水纠纷", "建房采光遮挡", "噪音扰民", "通行道路争议"],
    "marriage_family": ["赡养老人纠纷", "离婚财产分割", "分家析产纠纷", "抚养费纠纷"],
    "debt": ["民间借贷纠纷", "货款拖欠纠纷", "担保还款纠纷"],
    "wages": ["农民工工资拖欠", "工地欠薪", "临时工报酬争议"],
    "land_acquisition": ["征地补偿款分配", "拆迁安置争议", "青苗补偿纠纷"],
    "environment": ["养殖场异味污染", "垃圾倾倒纠纷", "灌溉水污染"],
    "property_management": ["物业费争议", "小区停车纠纷", "公共维修基金争议"],
    "other": ["合同履行纠纷", "损害赔偿纠纷", "其他矛盾"],
}
CATEGORY_WEIGHTS = {
    "land": 18,
    "neighbours": 22,
    "marriage_family": 16,
    "debt": 12,
    "wages": 8,
    "land_acquisition": 6,
    "environment": 6,
    "property_management": 4,
    "other": 8,
}
# What a case is doing depends on how old it is: most of last year's cases are closed.
STATUS_BY_AGE = (
    (3, {"logged": 50, "accepted": 30, "mediating": 20}),
    (
        30,
        {
            "logged": 3,
            "escalated": 3,
            "accepted": 10,
            "mediating": 35,
            "referred": 3,
            "resolved": 26,
            "closed": 16,
            "withdrawn": 4,
        },
    ),
    (
        10_000,
        {
            "mediating": 2,
            "referred": 4,
            "concluded": 1,
            "resolved": 2,
            "closed": 83,
            "withdrawn": 5,
            "unresolvable": 3,
        },
    ),
)
LEVEL_WEIGHTS = {"village": 74, "township": 21, "county": 5}
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华兰国庆建文玉春红梅"
SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐"


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _phone(rng: random.Random) -> str:
    return "1" + rng.choice("3456789") + "".join(str(rng.randrange(10)) for _ in range(9))


def _id_number(rng: random.Random) -> str:
    birth = datetime(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 55))
    body = "411726" + birth.strftime("%Y%m%d") + f"{rng.randrange(1000):03d}"
    return body + rng.choice("0123456789X")


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


async def _grids() -> list[dict]:
    rows = (
        await Jurisdiction.select(
            Jurisdiction.id,
            Jurisdiction.county,
            Jurisdiction.township,
            Jurisdiction.village,
            Jurisdiction.boundary,
        )
        .where(Jurisdiction.level == "grid")
        .order_by(Jurisdiction.code)
    )
    for r in rows:
        r["shape"] = shape(json.loads(r["boundary"]))
    return rows


def _points_in(rng: random.Random, polygon, n: int) -> list[tuple[float, float]]:
    """n points inside polygon (rejection sampling over its bounding box, vectorised)."""
    minx, miny, maxx, maxy = polygon.bounds
    found: list[tuple[float, float]] = []
    nprng = np.random.default_rng(rng.randrange(2**32))
    while len(found) < n:
        xs = nprng.uniform(minx, maxx, n * 3)
        ys = nprng.uniform(miny, maxy, n * 3)
        inside = shapely.contains_xy(polygon, xs, ys)
        found.extend(
            zip(np.round(xs[inside], 6).tolist(), np.round(ys[inside], 6).tolist(), strict=True)
        )
    return found[:n]


async def add_cases(
    n: int, seed: int = 7, now: datetime | None = None, created_by: int | None = None
) -> int:
    """Insert n synthetic cases spread over the last 12 months. Returns how many were added."""
    rng = random.Random(seed + n)
    now = now or clock.now()
    grids = await _grids()
    county = await Jurisdiction.select().where(Jurisdiction.level == "county").first()
    prefix = county["abbr"] or county["code"]
    per_grid: dict[int, int] = defaultdict(int)
    for _ in range(n):
        per_grid[rng.randrange(len(grids))] += 1
    placements = []
    for g_index, count in sorted(per_grid.items()):
        for point in _points_in(rng, grids[g_index]["shape"], count):
            placements.append((grids[g_index], point))
    rng.shuffle(placements)
    created = sorted(now - timedelta(seconds=rng.randrange(1, 365 * 86400)) for _ in range(n))
    counters: dict[int, int] = {}
    for year in {c.astimezone(CHINA).year for c in created}:
        counters[year] = await numbers.last(numbers.key(county["code"], year))

    limits = deadlines.limits()
    staff = {
        r["jurisdiction"]: r["id"]
        for r in await User.select(User.id, User.jurisdiction).where(
            User.role.is_in(list(MEDIATING_ROLES))
        )
    }
    batch = _Batch()
    for i in range(n):
        grid, (lon, lat) = placements[i]
        created_at = created[i]
        year = created_at.astimezone(CHINA).year
        counters[year] += 1
        category = _pick(rng, CATEGORY_WEIGHTS)
        age_days = (now - created_at).days
        status = _pick(rng, next(w for limit, w in STATUS_BY_AGE if age_days < limit))
        level = _pick(rng, LEVEL_WEIGHTS)
        if status == "escalated" and level == "village":
            level = "township"
        if status == "unresolvable":
            level = "county"  # only the county closes a case as unresolvable
        people = rng.choice([2, 2, 2, 3, 3, 4]) if rng.random() > 0.08 else rng.randint(5, 40)
        risk = (
            "high"
            if people >= 10 or rng.random() < 0.05
            else ("medium" if rng.random() < 0.25 else "low")
        )
        dispute_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        place = {
            "id": dispute_id,
            "created_at": created_at,
            "status": status,
            "level": level,
            "created_by": created_by,
            "county": grid["county"],
            "township": grid["township"],
            "village": grid["village"],
            "grid": grid["id"],
        }
        story = history(rng, place, now, limits, staff)
        batch.disputes.append(
            {
                "id": dispute_id,
                "case_no": f"{prefix}-{year}-{counters[year]:06d}",
                "category": category,
                "title": rng.choice(TITLES[category]),
                "description": rng.choice(TITLES[category]) + "，当事人双方各执一词，需要调解。",
                "occurred_at": created_at - timedelta(days=rng.randint(0, 10)),
                "source": rng.choice(
                    ["patrol", "patrol", "patrol", "walk_in", "hotline", "online"]
                ),
                "lon": lon,
                "lat": lat,
                "gps_accuracy_m": round(rng.uniform(3, 40), 1),
                "county": grid["county"],
                "township": grid["township"],
                "village": grid["village"],
                "grid": grid["id"],
                "people_involved": people,
                "risk_level": risk,
                "status": status,
                "level": level,
                "content_hash": "seed",
                "created_by": created_by,
                "created_at": created_at,
                "duplicate_of": None,
                **story.columns,
            }
        )
        for pos, role in enumerate(("applicant", "respondent")):
            batch.parties.append(
                {
                    "dispute": dispute_id,
                    "role": role,
                    "name": _name(rng),
                    "phone": crypto.encrypt(_phone(rng)),
                    "id_number": crypto.encrypt(_id_number(rng)),
                    "address": "",
                    "position": pos,
                }
            )
        batch.add(story)
        if len(batch.disputes) >= CHUNK:
            await batch.flush()
    await batch.flush()
    for year, last in counters.items():
        await numbers.advance_to(numbers.key(county["code"], year), last)
    await db.analyze(Dispute, Party, CaseEvent, AgreementTerm, Supervision)
    return n


class _Batch:
    """Rows waiting to be inserted, a chunk at a time, cases before what refers to them."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.disputes: list = []
        self.parties: list = []
        self.events: list = []
        self.terms: list = []
        self.supervisions: list = []

    def add(self, story: History) -> None:
        self.events += story.events
        self.terms += story.terms
        self.supervisions += story.supervisions

    async def flush(self) -> None:
        if not self.disputes:
            return
        async with db.transaction():
            await db.bulk_insert(Dispute, self.disputes)
            await db.bulk_insert(Party, self.parties)
            await db.bulk_insert(CaseEvent, self.events)
            await db.bulk_insert(AgreementTerm, self.terms)
            await db.bulk_insert(Supervision, self.supervisions)
        self.clear()
