"""Two people acting on the same version of a case at the same moment: exactly one wins."""

import asyncio

from tests.support.lifecycle import accepted_case, current, ledger


async def test_two_simultaneous_escalations_give_one_200_one_409_and_one_escalation_event(cast):
    case = await accepted_case(cast)
    version = (await current(cast, case["id"]))["version"]
    url = f"/api/v1/disputes/{case['id']}/actions/escalate"
    answers = await asyncio.gather(
        cast.api["demo-village"].post(url, json={"version": version, "reason": "第一位调解员上报"}),
        cast.api["demo-village"].post(url, json={"version": version, "reason": "第二位调解员上报"}),
    )
    assert sorted(a.status_code for a in answers) == [200, 409]
    loser = next(a for a in answers if a.status_code == 409).json()
    assert loser["current"]["id"] == case["id"]
    kinds = [e["kind"] for e in await ledger(cast, case["id"])]
    assert kinds.count("escalated") == 1
    after = await current(cast, case["id"])
    assert (after["level"], after["version"]) == ("township", version + 1)


async def test_many_simultaneous_actions_on_one_version_change_the_case_once(cast):
    case = await accepted_case(cast)
    version = (await current(cast, case["id"]))["version"]
    url = f"/api/v1/disputes/{case['id']}/actions/record"
    body = {"version": version, "kind": "visit", "note": "走访"}
    answers = await asyncio.gather(
        *[cast.api["demo-village"].post(url, json=body) for _ in range(6)]
    )
    assert sorted(a.status_code for a in answers) == [200] + [409] * 5
    assert [e["kind"] for e in await ledger(cast, case["id"])].count("recorded") == 1
