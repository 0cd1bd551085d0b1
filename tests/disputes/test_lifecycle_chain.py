"""One case, the whole road: logged by the grid worker, up the ladder to the county, handed
back to the village, resolved, followed up and closed — with every step in the ledger."""

import pytest

from app.audit.tables import AuditLog
from app.disputes.tables import CaseEvent
from tests.support.lifecycle import act, current, ledger, today


async def test_a_case_walks_the_whole_chain_and_the_ledger_records_every_step_with_actor_and_level(
    cast,
):
    case = await cast.log_case(
        "demo-grid",
        title="宅基地边界纠纷",
        category="land",
        parties=[
            {"role": "applicant", "name": "张三", "phone": "13812345678"},
            {"role": "respondent", "name": "李四"},
        ],
    )
    cid = case["id"]
    await act(cast, "demo-village", cid, "accept", rights_notified=True)
    await act(cast, "demo-village", cid, "record", kind="investigation", note="查看确权图和现场")
    await act(
        cast,
        "demo-village",
        cid,
        "record",
        kind="attempt",
        outcome="no_agreement",
        note="双方各执一词",
    )
    await act(cast, "demo-village", cid, "escalate", reason="涉及承包合同，村里难以化解")
    await act(cast, "demo-township", cid, "accept")
    await act(cast, "demo-township", cid, "escalate", reason="涉及县级部门职责")
    await act(cast, "demo-county", cid, "accept")
    await act(
        cast,
        "demo-county",
        cid,
        "hand-back",
        to_level="village",
        instructions="请村调委会依据确权资料再行调解",
    )
    await act(
        cast,
        "demo-village",
        cid,
        "resolve",
        kind="agreement",
        terms=[{"text": "按确权图重新划定界址"}],
        signed_by="张三、李四、张大姐",
        signed_on=today(),
    )
    await act(
        cast, "demo-village", cid, "follow-up", method="visit", honoured="yes", satisfaction=5
    )
    closed = await act(cast, "demo-village", cid, "close")

    assert closed.json()["status"] == "closed" and closed.json()["level"] == "village"
    steps = [(e["kind"], e["actor"], e["level"]) for e in await ledger(cast, cid)]
    grid, village, township, county = (
        "刘小明（网格员）",
        "张大姐（村调委会）",
        "李主任（乡镇综治中心）",
        "王主任（县矛调中心）",
    )
    assert steps == [
        ("logged", grid, "grid"),
        ("accepted", village, "village"),
        ("recorded", village, "village"),
        ("recorded", village, "village"),
        ("escalated", village, "village"),
        ("accepted", township, "township"),
        ("escalated", township, "township"),
        ("accepted", county, "county"),
        ("handed_back", county, "county"),
        ("resolved", village, "village"),
        ("followed_up", village, "village"),
        ("closed", village, "village"),
    ]


async def test_an_escalation_moves_level_holder_and_deadline_and_the_village_keeps_read_access(
    cast,
):
    case = await cast.log_case("demo-grid")
    cid = case["id"]
    await act(cast, "demo-village", cid, "accept")
    before = await current(cast, cid)
    await act(cast, "demo-village", cid, "escalate", reason="村级调解未果")
    after = await current(cast, cid)
    assert (after["level"], after["status"]) == ("township", "escalated")
    assert after["holder"]["id"] == cast.me["demo-township"]["jurisdiction"]["id"]
    assert after["due_kind"] == "accept" and after["due_at"] != before["due_at"]
    village_view = await cast.api["demo-village"].get(f"/api/v1/disputes/{cid}")
    assert village_view.status_code == 200 and village_view.json()["available_actions"] == []
    township_view = await cast.api["demo-township"].get(f"/api/v1/disputes/{cid}")
    assert "accept" in township_view.json()["available_actions"]


async def test_the_ledger_and_the_audit_log_refuse_edits_and_deletes(cast):
    case = await cast.log_case("demo-grid", parties=[{"name": "甲", "phone": "13800000000"}])
    await act(cast, "demo-village", case["id"], "accept")
    await cast.api["demo-village"].post(f"/api/v1/disputes/{case['id']}/parties/0/reveal")
    for statement in (
        CaseEvent.update({CaseEvent.note: "改写历史"}).where(CaseEvent.dispute == case["id"]),
        CaseEvent.delete().where(CaseEvent.dispute == case["id"]),
        AuditLog.update({AuditLog.what: "改写"}).where(AuditLog.dispute == case["id"]),
        AuditLog.delete().where(AuditLog.dispute == case["id"]),
    ):
        with pytest.raises(Exception, match="append-only"):
            await statement
    assert [e["kind"] for e in await ledger(cast, case["id"])] == ["logged", "accepted"]
