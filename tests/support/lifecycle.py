"""Taking case actions through the API as the demo cast, the way a phone or a script would."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from app.auth import sessions
from app.auth.actor import Actor
from app.disputes.deadlines import CHINA


def today() -> str:
    return datetime.now(UTC).astimezone(CHINA).date().isoformat()


async def current(cast, case_id: str) -> dict:
    """The case as the county sees it (everything in the demo county is in its scope)."""
    r = await cast.api["demo-county"].get(f"/api/v1/disputes/{case_id}")
    assert r.status_code == 200, r.text
    return r.json()


async def act(
    cast,
    username: str,
    case_id: str,
    action: str,
    expect: int = 200,
    version: int | None = None,
    **fields,
) -> httpx.Response:
    """POST the action with the case's current version (or the one given); check the status."""
    if version is None:
        version = (await current(cast, case_id))["version"]
    r = await cast.api[username].post(
        f"/api/v1/disputes/{case_id}/actions/{action}", json={"version": version, **fields}
    )
    assert r.status_code == expect, r.text
    return r


async def ledger(cast, case_id: str) -> list[dict]:
    r = await cast.api["demo-county"].get(f"/api/v1/disputes/{case_id}/events")
    assert r.status_code == 200, r.text
    return r.json()


async def accepted_case(cast, **fields) -> dict:
    """A case demo-grid logged and demo-village accepted."""
    case = await cast.log_case("demo-grid", **fields)
    await act(cast, "demo-village", case["id"], "accept", rights_notified=True)
    return case


async def actor_of(cast, username: str) -> Actor:
    """The Actor behind a cast member's API token, to call services directly (with a clock)."""
    token = cast.api[username].headers["Authorization"].split(" ", 1)[1]
    actor = await sessions.resolve(token, "api")
    assert actor is not None
    return actor
