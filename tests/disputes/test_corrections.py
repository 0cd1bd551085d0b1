"""A correction (补充更正) to a case by whoever logged it: the phone sends it after the case,
with its own id, so it lands on the ledger once however often it is sent."""

import asyncio
import uuid

from app.disputes.tables import CaseEvent


async def test_the_author_adds_a_correction_once_however_often_it_is_sent(cast):
    case = await cast.log_case("demo-grid", title="水渠堵塞", description="东头")
    api = cast.api["demo-grid"]
    url = f"/api/v1/disputes/{case['id']}/corrections/{uuid.uuid4()}"
    body = {"note": "应为西头，不是东头"}
    answers = await asyncio.gather(*[api.post(url, json=body) for _ in range(3)])
    assert sorted(a.status_code for a in answers) == [200, 200, 201], [a.text for a in answers]
    events = (await api.get(f"/api/v1/disputes/{case['id']}/events")).json()
    assert [e["kind"] for e in events] == ["logged", "corrected"]
    assert events[1]["note"] == "应为西头，不是东头"
    assert events[1]["actor"] == cast.me["demo-grid"]["display_name"]
    shown = (await api.get(f"/api/v1/disputes/{case['id']}")).json()
    assert shown["description"] == "东头"  # the case as logged is unchanged
    assert shown["created_by"] == cast.me["demo-grid"]["id"]


async def test_the_same_correction_id_with_another_text_is_a_conflict(cast):
    case = await cast.log_case("demo-grid")
    api = cast.api["demo-grid"]
    url = f"/api/v1/disputes/{case['id']}/corrections/{uuid.uuid4()}"
    assert (await api.post(url, json={"note": "第一次"})).status_code == 201
    r = await api.post(url, json={"note": "另一段话"})
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")


async def test_only_the_author_may_correct_and_an_empty_note_is_refused(cast):
    case = await cast.log_case("demo-grid")
    dispute_id = uuid.UUID(case["id"])
    url = f"/api/v1/disputes/{case['id']}/corrections/{uuid.uuid4()}"
    empty = await cast.api["demo-grid"].post(url, json={"note": "  "})
    assert empty.status_code == 422
    assert "note" in {e["field"] for e in empty.json()["errors"]}
    village = await cast.api["demo-village"].post(url, json={"note": "我来改"})
    assert village.status_code == 403
    assert await CaseEvent.count().where(CaseEvent.dispute == dispute_id) == 1


async def test_a_case_in_another_grid_is_not_found(cast):
    case = await cast.log_case("demo-grid")
    url = f"/api/v1/disputes/{case['id']}/corrections/{uuid.uuid4()}"
    r = await cast.api["demo-grid-2"].post(url, json={"note": "别人的案件"})
    assert r.status_code == 404
    assert await CaseEvent.count().where(CaseEvent.dispute == uuid.UUID(case["id"])) == 1
