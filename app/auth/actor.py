"""Who is asking: the signed-in user with the jurisdiction that is their scope."""

from __future__ import annotations

from dataclasses import dataclass

MEDIATING_ROLES = ("village_mediator", "township_officer", "county_officer")


@dataclass(frozen=True)
class Actor:
    id: int
    username: str
    display_name: str
    role: str
    jurisdiction_id: int
    jurisdiction_name: str
    level: str  # level of the user's node: county | township | village | grid
    county_id: int | None
    township_id: int | None
    village_id: int | None
    grid_id: int | None
    must_change_password: bool = False
    session_id: int | None = None
    via_token: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def ancestor(self, level: str) -> int | None:
        return {
            "county": self.county_id,
            "township": self.township_id,
            "village": self.village_id,
            "grid": self.grid_id,
        }[level]
