"""Every way an action is refused: the wrong person (403), outside one's area (404), the wrong
moment (409), a stale version (409 with the current state), bad fields (422). A refusal
changes nothing."""

import uuid

import pytest

from tests.support.lifecycle import accepted_case, act, current, ledger


def problem(r) -> str:
    assert r.headers["content-type"].startswith("application/problem+json"), r.text
    return r.json()["detail"] if "detail" in r.json() else r.json()["title"]


@pytest.mark.parametrize("username", ["demo-grid", "demo-township", "demo-county", "demo-admin"])
async def test_only_the_village_holding_a_fresh_case_may_accept_it(cast, username):
    case = await cast.log_case("demo-grid")
    r = await act(cast, username, case["id"], "accept", expect=403)
    assert "承办层级" in problem(r)
    assert (await current(cast, case["id"]))["status"] == "logged"


async def test_a_grid_worker_may_not_escalate_or_close(cast):
    case = await accepted_case(cast)
    await act(cast, "demo-grid", case["id"], "escalate", reason="想上报", expect=403)
    await act(cast, "demo-grid", case["id"], "close", expect=403)


async def test_the_holder_may_not_supervise_its_own_case(cast):
    case = await accepted_case(cast)
    r = await act(
        cast,
        "demo-village",
        case["id"],
        "supervise",
        instructions="自己督办自己",
        due_on="2099-01-01",
        expect=403,
    )
    assert "上级" in problem(r)


async def test_an_action_outside_ones_area_is_404_like_a_missing_case(cast):
    case = await cast.log_case("demo-grid")
    for action, fields in (("accept", {}), ("escalate", {"reason": "x"}), ("close", {})):
        r = await cast.api["demo-grid-2"].post(
            f"/api/v1/disputes/{case['id']}/actions/{action}", json={"version": 1, **fields}
        )
        missing = await cast.api["demo-grid-2"].post(
            f"/api/v1/disputes/00000000-0000-4000-8000-000000000000/actions/{action}",
            json={"version": 1, **fields},
        )
        assert r.status_code == missing.status_code == 404
        assert r.json()["title"] == missing.json()["title"]
        assert case["case_no"] not in r.text


async def test_accepting_twice_is_refused_by_the_state(cast):
    case = await accepted_case(cast)
    r = await act(cast, "demo-village", case["id"], "accept", expect=409)
    assert "已受理" in problem(r)
    assert [e["kind"] for e in await ledger(cast, case["id"])].count("accepted") == 1


async def test_a_closed_case_cannot_be_escalated(cast):
    case = await cast.log_case("demo-grid")
    await act(cast, "demo-grid", case["id"], "resolve", kind="on_the_spot", note="当场说和")
    await act(
        cast,
        "demo-village",
        case["id"],
        "follow-up",
        method="phone",
        honoured="yes",
        satisfaction=4,
    )
    await act(cast, "demo-village", case["id"], "close", override_reason="当场化解，未另作笔录")
    r = await act(cast, "demo-village", case["id"], "escalate", reason="再上报", expect=409)
    assert "已销号" in problem(r)


async def test_a_stale_version_is_409_with_the_current_state_and_changes_nothing(cast):
    case = await accepted_case(cast)
    seen = (await current(cast, case["id"]))["version"]
    await act(
        cast, "demo-township", case["id"], "supervise", instructions="请抓紧", due_on="2099-01-01"
    )
    events_before = await ledger(cast, case["id"])
    r = await act(
        cast, "demo-village", case["id"], "escalate", reason="调解未果", version=seen, expect=409
    )
    body = r.json()
    assert body["current"]["version"] == seen + 1 and body["current"]["status"] == "accepted"
    after = await current(cast, case["id"])
    assert after["level"] == "village" and after["version"] == seen + 1
    assert await ledger(cast, case["id"]) == events_before


async def test_a_case_cannot_be_closed_before_its_follow_up_visit(cast):
    case = await accepted_case(cast)
    await act(cast, "demo-village", case["id"], "resolve", kind="on_the_spot", note="双方和解")
    r = await act(cast, "demo-village", case["id"], "close", expect=409)
    assert "回访" in problem(r)
    assert (await current(cast, case["id"]))["status"] == "resolved"


async def test_an_escalation_needs_a_reason(cast):
    case = await accepted_case(cast)
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        r = await act(cast, "demo-village", case["id"], "escalate", expect=422, **body)
        assert [e["field"] for e in r.json()["errors"]] == ["reason"]
    assert (await current(cast, case["id"]))["level"] == "village"


async def test_the_county_cannot_escalate_any_higher(cast):
    case = await accepted_case(cast)
    await act(cast, "demo-village", case["id"], "escalate", reason="村里调不了")
    await act(cast, "demo-township", case["id"], "accept")
    await act(cast, "demo-township", case["id"], "escalate", reason="镇里调不了")
    await act(cast, "demo-county", case["id"], "accept")
    r = await act(cast, "demo-county", case["id"], "escalate", reason="还想再往上", expect=409)
    assert "最高层级" in problem(r)
    assert (await current(cast, case["id"]))["level"] == "county"


async def test_the_ladder_stops_a_fourth_village_session(cast):
    case = await accepted_case(cast)
    for _ in range(3):
        await act(
            cast,
            "demo-village",
            case["id"],
            "record",
            kind="attempt",
            outcome="no_agreement",
            note="未达成",
        )
    r = await act(
        cast,
        "demo-village",
        case["id"],
        "record",
        kind="attempt",
        outcome="no_agreement",
        note="第四次",
        expect=409,
    )
    assert "上报" in problem(r)
    # visits and talks are still recorded; only sessions are counted
    await act(cast, "demo-village", case["id"], "record", kind="visit", note="上门走访")
    assert (await current(cast, case["id"]))["attempts"] == 3


async def test_a_reply_needs_an_open_supervision_order(cast):
    case = await accepted_case(cast)
    r = await act(cast, "demo-village", case["id"], "reply", reply="已办理", expect=409)
    assert "督办" in problem(r)


async def test_an_agreement_needs_an_accepted_case_but_a_settlement_on_the_spot_does_not(cast):
    case = await cast.log_case("demo-grid")
    r = await act(
        cast,
        "demo-village",
        case["id"],
        "resolve",
        kind="agreement",
        terms=[{"text": "赔偿"}],
        signed_by="双方",
        signed_on="2026-01-01",
        expect=409,
    )
    assert "受理" in problem(r)
    await act(cast, "demo-grid", case["id"], "resolve", kind="on_the_spot", note="当场说和")
    assert (await current(cast, case["id"]))["status"] == "resolved"


# Each action here is one the person may take on an accepted village case: the fields come
# last (after scope 404, role 403, version and state 409).
@pytest.mark.parametrize(
    ("action", "fields", "field", "by"),
    [
        ("record", {"kind": "gossip", "note": "x"}, "kind", "demo-village"),
        ("record", {"kind": "attempt", "note": "x"}, "outcome", "demo-village"),
        ("record", {"kind": "visit"}, "note", "demo-village"),
        (
            "record",
            {"kind": "visit", "note": "x", "occurred_at": "昨天"},
            "occurred_at",
            "demo-village",
        ),
        ("escalate", {"reason": " "}, "reason", "demo-village"),
        ("supervise", {"instructions": "快办"}, "due_on", "demo-township"),
        ("extend", {"days": 0, "reason": "双方同意"}, "days", "demo-village"),
        ("extend", {"days": 91, "reason": "双方同意"}, "days", "demo-village"),
        (
            "resolve",
            {"kind": "agreement", "terms": [], "signed_by": "x", "signed_on": "2026-01-01"},
            "terms",
            "demo-village",
        ),
        (
            "record",
            {"kind": "visit", "note": "x", "attachment_ids": ["../../etc/passwd"]},
            "attachment_ids",
            "demo-village",
        ),
    ],
)
async def test_bad_action_fields_answer_422_naming_the_field(cast, action, fields, field, by):
    case = await accepted_case(cast)
    r = await act(cast, by, case["id"], action, expect=422, **fields)
    assert field in [e["field"].split("[")[0] for e in r.json()["errors"]]


async def test_an_unknown_action_is_404(cast):
    case = await cast.log_case("demo-grid")
    r = await cast.api["demo-village"].post(
        f"/api/v1/disputes/{case['id']}/actions/teleport", json={"version": 1}
    )
    assert r.status_code in (404, 405)


async def test_the_api_refuses_by_scope_then_role_then_version_before_its_fields(cast):
    """The README's order holds for a JSON body the description refuses, too: the refusals
    that do not depend on the body come before it is read."""
    case = await accepted_case(cast)
    version = (await current(cast, case["id"]))["version"]
    url = f"/api/v1/disputes/{case['id']}/actions/escalate"
    bad = {"reason": "", "version": 0, "note": 5}

    assert (await cast.api["demo-grid-2"].post(url, json=bad)).status_code == 404
    r = await cast.api["demo-grid"].post(url, json=bad)  # in the area, may not escalate
    assert r.status_code == 403, r.text
    stale = bad | {"version": version - 1}
    assert (await cast.api["demo-village"].post(url, json=stale)).status_code == 409
    r = await cast.api["demo-village"].post(url, json=bad | {"version": version})
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] in ("reason", "note")
    # a correction: out of the area 404, anyone but its author 403, whatever the note
    correction = f"/api/v1/disputes/{case['id']}/corrections/{uuid.uuid4()}"
    assert (await cast.api["demo-grid-2"].post(correction, json={"note": ""})).status_code == 404
    assert (await cast.api["demo-village"].post(correction, json={"note": ""})).status_code == 403
    # the monthly sweep is a grid worker's: anyone else 403, whatever they sent
    sweep = {"month": "1999-13", "dispute_ids": ["x"]}
    assert (await cast.api["demo-county"].post("/api/v1/sweeps", json=sweep)).status_code == 403
    assert (await current(cast, case["id"]))["status"] == "accepted"


async def test_a_form_is_refused_by_scope_then_role_then_version_before_its_fields(cast):
    """The README's order: 404, 403, 409, then 422."""
    case = await accepted_case(cast)
    version = (await current(cast, case["id"]))["version"]
    url = f"/disputes/{case['id']}/actions/escalate"
    bad = {"reason": "", "version": "not-a-number"}

    outsider = await cast.browser("demo-grid-2")
    assert (await outsider.post_form(url, bad)).status_code == 404
    grid = await cast.browser("demo-grid")  # in the area, but may not escalate
    r = await grid.post_form(url, bad)
    assert r.status_code == 403, r.status_code
    village = await cast.browser("demo-village")
    assert (await village.post_form(url, {"reason": "", "version": version - 1})).status_code == 409
    assert (await village.post_form(url, {"reason": "", "version": version})).status_code == 422
    assert (await current(cast, case["id"]))["status"] == "accepted"
