"""The ladder ("331") counts the mediation sessions of each level over the case's whole life:
an escalation or a hand-back does not give a level fresh sessions; only an officer handing a
case back may grant more, and the ledger says how many."""

from __future__ import annotations

from tests.support.lifecycle import accepted_case, act, current, ledger


async def _attempt(cast, username, case_id, expect=200):
    return await act(
        cast,
        username,
        case_id,
        "record",
        expect=expect,
        kind="attempt",
        outcome="no_agreement",
        note="调解未果",
    )


async def _up_and_back(cast, case_id, **hand_back):
    await act(cast, "demo-village", case_id, "escalate", reason="村级调解未果")
    await act(cast, "demo-township", case_id, "accept")
    await act(
        cast,
        "demo-township",
        case_id,
        "hand-back",
        to_level="village",
        instructions="请村调委会再行调解",
        **hand_back,
    )


async def test_a_handed_back_case_keeps_the_sessions_its_village_already_held(cast):
    case = await accepted_case(cast)
    await _attempt(cast, "demo-village", case["id"])
    await _attempt(cast, "demo-village", case["id"])
    await _up_and_back(cast, case["id"])

    back = await current(cast, case["id"])
    assert (back["level"], back["attempts"]) == ("village", 2)
    await _attempt(cast, "demo-village", case["id"])
    r = await _attempt(cast, "demo-village", case["id"], expect=409)
    assert "请上报或分流" in r.json()["detail"]
    page = (await (await cast.browser("demo-village")).get(f"/disputes/{case['id']}")).text
    assert "村级已调解 3 次（最多 3 次）" in page


async def test_a_hand_back_grants_more_sessions_only_when_the_officer_says_so(cast):
    case = await accepted_case(cast)
    for _ in range(3):
        await _attempt(cast, "demo-village", case["id"])
    await _up_and_back(cast, case["id"], extra_attempts=2)

    back = await current(cast, case["id"])
    assert back["attempts"] == 3 and back["attempts_granted"] == {"village": 2}
    handed_back = [e for e in await ledger(cast, case["id"]) if e["kind"] == "handed_back"]
    assert handed_back[0]["data"]["extra_attempts"] == 2
    page = (await (await cast.browser("demo-village")).get(f"/disputes/{case['id']}")).text
    assert "村级已调解 3 次（最多 5 次）" in page
    assert "额外调解次数" in page  # the grant, in the ledger's timeline
    await _attempt(cast, "demo-village", case["id"])
    await _attempt(cast, "demo-village", case["id"])
    await _attempt(cast, "demo-village", case["id"], expect=409)


async def test_a_level_finds_its_own_count_again_when_the_case_comes_back_up(cast):
    case = await accepted_case(cast)
    await act(cast, "demo-village", case["id"], "escalate", reason="村级难以化解")
    await act(cast, "demo-township", case["id"], "accept")
    await _attempt(cast, "demo-township", case["id"])
    await act(
        cast,
        "demo-township",
        case["id"],
        "hand-back",
        to_level="village",
        instructions="先由村里调解",
    )
    assert (await current(cast, case["id"]))["attempts"] == 0
    await _attempt(cast, "demo-village", case["id"])
    await act(cast, "demo-village", case["id"], "escalate", reason="仍未化解")
    await act(cast, "demo-township", case["id"], "accept")
    again = await current(cast, case["id"])
    assert (again["level"], again["attempts"]) == ("township", 1)
    assert again["attempts_by_level"] == {"village": 1, "township": 1}


async def test_extra_sessions_granted_are_bounded(cast):
    case = await accepted_case(cast)
    await act(cast, "demo-village", case["id"], "escalate", reason="村级难以化解")
    await act(cast, "demo-township", case["id"], "accept")
    r = await act(
        cast,
        "demo-township",
        case["id"],
        "hand-back",
        expect=422,
        to_level="village",
        instructions="再调",
        extra_attempts=9,
    )
    assert [e["field"] for e in r.json()["errors"]] == ["extra_attempts"]
