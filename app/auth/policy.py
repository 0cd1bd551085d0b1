"""Who may do what: the one declaration of the rules that are about a person's role and level.

Two tables decide every permission in Pingli, and both live in declarations:
- `CAPABILITIES` below: what a role at a level may do at all (log a case, keep a juror pool,
  book a session...). The services ask `may()` / `require()` before they write, and the pages
  ask `may()` for the links and forms they show.
- `app/disputes/states.py`: what a person may do to one case, by how they stand towards it
  (holder, level above, its grid worker), its state and the level holding it.
Which rows a person may see at all is a third rule, `app/auth/scope.py` (their subtree; out
of it is 404). The README's security section prints `markdown_table()`; a test keeps it current,
and tests/authz/ holds the server to all three, route by route.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar.exceptions import PermissionDeniedException

from app.auth.actor import MEDIATING_ROLES, Actor
from app.i18n import N_, _

ROLES = ("admin", "county_officer", "township_officer", "village_mediator", "grid_worker")
LEVELS = ("county", "township", "village", "grid")
LOGGING_ROLES = ("grid_worker", *MEDIATING_ROLES)
LEVEL_RANK = {"grid": 0, "village": 1, "township": 2, "county": 3}


@dataclass(frozen=True)
class Capability:
    roles: frozenset[str]
    levels: frozenset[str]  # of the person's own node
    refusal: str  # the 403's message (a msgid)
    what: str  # for the README


def _cap(roles, levels, refusal: str, what: str) -> Capability:
    return Capability(frozenset(roles), frozenset(levels), refusal, what)


CAPABILITIES: dict[str, Capability] = {
    "log_case": _cap(
        LOGGING_ROLES, LEVELS, N_("Your role cannot log cases."), "log a case in their area"
    ),
    "check_in": _cap(
        LOGGING_ROLES,
        LEVELS,
        N_("Your role cannot check in on patrol."),
        "record a patrol check-in",
    ),
    "file_sweep": _cap(
        {"grid_worker"},
        {"grid"},
        N_("Only a grid worker files the sweep of their grid."),
        "file the monthly sweep of their grid",
    ),
    "manage_sessions": _cap(
        MEDIATING_ROLES,
        {"county", "township", "village"},
        N_("Only mediators manage sessions."),
        "book, hold, cancel, reschedule sessions; print agreements",
    ),
    "manage_rooms": _cap(
        {"admin", "township_officer", "village_mediator"},
        {"county", "township", "village"},
        N_("You may not manage rooms."),
        "open and edit rooms: an administrator any in the area, a mediator their own node's "
        "(a township or a village)",
    ),
    "keep_jurors": _cap(
        {"admin", *MEDIATING_ROLES},
        {"county", "township", "village"},
        N_("You may not keep a juror pool."),
        "keep the juror pools of the villages and townships in their area",
    ),
    "subscribe_calendar": _cap(
        {"admin", *MEDIATING_ROLES},
        {"county", "township", "village"},
        N_("You may not subscribe to calendars."),
        "subscribe to a room's calendar (mediators also to their own)",
    ),
    "acknowledge_alert": _cap(
        MEDIATING_ROLES,
        {"county", "township", "village"},
        N_("Only the level alerted, or a level above it, may acknowledge this alert."),
        "acknowledge an alert raised to their level or one below",
    ),
}


def may(actor: Actor, capability: str) -> bool:
    cap = CAPABILITIES[capability]
    return actor.role in cap.roles and actor.level in cap.levels


def require(actor: Actor, capability: str) -> None:
    """403 with the capability's own message when `actor` may not."""
    if not may(actor, capability):
        raise PermissionDeniedException(_(CAPABILITIES[capability].refusal))


def at_or_above(actor: Actor, level: str) -> bool:
    """Is the person's node at `level` or higher (an alert's level, say)?"""
    return LEVEL_RANK[actor.level] >= LEVEL_RANK[level]


def markdown_table() -> str:
    lines = ["| capability | roles | at levels | what |", "|---|---|---|---|"]
    for name, cap in CAPABILITIES.items():
        roles = ", ".join(r for r in ROLES if r in cap.roles)
        levels = ", ".join(lv for lv in LEVELS if lv in cap.levels)
        lines.append(f"| `{name}` | {roles} | {levels} | {cap.what} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
