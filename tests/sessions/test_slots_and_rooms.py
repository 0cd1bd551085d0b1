"""Rooms in scope, their free slots, and the juror list with relation flags."""

from __future__ import annotations

from datetime import timedelta


async def test_rooms_are_listed_in_scope_only(cast):
    village = (await cast.api["demo-village"].get("/api/v1/rooms")).json()
    township = (await cast.api["demo-township"].get("/api/v1/rooms")).json()
    county = (await cast.api["demo-county"].get("/api/v1/rooms")).json()
    assert len(village) == 1
    assert {r["id"] for r in village} < {r["id"] for r in township} < {r["id"] for r in county}
    assert len(county) == 150 + 12
    assert (await cast.api["demo-grid-2"].get("/api/v1/rooms")).json() == []


async def test_free_slots_leave_out_the_booked_time(cast, booking, village_room, day):
    assert (
        await cast.api["demo-village"].post("/api/v1/sessions", json=booking("10:00", "11:00"))
    ).status_code == 201
    r = await cast.api["demo-village"].get(
        f"/api/v1/rooms/{village_room['id']}/slots", params={"date": str(day)}
    )
    assert r.status_code == 200
    body = r.json()
    assert body["open"] and body["opens_at"].endswith("08:30+08:00")
    assert [(b["starts_at"][11:16], b["ends_at"][11:16]) for b in body["busy"]] == [
        ("10:00", "11:00")
    ]
    assert [(f["starts_at"][11:16], f["ends_at"][11:16]) for f in body["free"]] == [
        ("08:30", "10:00"),
        ("11:00", "17:30"),
    ]
    starts = [s["starts_at"][11:16] for s in body["slots"]]
    assert starts[:3] == ["08:30", "09:00", "11:00"]
    assert "09:30" not in starts and "10:00" not in starts and starts[-1] == "16:30"


async def test_slots_of_a_closed_day_and_bad_dates(cast, village_room, day):
    from app.sessions.tables import Room

    await Room.update({Room.open_weekdays: "12345"}).where(Room.id == village_room["id"])
    try:
        sunday = day + timedelta(days=7 - day.isoweekday())
        r = await cast.api["demo-village"].get(
            f"/api/v1/rooms/{village_room['id']}/slots", params={"date": str(sunday)}
        )
    finally:
        await Room.update({Room.open_weekdays: "1234567"}).where(Room.id == village_room["id"])
    assert r.json()["open"] is False and r.json()["slots"] == []
    bad = await cast.api["demo-village"].get(
        f"/api/v1/rooms/{village_room['id']}/slots", params={"date": "tomorrow"}
    )
    assert bad.status_code == 422


async def test_slots_of_a_room_out_of_scope_are_404(cast, village_room):
    r = await cast.api["demo-grid-2"].get(f"/api/v1/rooms/{village_room['id']}/slots")
    assert r.status_code == 404


async def test_jurors_for_a_case_carry_the_relation_flag(cast, case, juror, namesake_juror):
    r = await cast.api["demo-village"].get("/api/v1/jurors", params={"dispute_id": case["id"]})
    flags = {j["name"]: j["flag"] for j in r.json()}
    assert flags["赵老师"] == ""
    assert "王" in flags["王德高"] and "王大山" in flags["王德高"]
    assert all("*" in j["phone"] for j in r.json() if j["phone"])  # phones masked in lists
    assert (await cast.api["demo-grid-2"].get("/api/v1/jurors")).json() == []


def test_compound_surnames_are_recognised():
    from app.sessions.jurors import surname

    assert (
        surname("欧阳修") == "欧阳" and surname("王大山") == "王" and surname(" 诸葛亮") == "诸葛"
    )
