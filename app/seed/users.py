"""The demo logins: who they are and their password. Apart from `demo.py` so that the banner
of `pingli serve` names them without importing the seeding code (shapely, the case generator)."""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "pingli-demo-2026"


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: str
    where: str  # which node: "county", "township", "village", "grid", "grid-2"


DEMO_USERS = (
    DemoUser("demo-admin", "陈管理员", "admin", "county"),
    DemoUser("demo-county", "王主任（县矛调中心）", "county_officer", "county"),
    DemoUser("demo-township", "李主任（乡镇综治中心）", "township_officer", "township"),
    DemoUser("demo-village", "张大姐（村调委会）", "village_mediator", "village"),
    DemoUser("demo-grid", "刘小明（网格员）", "grid_worker", "grid"),
    DemoUser("demo-grid-2", "赵小红（网格员）", "grid_worker", "grid-2"),
)
