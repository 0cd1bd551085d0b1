"""Personal numbers never reach a URL or a log line: a whole flow that handles a phone and an
ID number (logging the case by API and by form, revealing, printing, exporting, an error) runs
with every logger at DEBUG and the database's query log on, and nothing written holds them.
The HTTP client logs every URL it requests, so a number in a query string would show too."""

from __future__ import annotations

import logging

import pytest

from app import db

PHONE = "13577778888"
ID_NUMBER = "411726199912124321"
PARTY = {"role": "applicant", "name": "郑八", "phone": PHONE, "id_number": ID_NUMBER}


@pytest.fixture
def query_log():
    engine = db.engine()
    engine.log_queries = True
    yield
    engine.log_queries = False


async def test_a_flow_handling_numbers_writes_them_to_no_log_and_no_url(
    cast, caplog, capsys, query_log
):
    caplog.set_level(logging.DEBUG)
    case = await cast.log_case("demo-grid", title="日志核对", parties=[PARTY])
    grid = await cast.browser("demo-grid")
    form = {
        "title": "表单日志核对",
        "category": "debt",
        "party_role": "applicant",
        "party_name": "郑八",
        "party_phone": PHONE,
        "party_id_number": ID_NUMBER,
        "_csrf_token": grid.csrf,
    }
    r = await grid.post_form("/disputes", form)
    assert r.status_code in (302, 303), r.text
    assert PHONE not in r.headers.get("location", "")
    village = await cast.browser("demo-village")
    # every step must succeed: a failing route would drop out of the leak test unnoticed
    assert (await village.get(f"/disputes/{case['id']}")).status_code == 200
    shown = await village.post_form(
        f"/disputes/{case['id']}/parties/0/reveal", {"_csrf_token": village.csrf}, htmx=True
    )
    assert shown.status_code == 200, shown.text
    assert PHONE in shown.text  # the holder who asked sees it, in the body only
    revealed = await cast.api["demo-village"].post(
        f"/api/v1/disputes/{case['id']}/parties/0/reveal"
    )
    assert revealed.status_code == 200, revealed.text
    assert PHONE in revealed.text
    case_file = await village.get(f"/disputes/{case['id']}/file")
    assert case_file.status_code == 200, case_file.text
    assert "郑八" in case_file.text or "郑*" in case_file.text
    csv = await (await cast.browser("demo-county")).get("/reports/custom/export/csv")
    assert csv.status_code == 200, csv.text
    assert "csv" in csv.headers["content-type"] and len(csv.text.splitlines()) > 1
    bad = dict(PARTY, phone=PHONE + "x")  # refused: the error names the field, not the value
    refused = await cast.api["demo-grid"].post(
        "/api/v1/disputes", json={"title": "错", "category": "debt", "parties": [bad]}
    )
    assert refused.status_code == 422 and PHONE not in refused.text

    written = caplog.text + "".join(capsys.readouterr())
    assert "HTTP Request: POST http://testserver/disputes" in written  # the log was captured
    assert "Query" in written  # and so were the database's queries
    for secret in (PHONE, ID_NUMBER, PHONE[3:], ID_NUMBER[6:14]):
        assert secret not in written, secret
