"""`pingli seed-demo`: the demo county, its rooms, one user per role, and a year of cases."""

from __future__ import annotations

from app.auth.passwords import hash_password
from app.auth.tables import User
from app.jurisdictions.boundaries import import_feature_collection
from app.jurisdictions.tables import Jurisdiction
from app.seed import cases
from app.seed.territory import build_county, feature_collection
from app.seed.users import DEMO_PASSWORD, DEMO_USERS, DemoUser  # noqa: F401 (their home was here)
from app.sessions.tables import Room

HISTORY_CASES = 300


async def is_empty() -> bool:
    return await Jurisdiction.count() == 0


async def _demo_nodes() -> dict[str, int]:
    """demo-township's township is the first; demo-grid-2 lives in the second one."""
    county = await Jurisdiction.select().where(Jurisdiction.level == "county").first()
    towns = (
        await Jurisdiction.select()
        .where(Jurisdiction.level == "township")
        .order_by(Jurisdiction.code)
    )
    village = await (
        Jurisdiction.select()
        .where(Jurisdiction.parent == towns[0]["id"])
        .order_by(Jurisdiction.code)
        .first()
    )
    grid = (
        await Jurisdiction.select()
        .where(Jurisdiction.parent == village["id"])
        .order_by(Jurisdiction.code)
        .first()
    )
    other_village = await (
        Jurisdiction.select()
        .where(Jurisdiction.parent == towns[1]["id"])
        .order_by(Jurisdiction.code)
        .first()
    )
    other_grid = await (
        Jurisdiction.select()
        .where(Jurisdiction.parent == other_village["id"])
        .order_by(Jurisdiction.code)
        .first()
    )
    return {
        "county": county["id"],
        "township": towns[0]["id"],
        "village": village["id"],
        "grid": grid["id"],
        "grid-2": other_grid["id"],
    }


async def _rooms() -> None:
    rows = (
        await Jurisdiction.select()
        .where(Jurisdiction.level.is_in(["village", "township"]))
        .order_by(Jurisdiction.code)
    )
    await Room.insert(
        *[
            Room(
                name=f"{r['name']}评理室",
                address=f"{r['name']}{'党群服务中心' if r['level'] == 'village' else '综治中心'}",
                capacity=30 if r["level"] == "village" else 60,
                jurisdiction=r["id"],
                county=r["county"],
                township=r["township"],
                village=r["village"],
                lon=r["centroid_lon"],
                lat=r["centroid_lat"],
            )
            for r in rows
        ]
    )


async def seed_demo(history: int = HISTORY_CASES) -> dict[str, int]:
    """Create the demo county. Deterministic: the same seed gives the same county."""
    await import_feature_collection(feature_collection(build_county()))
    await _rooms()
    nodes = await _demo_nodes()
    password_hash = hash_password(DEMO_PASSWORD)
    await User.insert(
        *[
            User(
                username=u.username,
                display_name=u.display_name,
                role=u.role,
                jurisdiction=nodes[u.where],
                password_hash=password_hash,
                active=True,
            )
            for u in DEMO_USERS
        ]
    )
    grid_user = await User.select(User.id).where(User.username == "demo-grid").first()
    await cases.add_cases(history, seed=2026, created_by=grid_user["id"])
    return {"jurisdictions": await Jurisdiction.count(), "users": len(DEMO_USERS), "cases": history}
