"""Phones and ID numbers: masked for everyone but the case's holders, who may reveal them;
every reveal is in the audit log (who, what, when, from where)."""

import pytest

from app.audit.tables import AuditLog
from tests.support.lifecycle import act

PARTIES = [
    {"role": "applicant", "name": "王五", "phone": "13900001111", "id_number": "411726198001011234"}
]


@pytest.fixture
async def case(cast):
    return await cast.log_case("demo-grid", parties=PARTIES)


async def test_everyone_sees_masked_numbers_in_the_case(cast, case):
    for username in ("demo-grid", "demo-village", "demo-township", "demo-county"):
        party = (await cast.api[username].get(f"/api/v1/disputes/{case['id']}")).json()["parties"][
            0
        ]
        assert party["phone"] == "139****1111" and "19800101" not in party["id_number"]


async def test_the_holder_reveals_a_partys_numbers_and_the_reveal_is_logged(cast, case):
    r = await cast.api["demo-village"].post(
        f"/api/v1/disputes/{case['id']}/parties/0/reveal", headers={"user-agent": "pingli-test"}
    )
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert r.json()["phone"] == "13900001111" and r.json()["id_number"] == "411726198001011234"
    log = await AuditLog.select().where(AuditLog.dispute == case["id"])
    assert len(log) == 1
    assert log[0]["user"] == cast.me["demo-village"]["id"] and log[0]["kind"] == "reveal"
    assert (
        log[0]["what"] == "phone,id_number"
        and log[0]["user_agent"] == "pingli-test"
        and log[0]["ip"]
    )


@pytest.mark.parametrize("username", ["demo-grid", "demo-township", "demo-county", "demo-admin"])
async def test_those_not_holding_the_case_cannot_reveal(cast, case, username):
    r = await cast.api[username].post(f"/api/v1/disputes/{case['id']}/parties/0/reveal")
    assert r.status_code == 403
    assert "13900001111" not in r.text
    assert await AuditLog.count().where(AuditLog.dispute == case["id"]) == 0


async def test_after_an_escalation_the_new_holder_may_reveal_and_the_village_no_longer(cast, case):
    await act(cast, "demo-village", case["id"], "accept")
    await act(cast, "demo-village", case["id"], "escalate", reason="村级无法化解")
    assert (
        await cast.api["demo-village"].post(f"/api/v1/disputes/{case['id']}/parties/0/reveal")
    ).status_code == 403
    assert (
        await cast.api["demo-township"].post(f"/api/v1/disputes/{case['id']}/parties/0/reveal")
    ).status_code == 200


async def test_outside_the_area_a_reveal_is_404(cast, case):
    r = await cast.api["demo-grid-2"].post(f"/api/v1/disputes/{case['id']}/parties/0/reveal")
    assert r.status_code == 404


async def test_the_case_page_reveals_with_a_post_and_keeps_numbers_out_of_urls(cast, case):
    village = await cast.browser("demo-village")
    page = await village.get(f"/disputes/{case['id']}")
    assert (
        "13900001111" not in page.text and f"/disputes/{case['id']}/parties/0/reveal" in page.text
    )
    r = await village.post_form(
        f"/disputes/{case['id']}/parties/0/reveal", {"_csrf_token": village.csrf}, htmx=True
    )
    assert r.status_code == 200 and "13900001111" in r.text and 'id="parties"' in r.text
    assert "<html" not in r.text
    township = await cast.browser("demo-township")
    assert "parties/0/reveal" not in (await township.get(f"/disputes/{case['id']}")).text
