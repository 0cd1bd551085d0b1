"""The traps a fuzzer finds, pinned down one by one: whatever a phone or a script sends, the
API answers a 4xx problem+json that says what is wrong, and nothing reaches the database."""

from __future__ import annotations

import uuid

from app.disputes.tables import Dispute


def is_problem(r, status: int) -> bool:
    return r.status_code == status and r.headers["content-type"].startswith(
        "application/problem+json"
    )


async def test_a_nul_byte_in_a_field_is_refused_before_the_database(cast):
    api = cast.api["demo-grid"]
    case_id = str(uuid.uuid4())
    body = {"id": case_id, "title": "排水沟\u0000堵塞", "category": "neighbours"}
    r = await api.post("/api/v1/disputes", json=body)
    assert is_problem(r, 422), r.text
    assert r.json()["errors"][0]["field"] == "title"
    assert not await Dispute.exists().where(Dispute.id == uuid.UUID(case_id))


async def test_a_nul_byte_anywhere_in_a_json_body_is_refused_on_every_route(cast):
    # The sweep's note goes to a text column; the check does not depend on each route's validator.
    body = {"month": "2026-01", "none_found": True, "note": "none\u0000"}
    r = await cast.api["demo-grid"].post("/api/v1/sweeps", json=body)
    assert is_problem(r, 422), r.text
    assert r.json()["errors"] == [{"field": "note", "message": "包含不允许的字符。"}]


async def test_a_nul_byte_in_a_query_parameter_is_refused(cast):
    r = await cast.api["demo-county"].get("/api/v1/disputes", params={"q": "水\x00沟"})
    assert is_problem(r, 422), r.text


async def test_integers_too_large_for_the_database_are_refused(cast):
    api = cast.api["demo-grid"]
    for field, value in (
        ("people_involved", 2**40),
        ("grid_id", 2**40),
        ("people_involved", 10**30),
    ):
        case_id = str(uuid.uuid4())
        body = {"id": case_id, "title": "排水沟堵塞", "category": "neighbours", field: value}
        r = await api.post("/api/v1/disputes", json=body)
        assert r.status_code in (400, 422) and is_problem(r, r.status_code), (field, r.text)
        assert not await Dispute.exists().where(Dispute.id == uuid.UUID(case_id))
    r = await cast.api["demo-county"].get("/api/v1/jurisdictions/99999999999999")
    assert is_problem(r, 422), r.text


async def test_an_oversized_json_body_is_refused_with_413(cast):
    case_id = str(uuid.uuid4())
    body = {
        "id": case_id,
        "title": "排水沟堵塞",
        "category": "neighbours",
        "description": "x" * (2 * 1024 * 1024),
    }
    r = await cast.api["demo-grid"].post("/api/v1/disputes", json=body)
    assert is_problem(r, 413), r.text
    assert not await Dispute.exists().where(Dispute.id == uuid.UUID(case_id))


async def test_malformed_json_is_a_400_problem(cast):
    r = await cast.api["demo-grid"].post(
        "/api/v1/disputes",
        content=b'{"title": "unfinished',
        headers={"content-type": "application/json"},
    )
    assert is_problem(r, 400), r.text


async def test_a_body_of_the_wrong_type_is_refused_with_415(cast):
    r = await cast.api["demo-grid"].post(
        "/api/v1/disputes",
        content=b"title=x&category=neighbours",
        headers={"content-type": "text/plain"},
    )
    assert is_problem(r, 415), r.text


async def test_an_integer_beyond_32_bits_in_any_body_is_refused_before_the_database(cast):
    # A session's room id went straight to an INTEGER column: PostgreSQL's driver failed (500).
    case = await cast.log_case("demo-grid")
    body = {
        "dispute_id": case["id"],
        "room_id": 2**40,
        "starts_at": "2030-01-07T02:00:00Z",
        "ends_at": "2030-01-07T03:00:00Z",
        "mediator_ids": [cast.me["demo-village"]["id"]],
    }
    r = await cast.api["demo-village"].post("/api/v1/sessions", json=body)
    assert is_problem(r, 422), r.text
    # declared as an id of 32 bits: the body's own decoding refuses it, naming the bound
    assert r.json()["errors"] == [{"field": "room_id", "message": "不能大于 2147483647。"}]
    nested = body | {"room_id": 1, "mediator_ids": [-(2**33)]}
    r = await cast.api["demo-village"].post("/api/v1/sessions", json=nested)
    assert is_problem(r, 422) and r.json()["errors"][0]["field"] == "mediator_ids[0]", r.text


async def test_a_field_the_body_does_not_have_is_dropped_unread_whatever_it_holds(cast):
    """Extra fields are dropped (README, Authorization): a NUL or a large number in one harms
    nothing, so it is not refused either."""
    checkin = {"id": str(uuid.uuid4()), "extra": [{"n": -(2**33), "s": "a\x00b"}], "x\x00": 1}
    r = await cast.api["demo-grid"].post("/api/v1/checkins", json=checkin)
    assert r.status_code == 201, r.text
    assert "extra" not in r.json()


async def test_an_id_in_the_path_is_found_only_when_written_as_plain_digits(cast):
    api = cast.api["demo-county"]
    own = (await api.get("/api/v1/me")).json()["jurisdiction"]["id"]
    assert (await api.get(f"/api/v1/jurisdictions/{own}")).status_code == 200
    arabic_indic = "".join(chr(0x0660 + int(d)) for d in str(own))
    for written in (f"%20{own}", f"{own}%20", f"0{own}", f"+{own}", arabic_indic):
        r = await api.get(f"/api/v1/jurisdictions/{written}")
        assert is_problem(r, 404), (written, r.status_code, r.text)


async def test_a_body_that_does_not_decode_is_refused_in_the_users_language(cast):
    api = cast.api["demo-grid"]
    r = await api.post("/api/v1/disputes", json={"id": str(uuid.uuid4()), "category": "land"})
    assert is_problem(r, 422), r.text
    assert r.json()["errors"] == [{"field": "title", "message": "此项必填。"}]
    assert "Object missing" not in r.text
    body = {"id": str(uuid.uuid4()), "title": "排水沟", "category": "land", "lon": "东经"}
    r = await api.post("/api/v1/disputes", json=body)
    assert r.json()["errors"] == [{"field": "lon", "message": "必须是数字。"}]
    r = await api.post(
        "/api/v1/disputes",
        json={"id": str(uuid.uuid4()), "category": "land"},
        headers={"Accept-Language": "en"},
    )
    assert r.json()["errors"] == [{"field": "title", "message": "This field is required."}]
