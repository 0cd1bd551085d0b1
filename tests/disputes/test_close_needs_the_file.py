"""不化解不销号, and no 销号 without the case file: closing with a document missing is refused
unless the person says why, and that reason stays in the ledger and on the printed file."""

from __future__ import annotations

from tests.support.dossier import documents
from tests.support.lifecycle import act, current, ledger, today


async def _followed_up_on_the_spot(cast) -> dict:
    """Settled on the spot by the grid worker and followed up: no investigation, no mediation
    record in its file."""
    case = await cast.log_case("demo-grid", parties=[{"role": "applicant", "name": "孙大"}])
    await act(cast, "demo-grid", case["id"], "resolve", kind="on_the_spot", note="当场说和")
    await act(
        cast,
        "demo-village",
        case["id"],
        "follow-up",
        method="phone",
        honoured="yes",
        satisfaction=5,
    )
    return case


async def test_closing_with_an_incomplete_file_is_refused_through_the_api(cast):
    case = await _followed_up_on_the_spot(cast)
    r = await act(cast, "demo-village", case["id"], "close", expect=422)
    errors = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert list(errors) == ["override_reason"]
    assert "调查记录" in errors["override_reason"] and "调解笔录" in errors["override_reason"]
    assert "卷宗" in errors["override_reason"]  # said in the user's language
    assert (await current(cast, case["id"]))["status"] == "resolved"
    assert "closed" not in [e["kind"] for e in await ledger(cast, case["id"])]


async def test_closing_with_an_incomplete_file_is_refused_on_the_page(cast):
    case = await _followed_up_on_the_spot(cast)
    village = await cast.browser("demo-village")
    version = (await current(cast, case["id"]))["version"]
    page = await village.get(f"/disputes/{case['id']}")
    assert 'name="override_reason"' in page.text  # the close form asks for the reason
    r = await village.post_form(
        f"/disputes/{case['id']}/actions/close", {"version": str(version), "note": ""}, htmx=True
    )
    assert r.status_code == 422
    assert '<details class="action" id="action-close" open>' in r.text
    assert "卷宗尚缺" in r.text and "调查记录" in r.text
    assert (await current(cast, case["id"]))["status"] == "resolved"


async def test_an_override_closes_the_case_and_the_reason_is_in_the_ledger_and_the_printed_file(
    cast,
):
    case = await _followed_up_on_the_spot(cast)
    reason = "网格员当场化解，双方未要求书面调解"
    closed = await act(cast, "demo-village", case["id"], "close", override_reason=reason)
    assert closed.json()["status"] == "closed"
    event = (await ledger(cast, case["id"]))[-1]
    assert event["kind"] == "closed"
    assert event["data"]["override_reason"] == reason
    assert event["data"]["missing_documents"] == ["rights_notice", "investigation", "mediation"]
    printed = (await (await cast.browser("demo-county")).get(f"/disputes/{case['id']}/file")).text
    assert reason in printed and "卷宗不全" in printed
    assert not documents(printed)["调查记录"]


async def test_a_complete_file_closes_without_a_reason(cast):
    case = await cast.log_case("demo-grid", parties=[{"role": "applicant", "name": "钱二"}])
    cid = case["id"]
    await act(cast, "demo-village", cid, "accept", rights_notified=True)
    await act(cast, "demo-village", cid, "record", kind="investigation", note="现场查看")
    await act(
        cast, "demo-village", cid, "record", kind="attempt", outcome="agreement", note="调解成功"
    )
    await act(
        cast,
        "demo-village",
        cid,
        "resolve",
        kind="agreement",
        terms=[{"text": "钱二让出通道"}],
        signed_by="双方及调解员",
        signed_on=today(),
    )
    await act(
        cast, "demo-village", cid, "follow-up", method="visit", honoured="yes", satisfaction=5
    )
    closed = await act(cast, "demo-village", cid, "close")
    assert closed.json()["status"] == "closed"
    assert "override_reason" not in (await ledger(cast, cid))[-1]["data"]
