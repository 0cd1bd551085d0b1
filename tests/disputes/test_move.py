"""A case filed in the wrong place is moved by a township or county officer of its area to
another grid, village or township, with a reason, in the ledger: the old area loses it (404),
the new one gets it."""

from __future__ import annotations

from app.disputes.tables import Dispute
from app.jurisdictions.tables import Jurisdiction
from tests.auth.conftest import make_user
from tests.support.cast import DEMO_PASSWORD
from tests.support.lifecycle import act, ledger


async def _other_grid(cast, same_township: bool) -> dict:
    """A grid of another village: in demo-township's township, or in another township."""
    me = cast.me["demo-village"]["jurisdiction"]
    village = await Jurisdiction.select().where(Jurisdiction.id == me["id"]).first()
    J = Jurisdiction
    where = (J.level == "grid") & (J.village != village["id"]) & (J.county == village["county"])
    where &= (
        (J.township == village["township"])
        if same_township
        else (J.township != village["township"])
    )
    return await J.select().where(where).order_by(J.code).first()


async def test_a_moved_case_404s_for_the_old_villages_mediator_and_appears_for_the_new_ones(
    cast,
):
    case = await cast.log_case("demo-grid", title="错报村的案件")
    await act(cast, "demo-village", case["id"], "accept", rights_notified=True)
    target = await _other_grid(cast, same_township=True)
    newcomer = await make_user(target["village"], role="village_mediator", password=DEMO_PASSWORD)
    new_village = await cast.browser(newcomer["username"])
    assert (await new_village.http.get(f"/disputes/{case['id']}")).status_code == 404

    # the village mediator may not move it; the township officer may
    await act(cast, "demo-village", case["id"], "move", expect=403, grid=target["id"], reason="x")
    await act(
        cast, "demo-township", case["id"], "move", grid=target["id"], reason="报错了村，实属邻村"
    )

    assert (await cast.api["demo-village"].get(f"/api/v1/disputes/{case['id']}")).status_code == 404
    assert (await cast.api["demo-grid"].get(f"/api/v1/disputes/{case['id']}")).status_code == 404
    page = await new_village.http.get(f"/disputes/{case['id']}")
    assert page.status_code == 200 and "错报村的案件" in page.text
    listed = await new_village.http.get("/disputes?q=错报村的案件")
    assert case["case_no"] in listed.text
    row = await Dispute.select().where(Dispute.id == case["id"]).first()
    assert (row["grid"], row["village"], row["holder"]) == (
        target["id"],
        target["village"],
        target["village"],
    )
    moved = [e for e in await ledger(cast, case["id"]) if e["kind"] == "moved"]
    assert len(moved) == 1 and moved[0]["data"]["reason"] == "报错了村，实属邻村"
    assert moved[0]["data"]["grid"] == target["code"]


async def test_a_township_officer_cannot_move_a_case_out_of_their_township(cast):
    case = await cast.log_case("demo-grid", title="跨乡镇")
    elsewhere = await _other_grid(cast, same_township=False)
    r = await act(
        cast, "demo-township", case["id"], "move", expect=422, grid=elsewhere["id"], reason="x"
    )
    assert "grid" in r.text
    assert (await cast.api["demo-village"].get(f"/api/v1/disputes/{case['id']}")).status_code == 200
    # the county officer may
    await act(cast, "demo-county", case["id"], "move", grid=elsewhere["id"], reason="属邻乡")
    assert (
        await cast.api["demo-township"].get(f"/api/v1/disputes/{case['id']}")
    ).status_code == 404


async def test_the_case_page_offers_the_move_to_an_officer_only(cast):
    case = await cast.log_case("demo-grid", title="页面移交")
    township = await cast.browser("demo-township")
    page = await township.get(f"/disputes/{case['id']}")
    assert 'id="action-move"' in page.text and 'name="grid"' in page.text
    village = await cast.browser("demo-village")
    assert 'id="action-move"' not in (await village.get(f"/disputes/{case['id']}")).text
