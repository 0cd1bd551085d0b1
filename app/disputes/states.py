"""Who may do what to a case, and when: the one declaration of the lifecycle's rules.

Pure functions over a CaseState; no database. The action services ask `decide()` before they
write, and the case page asks `available()` for the buttons it shows, so the two cannot differ.
The README's security section prints `markdown_table()` (a test keeps it current).

How a person stands towards a case (`relations`):
- holder: a mediator or officer at the node holding the case (its village, township or county);
- above: a mediator or officer at a node above the holder, in whose area the case lies;
- grid: the grid worker of the grid the case was found in;
- officer: a township or county officer in whose area the case lies (moving a case).
Everyone else who can see the case (a lower level after an escalation, an administrator)
reads it and may do nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.auth.actor import MEDIATING_ROLES, Actor
from app.disputes.vocabulary import ACTION_LABELS, STATUSES, label
from app.i18n import N_, _

HOLDER, ABOVE, GRID = "holder", "above", "grid"
OFFICER = "officer"
OFFICER_ROLES = ("township_officer", "county_officer")
RANK = {"grid": 0, "village": 1, "township": 2, "county": 3}
CASE_LEVELS = ("village", "township", "county")
LEVEL_ABOVE = {"village": "township", "township": "county"}

OPEN = frozenset({"logged", "escalated", "accepted", "mediating", "referred"})
AWAITING = frozenset({"logged", "escalated"})
WORKING = frozenset({"accepted", "mediating"})
SETTLED = frozenset({"resolved", "concluded"})
TIMED = OPEN - {"referred"} | SETTLED  # states in which a time limit runs


@dataclass(frozen=True)
class CaseState:
    """What the rules look at."""

    status: str
    level: str
    holder: int | None
    county: int
    township: int
    village: int
    grid: int
    attempts: int = 0
    granted: int = 0  # sessions a hand-back granted the current level beyond its allowance
    followed_up: bool = False
    open_supervisions: int = 0
    agreement_terms: int = 0
    has_deadline: bool = False

    @classmethod
    def of(
        cls, row: dict[str, Any], open_supervisions: int = 0, agreement_terms: int = 0
    ) -> CaseState:
        return cls(
            status=row["status"],
            level=row["level"],
            holder=row["holder"],
            county=row["county"],
            township=row["township"],
            village=row["village"],
            grid=row["grid"],
            attempts=row["attempts"],
            granted=per_level(row.get("attempts_granted")).get(row["level"], 0),
            followed_up=row["followed_up_at"] is not None,
            open_supervisions=open_supervisions,
            agreement_terms=agreement_terms,
            has_deadline=row["due_at"] is not None,
        )

    def node(self, level: str) -> int:
        return {
            "county": self.county,
            "township": self.township,
            "village": self.village,
            "grid": self.grid,
        }[level]


def holds(actor: Actor, holder: int | None) -> bool:
    """Is `actor` among the mediators at the node holding a case?"""
    return actor.role in MEDIATING_ROLES and actor.jurisdiction_id == holder


def relations(actor: Actor, case: CaseState) -> frozenset[str]:
    found = set()
    if actor.role in MEDIATING_ROLES:
        if holds(actor, case.holder):
            found.add(HOLDER)
        elif (
            RANK[actor.level] > RANK[case.level] and case.node(actor.level) == actor.jurisdiction_id
        ):
            found.add(ABOVE)
    if actor.role == "grid_worker" and actor.grid_id == case.grid:
        found.add(GRID)
    if actor.role in OFFICER_ROLES and case.node(actor.level) == actor.jurisdiction_id:
        found.add(OFFICER)
    return frozenset(found)


@dataclass(frozen=True)
class Condition:
    """Something beyond the status that must hold, with what to say when it does not."""

    test: Callable[[CaseState], bool]
    message: str
    needs: str  # the same, said as a requirement (README)


@dataclass(frozen=True)
class Grant:
    who: frozenset[str]
    states: frozenset[str]
    levels: frozenset[str] = frozenset(CASE_LEVELS)


@dataclass(frozen=True)
class Rule:
    grants: tuple[Grant, ...]
    refused_to_others: str  # 403: the person stands in the wrong place
    wrong_level: str = ""  # 409: the case's level does not allow it
    conditions: tuple[Condition, ...] = ()


def _grant(
    who: set[str], states: frozenset[str] | set[str], levels: tuple[str, ...] = CASE_LEVELS
) -> Grant:
    return Grant(frozenset(who), frozenset(states), frozenset(levels))


ONLY_HOLDER = N_("Only the mediators at the level holding this case may do this.")
HOLDER_OR_GRID = N_("Only the level holding this case or the grid worker of its grid may do this.")
HOLDER_OR_ABOVE = N_("Only the level holding this case or a level above it may do this.")
ONLY_ABOVE = N_("Only a level above the one holding this case may supervise it.")

RULES: dict[str, Rule] = {
    "accept": Rule((_grant({HOLDER}, AWAITING),), ONLY_HOLDER),
    "record": Rule((_grant({HOLDER}, WORKING),), ONLY_HOLDER),
    "escalate": Rule(
        (_grant({HOLDER}, WORKING, ("village", "township")),),
        ONLY_HOLDER,
        wrong_level=N_("The county is the top level: refer the case or close it as unresolvable."),
    ),
    "hand-back": Rule(
        (_grant({HOLDER}, AWAITING | WORKING, ("township", "county")),),
        ONLY_HOLDER,
        wrong_level=N_(
            "The village is the lowest level: there is no level to hand the case back to."
        ),
    ),
    "supervise": Rule((_grant({ABOVE}, OPEN),), ONLY_ABOVE),
    "reply": Rule(
        (_grant({HOLDER}, OPEN | SETTLED),),
        ONLY_HOLDER,
        conditions=(
            Condition(
                lambda c: c.open_supervisions > 0,
                N_("There is no supervision order awaiting a reply."),
                "an open supervision order",
            ),
        ),
    ),
    "refer": Rule((_grant({HOLDER}, WORKING),), ONLY_HOLDER),
    "referral-result": Rule((_grant({HOLDER}, {"referred"}),), ONLY_HOLDER),
    # A grid worker may settle a fresh case on the spot; an agreement needs the holder.
    "resolve": Rule(
        (_grant({HOLDER}, AWAITING | WORKING), _grant({GRID}, {"logged"})), HOLDER_OR_GRID
    ),
    "withdraw": Rule((_grant({HOLDER}, OPEN),), ONLY_HOLDER),
    "follow-up": Rule((_grant({HOLDER, GRID}, SETTLED),), HOLDER_OR_GRID),
    "performance": Rule(
        (_grant({HOLDER, GRID}, SETTLED | {"closed"}),),
        HOLDER_OR_GRID,
        conditions=(
            Condition(
                lambda c: c.agreement_terms > 0,
                N_("This case has no agreement terms to track."),
                "agreement terms",
            ),
        ),
    ),
    "close": Rule(
        (_grant({HOLDER}, SETTLED),),
        ONLY_HOLDER,
        conditions=(
            Condition(
                lambda c: c.followed_up,
                N_("The follow-up visit has not been made yet: a case is closed only after it."),
                "the follow-up visit made",
            ),
        ),
    ),
    "terminate": Rule(
        (_grant({HOLDER}, WORKING, ("county",)),),
        ONLY_HOLDER,
        wrong_level=N_(
            "Only the county closes a case as unresolvable: escalate or refer it first."
        ),
    ),
    "reopen": Rule((_grant({HOLDER, ABOVE}, SETTLED | {"closed"}),), HOLDER_OR_ABOVE),
    "extend": Rule(
        (_grant({HOLDER}, TIMED),),
        ONLY_HOLDER,
        conditions=(
            Condition(
                lambda c: c.has_deadline,
                N_("No time limit is running for this case."),
                "a running time limit",
            ),
        ),
    ),
    "mark-duplicate": Rule((_grant({HOLDER, GRID}, OPEN - {"referred"}),), HOLDER_OR_GRID),
    # A case filed in the wrong place goes to another grid, village or township of the area.
    "move": Rule(
        (_grant({OFFICER}, OPEN | SETTLED),),
        N_("Only a township or county officer of the case's area may move it."),
    ),
}
ACTIONS = tuple(RULES)


@dataclass(frozen=True)
class Refusal:
    status: int  # 403 wrong person, 409 wrong moment
    message: str


def decide(actor: Actor, case: CaseState, action: str) -> Refusal | None:
    """None when `actor` may take `action` on `case` now; otherwise why not."""
    rule = RULES[action]
    mine = relations(actor, case)
    grants = [g for g in rule.grants if g.who & mine]
    if not grants:
        return Refusal(403, _(rule.refused_to_others))
    in_state = [g for g in grants if case.status in g.states]
    if not in_state:
        return Refusal(
            409,
            _(
                "“%(action)s” is not possible while the case is “%(status)s”.",
                action=label(ACTION_LABELS, action),
                status=label(STATUSES, case.status),
            ),
        )
    if not any(case.level in g.levels for g in in_state):
        return Refusal(409, _(rule.wrong_level))
    for condition in rule.conditions:
        if not condition.test(case):
            return Refusal(409, _(condition.message))
    return None


def available(actor: Actor, case: CaseState) -> list[str]:
    return [action for action in ACTIONS if decide(actor, case, action) is None]


def per_level(text: str | None) -> dict[str, int]:
    """A case's {level: n} counts as stored (JSON text); {} when empty."""
    return json.loads(text or "{}")


def attempts_left(case: CaseState, attempts_per_level: dict[str, int]) -> int:
    return max(attempts_per_level[case.level] + case.granted - case.attempts, 0)


def markdown_table() -> str:
    """The rules as the README shows them."""
    names = {
        HOLDER: "holder",
        ABOVE: "level above",
        GRID: "grid worker",
        OFFICER: "township or county officer of its area",
    }
    lines = ["| action | who | in states | case held at | also needs |", "|---|---|---|---|---|"]
    for action, rule in RULES.items():
        for grant in rule.grants:
            who = " or ".join(names[w] for w in sorted(grant.who))
            states = ", ".join(s for s in STATUSES if s in grant.states)
            levels = ", ".join(lv for lv in CASE_LEVELS if lv in grant.levels)
            needs = "; ".join(c.needs for c in rule.conditions)
            lines.append(f"| `{action}` | {who} | {states} | {levels} | {needs} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
