"""A small county of its own for monitoring tests: its figures are known by hand and nothing
the other tests do can touch them (every query is scoped, and this county is nobody else's).

County → townships A and B → one village each → grids (A: 2, B: 1), a user per node, and
cases written through the real services and actions with a clock the test sets.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from app.auth import sessions
from app.auth.actor import Actor
from app.auth.tables import User
from app.disputes import actions, services
from app.disputes.action_fields import parse_action
from app.disputes.tables import Dispute
from app.disputes.validation import parse_new_dispute
from app.jurisdictions.tables import Jurisdiction

LAYOUT = {"A": 2, "B": 1}  # township → grids in its one village


@dataclass
class Territory:
    tag: str
    nodes: dict[str, dict] = field(default_factory=dict)  # "county", "A", "A.v", "A.g1", ...
    users: dict[str, Actor] = field(default_factory=dict)  # same keys: the user at that node
    tokens: dict[str, str] = field(default_factory=dict)
    cases: dict[str, uuid.UUID] = field(default_factory=dict)

    def id(self, key: str) -> int:
        return self.nodes[key]["id"]

    def client(self, app: Any, key: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://testserver",
            headers={"Authorization": f"Bearer {self.tokens[key]}"},
        )


async def _node(code: str, name: str, level: str, depth: int, parent: dict | None) -> dict:
    row = (
        await Jurisdiction.insert(
            Jurisdiction(
                code=code,
                name=name,
                level=level,
                depth=depth,
                parent=parent["id"] if parent else None,
                abbr=code[-4:] if level == "county" else None,
            )
        ).returning(Jurisdiction.id)
    )[0]
    places = {lv: (parent or {}).get(lv) for lv in ("county", "township", "village", "grid")}
    places[level] = row["id"]
    await Jurisdiction.update(
        {Jurisdiction._meta.get_column_by_name(k): v for k, v in places.items()}
    ).where(Jurisdiction.id == row["id"])
    return {"id": row["id"], "code": code, "name": name, "level": level, **places}


async def _user(t: Territory, key: str, role: str) -> None:
    username = f"mon-{t.tag}-{key}".lower().replace(".", "-")
    row = (
        await User.insert(
            User(
                username=username,
                display_name=f"{key} {role}",
                role=role,
                jurisdiction=t.nodes[key]["id"],
                password_hash="-",
            )
        ).returning(User.id)
    )[0]
    secret = await sessions.start(row["id"], "api")
    t.tokens[key] = secret
    t.users[key] = await sessions.resolve(secret, "api")


async def build_territory() -> Territory:
    t = Territory(tag=uuid.uuid4().hex[:6])
    base = "97" + str(uuid.uuid4().int)[:7]
    county = await _node(base, f"监测县{t.tag}", "county", 0, None)
    t.nodes["county"] = county
    await _user(t, "county", "county_officer")
    for i, (town, grids) in enumerate(LAYOUT.items(), start=1):
        t.nodes[town] = await _node(f"{base}{i:03d}", f"{town}镇{t.tag}", "township", 1, county)
        await _user(t, town, "township_officer")
        t.nodes[f"{town}.v"] = await _node(
            f"{base}{i:03d}001", f"{town}村{t.tag}", "village", 2, t.nodes[town]
        )
        await _user(t, f"{town}.v", "village_mediator")
        for g in range(1, grids + 1):
            key = f"{town}.g{g}"
            t.nodes[key] = await _node(
                f"{base}{i:03d}001{g:03d}", f"{town}网格{g}", "grid", 3, t.nodes[f"{town}.v"]
            )
            await _user(t, key, "grid_worker")
    return t


async def log(
    t: Territory, name: str, by: str, at: datetime, grid: str | None = None, **fields: Any
) -> uuid.UUID:
    """A case logged by the user at node `by`, at `at`, in `grid` (default: the logger's)."""
    payload = {
        "title": f"案件{name}",
        "category": "neighbours",
        "grid_id": t.id(grid or by),
    } | fields
    case_id = (await services.create_dispute(t.users[by], parse_new_dispute(payload), now=at)).id
    t.cases[name] = case_id
    return case_id


async def act(t: Territory, name: str, by: str, action: str, at: datetime, **data: Any) -> None:
    """An action on case `name` by the user at node `by`, at `at`, on its current version."""
    row = await Dispute.select(Dispute.version).where(Dispute.id == t.cases[name]).first()
    version, fields = parse_action(action, {"version": row["version"], **data})
    await actions.perform(t.users[by], t.cases[name], action, version, fields, now=at)
