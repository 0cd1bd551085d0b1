"""Machine access beyond the 1,000th case: the change feed and the cases list's cursor."""

import asyncio
import os
import uuid

import pytest

from tests.conftest import ENGINE


async def read_all(client, cursor=None, limit=50):
    """Read the feed to its end from `cursor`, as a mirroring platform does."""
    seen = []
    while True:
        params = {"limit": limit} | ({"after": cursor} if cursor else {})
        r = await client.get("/api/v1/events", params=params)
        assert r.status_code == 200, r.text
        body = r.json()
        seen += body["items"]
        cursor = body["next_cursor"]
        if not body["has_more"]:
            return seen, cursor


async def test_the_feed_gives_every_event_once_in_order_while_cases_are_written(cast):
    township = cast.api["demo-township"]
    _, cursor = await read_all(township, limit=1000)  # up to date with the seeded history
    collected = []

    async def writer(n):
        for i in range(4):
            case = await cast.log_case("demo-grid", title=f"并发写入{n}-{i}", category="debt")
            r = await cast.api["demo-village"].post(
                f"/api/v1/disputes/{case['id']}/actions/accept", json={"version": case["version"]}
            )
            assert r.status_code == 200, r.text

    async def reader():
        nonlocal cursor
        for _ in range(12):
            items, cursor = await read_all(township, cursor, limit=3)
            collected.extend(items)
            await asyncio.sleep(0)

    await asyncio.gather(*(writer(n) for n in range(5)), reader())
    # A platform polls: an event whose transaction is older than one still running anywhere on
    # the server (other databases' too: transaction ids are the server's) waits for a later read.
    for _ in range(100):
        rest, cursor = await read_all(township, cursor)
        collected += rest
        if sum(e["kind"] == "accepted" for e in collected) >= 20:
            break
        await asyncio.sleep(0.2)

    ids = [e["id"] for e in collected]
    assert len(ids) == len(set(ids)), "an event came twice"
    cursors = [tuple(int(p) for p in e["cursor"].split(".")) for e in collected]
    assert cursors == sorted(cursors), "the feed went back in its own order"
    titles = {e["case"]["case_no"] for e in collected}
    assert len(titles) == 20
    # every event of the new cases, none missing: logged + accepted for each
    kinds = sorted(e["kind"] for e in collected)
    assert kinds.count("accepted") == 20
    in_ledger = 0
    for case_id in {e["case"]["id"] for e in collected}:
        r = await cast.api["demo-county"].get(f"/api/v1/disputes/{case_id}/events")
        in_ledger += len(r.json())
    assert len(collected) == in_ledger


async def test_the_feed_keeps_to_the_readers_area_and_carries_no_personal_numbers(cast):
    mine = await cast.log_case(
        "demo-grid",
        title="本镇的事",
        category="debt",
        parties=[{"name": "王五", "phone": "13912345678", "id_number": "410101199001011234"}],
    )
    _, start = await read_all(cast.api["demo-grid-2"], limit=1000)
    theirs_view, _ = await read_all(cast.api["demo-grid-2"], start)
    assert mine["case_no"] not in {e["case"]["case_no"] for e in theirs_view}
    county_view, _ = await read_all(cast.api["demo-county"], start)
    assert mine["case_no"] in {e["case"]["case_no"] for e in county_view}
    r = await cast.api["demo-county"].get("/api/v1/events", params={"after": start, "limit": 1000})
    assert mine["case_no"] in r.text
    assert "13912345678" not in r.text and "410101199001011234" not in r.text


async def test_the_feed_speaks_ndjson(cast):
    r = await cast.api["demo-village"].get(
        "/api/v1/events", params={"limit": 5}, headers={"Accept": "application/x-ndjson"}
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/x-ndjson")
    lines = r.text.strip().split("\n")
    assert len(lines) == 5
    import json

    last = json.loads(lines[-1])
    assert r.headers["x-next-cursor"] == last["cursor"]


@pytest.mark.parametrize("bad", ["abc", "1.2.3", "-1.0", "1." + "9" * 30])
async def test_a_cursor_the_feed_never_gave_is_422(cast, bad):
    r = await cast.api["demo-village"].get("/api/v1/events", params={"after": bad})
    assert r.status_code == 422
    assert "after" in r.text


async def test_a_cursor_past_anything_stored_reads_nothing_rather_than_failing(cast):
    # 20 digits of transaction id and 19 of event id fit the cursor's form but not the
    # database's integers: it answered 500 on PostgreSQL
    for after in ("10000000000000000000.1000000000000000000", "9" * 20 + "." + "9" * 19):
        r = await cast.api["demo-village"].get("/api/v1/events", params={"after": after})
        assert r.status_code == 200, r.text
        assert (r.json()["items"], r.json()["has_more"]) == ([], False)


@pytest.mark.skipif(ENGINE != "postgres", reason="SQLite commits one writer at a time")
async def test_an_event_committed_late_is_not_skipped(cast):
    import asyncpg

    case = await cast.log_case("demo-grid", title="迟到的事件", category="debt")
    _, cursor = await read_all(cast.api["demo-county"], limit=1000)
    conn = await asyncpg.connect(os.environ["PINGLI_DATABASE_URL"])
    try:
        tx = conn.transaction()
        await tx.start()
        # a writer that took its event id first and commits last
        late_id = await conn.fetchval(
            "INSERT INTO case_event (dispute, kind, level, note, data, created_at) "
            "VALUES ($1, 'note', 'village', '迟到', '{}', now()) RETURNING id",
            uuid.UUID(case["id"]),
        )
        other = await cast.log_case("demo-grid", title="先提交的事件", category="debt")
        seen, cursor_mid = await read_all(cast.api["demo-county"], cursor)
        assert other["case_no"] not in {e["case"]["case_no"] for e in seen}, (
            "an event past one still in flight was handed out"
        )
        await tx.commit()
    finally:
        await conn.close()
    seen_after, _ = await read_all(cast.api["demo-county"], cursor_mid)
    ids = [e["id"] for e in seen + seen_after]
    assert late_id in ids
    assert other["case_no"] in {e["case"]["case_no"] for e in seen + seen_after}


async def test_a_cursor_reads_on_where_numbered_pages_stop(cast, monkeypatch):
    from app.disputes import queries
    from app.disputes.tables import Dispute

    monkeypatch.setattr(queries, "MAX_DEPTH", 100)  # the demo county is small: stop early
    county = cast.api["demo-county"]
    refused = await county.get("/api/v1/disputes", params={"per_page": 50, "page": 3})
    assert refused.status_code == 422
    first = (await county.get("/api/v1/disputes", params={"per_page": 50})).json()
    seen = [c["id"] for c in first["items"]]
    stamps = [c["created_at"] for c in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        r = await county.get("/api/v1/disputes", params={"per_page": 50, "cursor": cursor})
        assert r.status_code == 200, r.text
        body = r.json()
        seen += [c["id"] for c in body["items"]]
        stamps += [c["created_at"] for c in body["items"]]
        cursor = body["next_cursor"]
    everything = await Dispute.count().where(
        Dispute.county == cast.me["demo-county"]["jurisdiction"]["id"]
    )
    assert len(seen) == len(set(seen)) == everything > 100
    assert stamps == sorted(stamps, reverse=True)


async def test_a_cursor_from_elsewhere_is_422(cast):
    r = await cast.api["demo-county"].get("/api/v1/disputes", params={"cursor": "nonsense"})
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["cursor"]
