"""Sessions: an accepted case with parties, the rooms of the demo cast, and a fresh day for
every test (tests share one database: a day of their own keeps their bookings apart)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

import pytest

from app import clock
from app.disputes.tables import Dispute
from app.sessions.rooms import CHINA

_offsets = itertools.count(20)


def at(day: date, hhmm: str) -> str:
    """ISO 8601 with the China offset, as a phone sends it."""
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=CHINA).isoformat()


@pytest.fixture
def day() -> date:
    """A weekday of this test's own, weeks ahead."""
    today = clock.now().astimezone(CHINA).date()
    while True:
        d = today + timedelta(days=next(_offsets))
        if d.isoweekday() <= 5:
            return d


async def accept(dispute_id: str) -> None:
    """Put a case where mediation can start (the case lifecycle's accept, done directly)."""
    await Dispute.update({Dispute.status: "accepted"}).where(Dispute.id == dispute_id)


@pytest.fixture
async def case(cast) -> dict:
    """An accepted case in demo-village's village, with an applicant and a respondent."""
    logged = await cast.log_case(
        "demo-grid",
        title="宅基地滴水纠纷",
        category="land",
        description="王家新房屋檐滴水落到李家院内，双方多次争吵。",
        parties=[
            {"name": "王大山", "role": "applicant", "phone": "13800001111"},
            {"name": "李小河", "role": "respondent", "phone": "13900002222"},
        ],
    )
    await accept(logged["id"])
    return logged


@pytest.fixture
async def village_room(cast) -> dict:
    rooms = (await cast.api["demo-village"].get("/api/v1/rooms")).json()
    return rooms[0]


@pytest.fixture
def booking(cast, case, village_room, day):
    """A booking body for `case` in `village_room` on `day`, with demo-village mediating."""

    def make(start: str = "09:00", end: str = "10:00", **changes) -> dict:
        body = {
            "dispute_id": case["id"],
            "room_id": village_room["id"],
            "starts_at": at(day, start),
            "ends_at": at(day, end),
            "mediator_ids": [cast.me["demo-village"]["id"]],
            "juror_ids": [],
            "public": True,
        }
        return body | changes

    return make


async def make_juror(
    cast, name: str, kind: str = "party_member", phone: str = "13700003333"
) -> dict:
    """A juror of demo-village's village pool."""
    from app.jurisdictions.tables import Jurisdiction
    from app.sessions.tables import Juror

    village = cast.me["demo-village"]["jurisdiction"]["id"]
    node = await Jurisdiction.select().where(Jurisdiction.id == village).first()
    rows = await Juror.insert(
        Juror(
            name=name,
            phone=phone,
            kind=kind,
            jurisdiction=village,
            county=node["county"],
            township=node["township"],
            village=village,
        )
    ).returning(Juror.id)
    return {"id": rows[0]["id"], "name": name}


@pytest.fixture
async def juror(cast) -> dict:
    return await make_juror(cast, "赵老师", kind="teacher")


@pytest.fixture
async def namesake_juror(cast) -> dict:
    """Shares the surname 王 and the village with the applicant 王大山."""
    return await make_juror(cast, "王德高")


@pytest.fixture
async def other_room(cast, village_room) -> dict:
    """Another room of demo-township's township (not demo-village's)."""
    rooms = (await cast.api["demo-township"].get("/api/v1/rooms")).json()
    return next(r for r in rooms if r["id"] != village_room["id"])
