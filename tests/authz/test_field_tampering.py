"""Field-level authorization: what a role may not set, it cannot set by adding it to a request.

A case's level, holder, status, deadline, place, number, author and version are the server's
to decide; the forms and the API take only the fields of the action. Extra fields are dropped,
and the fields that name a place (a grid, a room's owner) must name one in the person's area.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from app.disputes.tables import Dispute
from tests.authz import world
from tests.support.lifecycle import act, current

FAR = "2099-12-31T00:00:00+08:00"


async def _row(case_id: str) -> dict:
    return await Dispute.select().where(Dispute.id == case_id).first()


async def _forged(cast) -> dict:
    """Every server-decided field, pointing somewhere the grid worker has no business."""
    sides = await world.build(cast)
    theirs = await _row(sides["theirs"]["dispute_id"])
    return {
        "level": "county",
        "holder": cast.me["demo-county"]["jurisdiction"]["id"],
        "status": "closed",
        "due_at": FAR,
        "due_kind": "resolve",
        "county": theirs["county"],
        "township": theirs["township"],
        "village": theirs["village"],
        "grid": theirs["grid"],
        "case_no": "伪造-0001",
        "version": 99,
        "attempts": 3,
        "created_by": cast.me["demo-admin"]["id"],
        "followed_up_at": FAR,
    }


def _as_logged_by_demo_grid(row: dict, cast, mine: dict) -> None:
    assert row["status"] == "logged"
    assert row["level"] == "village"
    assert row["holder"] == mine["village"]
    assert (row["county"], row["township"], row["village"], row["grid"]) == (
        mine["county"],
        mine["township"],
        mine["village"],
        mine["grid"],
    )
    assert row["version"] == 1 and row["attempts"] == 0
    assert row["case_no"] != "伪造-0001"
    assert row["created_by"] == cast.me["demo-grid"]["id"]
    assert row["due_at"].year < 2099 and row["followed_up_at"] is None


async def test_logging_a_case_through_the_api_ignores_every_server_decided_field(app, cast):
    sides = await world.build(cast)
    mine = await _row(sides["mine"]["dispute_id"])
    body = {"id": str(uuid.uuid4()), "title": "伪造字段", "category": "neighbours"}
    r = await cast.api["demo-grid"].post("/api/v1/disputes", json=body | await _forged(cast))
    assert r.status_code == 201, r.text
    _as_logged_by_demo_grid(await _row(body["id"]), cast, mine)


async def test_logging_a_case_through_the_form_ignores_every_server_decided_field(app, cast):
    sides = await world.build(cast)
    mine = await _row(sides["mine"]["dispute_id"])
    browser = await cast.browser("demo-grid")
    case_id = str(uuid.uuid4())
    forged = {k: str(v) for k, v in (await _forged(cast)).items()}
    data = {
        "id": case_id,
        "title": "伪造字段表单",
        "category": "neighbours",
        "_csrf_token": browser.csrf,
    }
    r = await browser.post_form("/disputes", data | forged)
    assert r.status_code in (302, 303), r.text[:500]
    _as_logged_by_demo_grid(await _row(case_id), cast, mine)


async def test_a_grid_or_a_point_outside_ones_area_is_refused(app, cast):
    from app.jurisdictions.tables import Jurisdiction

    sides = await world.build(cast)
    theirs = await _row(sides["theirs"]["dispute_id"])
    grid = await Jurisdiction.select().where(Jurisdiction.id == theirs["grid"]).first()
    point = {"lon": grid["centroid_lon"], "lat": grid["centroid_lat"]}
    for extra in ({"grid_id": theirs["grid"]}, point):
        body = {"id": str(uuid.uuid4()), "title": "别人的网格", "category": "neighbours"} | extra
        r = await cast.api["demo-grid"].post("/api/v1/disputes", json=body)
        assert r.status_code == 422, r.text
        assert await Dispute.count().where(Dispute.id == body["id"]) == 0


async def test_an_action_applies_its_own_fields_only(app, cast):
    """Accepting with a forged level, holder, status and deadline: accepted, at the village,
    held by it, with the deadline the rules derive."""
    case = await world.log(cast, "demo-grid", "伪造受理")
    forged = await _forged(cast)
    forged.pop("version")
    await act(cast, "demo-village", case["id"], "accept", rights_notified=True, **forged)
    row = await _row(case["id"])
    assert (row["status"], row["level"]) == ("accepted", "village")
    assert row["holder"] == row["village"] == cast.me["demo-village"]["jurisdiction"]["id"]
    assert row["due_at"].year < 2099 and row["attempts"] == 0
    assert row["grid"] == cast.me["demo-grid"]["jurisdiction"]["id"]


async def test_escalating_moves_one_level_up_whatever_the_request_names(app, cast):
    case = await world.log(cast, "demo-grid", "伪造越级")
    await act(cast, "demo-village", case["id"], "accept", rights_notified=True)
    await act(
        cast,
        "demo-village",
        case["id"],
        "escalate",
        reason="村级无法化解",
        to_level="county",
        level="county",
        holder=cast.me["demo-county"]["jurisdiction"]["id"],
    )
    row = await _row(case["id"])
    assert (row["status"], row["level"]) == ("escalated", "township")
    assert row["holder"] == cast.me["demo-township"]["jurisdiction"]["id"]


async def test_an_extension_is_counted_in_days_not_taken_as_a_date(app, cast):
    case = await world.log(cast, "demo-grid", "伪造期限")
    await act(cast, "demo-village", case["id"], "accept", rights_notified=True)
    before = (await _row(case["id"]))["due_at"]
    await act(cast, "demo-village", case["id"], "extend", days=2, reason="当事人外出", due_at=FAR)
    after = (await _row(case["id"]))["due_at"]
    assert timedelta(days=1) < after - before <= timedelta(days=5)


async def test_handing_a_case_back_up_the_ladder_is_refused(app, cast):
    case = await world.log(cast, "demo-grid", "伪造交办")
    await act(cast, "demo-village", case["id"], "accept", rights_notified=True)
    await act(cast, "demo-village", case["id"], "escalate", reason="村级无法化解")
    version = (await current(cast, case["id"]))["version"]
    r = await cast.api["demo-township"].post(
        f"/api/v1/disputes/{case['id']}/actions/hand-back",
        json={"version": version, "to_level": "county", "instructions": "交给县里"},
    )
    assert r.status_code in (409, 422), r.text
    row = await _row(case["id"])
    assert (row["status"], row["level"], row["version"]) == ("escalated", "township", version)


async def test_a_forged_version_is_refused_and_nothing_is_applied(app, cast):
    case = await world.log(cast, "demo-grid", "伪造版本")
    version = (await current(cast, case["id"]))["version"]
    r = await cast.api["demo-village"].post(
        f"/api/v1/disputes/{case['id']}/actions/accept",
        json={"version": version + 5, "rights_notified": True},
    )
    assert r.status_code == 409, r.text
    row = await _row(case["id"])
    assert (row["status"], row["version"]) == ("logged", version)


async def test_a_room_cannot_be_given_to_another_village(app, cast):
    sides = await world.build(cast)
    theirs = await _row(sides["theirs"]["dispute_id"])
    browser = await cast.browser("demo-village")
    room = {
        "name": "挪用评理室",
        "capacity": "20",
        "opens_at": "08:30",
        "closes_at": "17:30",
        "open_weekdays": ["1", "2"],
        "_csrf_token": browser.csrf,
    }
    r = await browser.post_form("/rooms", room | {"jurisdiction": str(theirs["village"])})
    assert r.status_code in (403, 404, 422), r.text[:300]
    from app.sessions.tables import Room

    assert await Room.count().where(Room.name == "挪用评理室") == 0


async def test_a_check_in_in_another_grid_is_refused(app, cast):
    sides = await world.build(cast)
    theirs = await _row(sides["theirs"]["dispute_id"])
    body = {
        "id": str(uuid.uuid4()),
        "grid_id": theirs["grid"],
        "lon": 113.32,
        "lat": 32.72,
        "gps_accuracy_m": 10,
        "checked_at": (date.today()).isoformat() + "T09:00:00+08:00",
    }
    r = await cast.api["demo-grid"].post("/api/v1/checkins", json=body)
    assert r.status_code in (403, 404, 422), r.text


async def test_a_session_cannot_seat_a_mediator_from_outside_ones_area(app, cast):
    """Booking names its mediators: demo-village may not seat the county officer (above the
    village, outside its area) or a grid worker of another township."""
    from app.sessions.tables import MediationSession

    sides = await world.build(cast)
    case = await world.log(cast, "demo-grid", "伪造调解员")
    await act(cast, "demo-village", case["id"], "accept", rights_notified=True)
    day = date.today() + timedelta(days=930)
    for outsider in ("demo-county", "demo-grid-2"):
        body = {
            "dispute_id": case["id"],
            "room_id": sides["mine"]["room_id"],
            "starts_at": f"{day.isoformat()}T10:00:00+08:00",
            "ends_at": f"{day.isoformat()}T11:00:00+08:00",
            "mediator_ids": [cast.me[outsider]["id"]],
        }
        r = await cast.api["demo-village"].post("/api/v1/sessions", json=body)
        assert r.status_code in (404, 422), f"{outsider}: {r.status_code} {r.text}"
    assert await MediationSession.count().where(MediationSession.dispute == case["id"]) == 0
