"""Fresh cases in the state a case action needs, made through the API by the people whose
job it is. Each returns what the action's body needs besides the version."""

from __future__ import annotations

from datetime import date, timedelta

from app.disputes.tables import Supervision
from tests.authz import world
from tests.support.lifecycle import act, current


def _soon(days: int = 7) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


async def logged(cast) -> dict:
    case = await world.log(cast, "demo-grid", "授权表案件")
    other = await world.log(cast, "demo-grid", "授权表重复")
    return {"dispute_id": case["id"], "other_id": other["id"]}


async def accepted(cast) -> dict:
    ctx = await logged(cast)
    await act(cast, "demo-village", ctx["dispute_id"], "accept", rights_notified=True)
    return ctx


async def escalated(cast) -> dict:
    ctx = await accepted(cast)
    await act(cast, "demo-village", ctx["dispute_id"], "escalate", reason="村级无法化解")
    return ctx


async def supervised(cast) -> dict:
    ctx = await logged(cast)
    await act(
        cast, "demo-township", ctx["dispute_id"], "supervise", instructions="请受理", due_on=_soon()
    )
    order = (
        await Supervision.select(Supervision.id)
        .where(Supervision.dispute == ctx["dispute_id"])
        .first()
    )
    return ctx | {"supervision_id": order["id"]}


async def referred(cast) -> dict:
    ctx = await accepted(cast)
    await act(cast, "demo-village", ctx["dispute_id"], "refer", channel="court", reason="涉诉")
    return ctx


async def resolved(cast) -> dict:
    ctx = await accepted(cast)
    await act(
        cast,
        "demo-village",
        ctx["dispute_id"],
        "resolve",
        kind="agreement",
        terms=[{"text": "赔偿五百元"}],
        signed_by="甲、乙",
        signed_on=date.today().isoformat(),
    )
    return ctx


async def followed(cast) -> dict:
    ctx = await resolved(cast)
    await act(
        cast,
        "demo-village",
        ctx["dispute_id"],
        "follow-up",
        method="phone",
        honoured="yes",
        satisfaction=5,
    )
    return ctx


async def county(cast) -> dict:
    ctx = await escalated(cast)
    await act(cast, "demo-township", ctx["dispute_id"], "accept", rights_notified=True)
    await act(cast, "demo-township", ctx["dispute_id"], "escalate", reason="乡镇无法化解")
    await act(cast, "demo-county", ctx["dispute_id"], "accept", rights_notified=True)
    return ctx


RECIPES = {
    f.__name__: f
    for f in (logged, accepted, escalated, supervised, referred, resolved, followed, county)
}


async def fresh(cast, state: str) -> dict:
    ctx = await RECIPES[state](cast)
    return ctx | {"version": (await current(cast, ctx["dispute_id"]))["version"]}
