"""/rooms and /jurors are searched, filtered by township and village and paged: a county's 162
rooms are no longer one 28,000 px list on a phone."""

from __future__ import annotations

import re

from app.jurisdictions.tables import Jurisdiction
from app.sessions.tables import Room

CARD = re.compile(r'class="card room-card')


async def test_the_county_sees_rooms_a_page_at_a_time_and_finds_one_by_name(cast):
    admin = await cast.browser("demo-admin")
    total = await Room.count()
    first = await admin.get("/rooms")
    assert first.status_code == 200
    assert total > 40 and len(CARD.findall(first.text)) == 20 and "page=2" in first.text
    second = await admin.get("/rooms?page=2")
    assert len(CARD.findall(second.text)) == 20 and "page=1" in second.text

    room = await Room.select(Room.name).order_by(Room.id, ascending=False).first()
    found = await admin.get("/rooms", params={"q": room["name"]}, headers={"hx-request": "true"})
    assert found.status_code == 200 and "<html" not in found.text
    assert room["name"] in found.text and len(CARD.findall(found.text)) < 5


async def test_rooms_filter_by_township_then_village(cast):
    admin = await cast.browser("demo-admin")
    township = cast.me["demo-township"]["jurisdiction"]
    village = cast.me["demo-village"]["jurisdiction"]
    by_town = await admin.get("/rooms", params={"township": township["id"]})
    rooms_there = await Room.count().where(Room.township == township["id"])
    assert len(CARD.findall(by_town.text)) == min(rooms_there, 20)
    assert f'value="{village["id"]}"' in by_town.text  # its villages are offered
    by_village = await admin.get(
        "/rooms", params={"township": township["id"], "village": village["id"]}
    )
    assert len(CARD.findall(by_village.text)) == await Room.count().where(
        Room.village == village["id"]
    )
    other = await Room.select(Room.name).where(Room.township != township["id"]).first()
    assert other["name"] not in by_town.text


async def test_a_filter_outside_the_users_area_matches_nothing(cast):
    village = await cast.browser("demo-village")
    elsewhere = await (
        Jurisdiction.select(Jurisdiction.id)
        .where(
            (Jurisdiction.level == "township")
            & (Jurisdiction.id != cast.me["demo-township"]["jurisdiction"]["id"])
        )
        .first()
    )
    r = await village.get("/rooms", params={"township": elsewhere["id"]})
    assert r.status_code == 200 and not CARD.findall(r.text)


async def test_jurors_are_searched_by_name(cast):
    village = await cast.browser("demo-village")
    for name in ("甲评理员", "乙评理员"):
        r = await village.post_form(
            "/jurors", {"name": name, "kind": "teacher", "_csrf_token": village.csrf}
        )
        assert r.status_code in (302, 303), r.text
    found = await village.get("/jurors", params={"q": "甲评理"})
    assert "甲评理员" in found.text and "乙评理员" not in found.text
